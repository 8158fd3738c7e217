"""Compares what Home Assistant shows with what the bridge published."""

from typing import Any

from .expectations import BRIDGE_ENTITIES, BRIDGE_NODE_ID, EntitySpec, bridge_values, meter_entities, meter_node_id, state_mismatch
from .home_assistant_client import HomeAssistantClient
from .mqtt_observer import MqttObserver
from .registries import mqtt_entities


def expected_entities(mqtt: MqttObserver, metering_points: list[str]) -> dict[str, tuple[str, EntitySpec]]:
    """(device node id, spec) of every entity that must exist, by unique id."""
    expected = {}
    for metering_point in metering_points:
        node = meter_node_id(metering_point)
        for spec in meter_entities(mqtt.json(f"ckw2mqtt/{metering_point}/state")):
            expected[f"{node}_{spec.key}"] = (node, spec)
    for spec in BRIDGE_ENTITIES:
        expected[f"{BRIDGE_NODE_ID}_{spec.key}"] = (BRIDGE_NODE_ID, spec)
    return expected


def published_values(mqtt: MqttObserver, metering_points: list[str]) -> dict[str, dict[str, Any]]:
    """The values the entities of each device must show, by device node id."""
    values = {meter_node_id(id): mqtt.json(f"ckw2mqtt/{id}/state") for id in metering_points}
    values[BRIDGE_NODE_ID] = bridge_values(mqtt.text("ckw2mqtt/bridge/state"), mqtt.json("ckw2mqtt/bridge/info") or {})
    return values


def value_mismatches(client: HomeAssistantClient, mqtt: MqttObserver, metering_points: list[str]) -> list[str]:
    """Every entity whose Home Assistant state differs from the bridge's latest JSON; empty when all agree."""
    values = published_values(mqtt, metering_points)
    entries = mqtt_entities(client)
    states = client.states()
    problems = []
    for unique_id, (node, spec) in expected_entities(mqtt, metering_points).items():
        entry = entries.get(unique_id)
        state = states.get(entry["entity_id"]) if entry else None
        if state is None:
            problems.append(f"{unique_id}: no entity with a state")
        elif problem := state_mismatch(spec, values[node].get(spec.key), state["state"]):
            problems.append(f"{entry['entity_id']} {problem}")
    return problems
