"""What Home Assistant must show for ckw2mqtt: the entities of issue #4, written down independently of
the Swift code that produces them, and how each one's state follows from the bridge's JSON."""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any


class Measures(Enum):
    """Which meters have an entity: those measuring import, export, both, or either."""

    IMPORT = "import"
    EXPORT = "export"
    BOTH = "both"
    ANY = "any"


class Value(Enum):
    """How a JSON value appears as a Home Assistant state."""

    NUMBER = "number"
    TIMESTAMP = "timestamp"
    TEXT = "text"
    BOOLEAN = "boolean"  # JSON true/false -> on/off
    NONE = "none"  # the entity has no state of its own (a button)


@dataclass(frozen=True)
class EntitySpec:
    key: str
    domain: str
    value: Value
    device_class: str | None = None
    unit: str | None = None
    state_class: str | None = None
    entity_category: str | None = None
    options: tuple[str, ...] | None = None
    measures: Measures = Measures.ANY


METER_ENTITIES = [
    # The lifetime registers, for the Energy dashboard: `total` (a correction may lower them).
    EntitySpec("energy_import_total", "sensor", Value.NUMBER, "energy", "kWh", "total", measures=Measures.IMPORT),
    EntitySpec("energy_export_total", "sensor", Value.NUMBER, "energy", "kWh", "total", measures=Measures.EXPORT),
    # The newest interval only: no state class, so no statistics are summed from it.
    EntitySpec("energy_import_interval", "sensor", Value.NUMBER, "energy", "kWh", measures=Measures.IMPORT),
    EntitySpec("energy_export_interval", "sensor", Value.NUMBER, "energy", "kWh", measures=Measures.EXPORT),
    EntitySpec("power_import", "sensor", Value.NUMBER, "power", "W", "measurement", measures=Measures.IMPORT),
    EntitySpec("power_export", "sensor", Value.NUMBER, "power", "W", "measurement", measures=Measures.EXPORT),
    EntitySpec("power_net", "sensor", Value.NUMBER, "power", "W", "measurement", measures=Measures.BOTH),
    EntitySpec("production_surplus", "binary_sensor", Value.BOOLEAN, measures=Measures.BOTH),
    EntitySpec("interval_end", "sensor", Value.TIMESTAMP, "timestamp"),
    EntitySpec(
        "quality", "sensor", Value.TEXT, "enum", entity_category="diagnostic",
        options=("measured", "estimated", "missing"),
    ),
]

BRIDGE_ENTITIES = [
    EntitySpec("connection_state", "binary_sensor", Value.BOOLEAN, "connectivity", entity_category="diagnostic"),
    EntitySpec("authentication", "binary_sensor", Value.BOOLEAN, "problem", entity_category="diagnostic"),
    EntitySpec("last_successful_fetch", "sensor", Value.TIMESTAMP, "timestamp", entity_category="diagnostic"),
    EntitySpec("next_planned_fetch", "sensor", Value.TIMESTAMP, "timestamp", entity_category="diagnostic"),
    EntitySpec("api_requests_remaining", "sensor", Value.NUMBER, state_class="measurement", entity_category="diagnostic"),
    EntitySpec("version", "sensor", Value.TEXT, entity_category="diagnostic"),
    EntitySpec("refresh", "button", Value.NONE, entity_category="config"),
]

BRIDGE_NODE_ID = "ckw2mqtt_bridge"


def meter_node_id(metering_point_id: str) -> str:
    return f"ckw2mqtt_{metering_point_id}"


def meter_entities(state: dict[str, Any]) -> list[EntitySpec]:
    """The entities a meter must have, judged by the directions its state JSON carries."""
    imports = "energy_import_total" in state
    exports = "energy_export_total" in state
    has = {
        Measures.IMPORT: imports,
        Measures.EXPORT: exports,
        Measures.BOTH: imports and exports,
        Measures.ANY: imports or exports,
    }
    return [spec for spec in METER_ENTITIES if has[spec.measures]]


def bridge_values(bridge_state: str | None, info: dict[str, Any]) -> dict[str, Any]:
    """The bridge entities' values from `ckw2mqtt/bridge/state` and `ckw2mqtt/bridge/info`."""
    rate_limit = info.get("rate_limit") or {}
    return {
        "connection_state": {"online": True, "offline": False}.get(bridge_state),
        "authentication": {"login_required": True, "ok": False}.get(info.get("auth")),
        "last_successful_fetch": info.get("last_successful_fetch"),
        "next_planned_fetch": info.get("next_planned_fetch"),
        "api_requests_remaining": rate_limit.get("remaining"),
        "version": info.get("version"),
        "refresh": None,
    }


def state_mismatch(spec: EntitySpec, value: Any, ha_state: str) -> str | None:
    """Why `ha_state` is not how Home Assistant shows `value`, or None when it is."""
    if spec.value is Value.NONE:
        return None if ha_state not in ("unavailable",) else f"is {ha_state}"
    if value is None:
        return None if ha_state == "unknown" else f"is {ha_state!r}, expected unknown for null"
    try:
        matches = {
            Value.NUMBER: lambda: float(ha_state) == float(value),
            Value.TIMESTAMP: lambda: _instant(ha_state) == _instant(value),
            Value.TEXT: lambda: ha_state == str(value),
            Value.BOOLEAN: lambda: ha_state == ("on" if value else "off"),
        }[spec.value]()
    except ValueError:
        matches = False
    return None if matches else f"is {ha_state!r}, expected {value!r}"


def _instant(text: str) -> datetime:
    instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if instant.tzinfo is None:
        raise ValueError(f"{text} has no time zone")
    return instant
