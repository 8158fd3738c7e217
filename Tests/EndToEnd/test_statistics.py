"""Long-term statistics (`homeassistant.statistics`): after a run with a restart in the middle and
corrections after it, Home Assistant's hourly statistics hold, for every hour, exactly the sum of the
simulator's 15-minute values, their `sum` never decreases, and the Energy dashboard accepts them.

A bridge of its own (`ckw2mqtt demo` with statistics, its own base topic, no discovery) shares the
session's broker and Home Assistant. Simulated time runs at real speed, so a restart does not turn it
back; corrections come from moving the simulator's clock forward half a day."""

import datetime as dt
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import paho.mqtt.publish as mqtt_publish
import pytest
import requests

from e2e.bridge import bridge_environment, ckw2mqtt_binary
from e2e.home_assistant_client import HomeAssistantClient
from e2e.mosquitto import MosquittoBroker
from e2e.polling import GiveUp, wait_until
from e2e.ports import free_loopback_port
from e2e.processes import ManagedProcess

BASE_TOPIC = "ckw2mqtt_statistics"
METERS = 2
BACKFILL_DAYS = 5
# The demo simulator's Backend API credentials (SimulatorConfiguration's defaults).
BACKEND_CLIENT = ("ckw2mqtt-backend", "backend-secret")
TIMEOUT = 120
HOUR = dt.timedelta(hours=1)
T = TypeVar("T")


class Simulator:
    """The demo's CKW simulator, read through its Backend API and steered through `/_sim/`."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"

    def now(self) -> dt.datetime:
        return parse(requests.get(f"{self.base}/_sim/clock", timeout=10).json()["now"])

    def set_clock(self, **fields: float) -> None:
        requests.put(f"{self.base}/_sim/clock", json=fields, timeout=10).raise_for_status()

    def _token(self) -> str:
        issuer = f"{self.base}/auth/realms/CKW"
        token_endpoint = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()["token_endpoint"]
        response = requests.post(token_endpoint, data={"grant_type": "client_credentials", "client_id": BACKEND_CLIENT[0], "client_secret": BACKEND_CLIENT[1]}, timeout=10)
        response.raise_for_status()
        return response.json()["access_token"]

    def quarter_hours(self, start: dt.datetime, end: dt.datetime) -> dict[str, dict[str, dict[dt.datetime, int | None]]]:
        """statistic id -> quarter start -> Wh (None while missing), for every metering point."""
        headers = {"Authorization": f"Bearer {self._token()}"}
        api = f"{self.base}/api/backend/v1"
        points = requests.get(f"{api}/coredata", headers=headers, timeout=10).json()["meteringPoints"]
        result: dict[str, dict[dt.datetime, int | None]] = {}
        for point in points:
            id = point["meteringPointId"]
            query = {"from": iso(start), "to": iso(end)}
            data = requests.get(f"{api}/meterdata/{id}", params=query, headers=headers, timeout=30).json()
            for series in data["series"]:
                kind = {"1-1:1.29.0": "import", "1-1:2.29.0": "export"}.get(series["obis"])
                if kind is None:
                    continue
                values = result.setdefault(f"ckw2mqtt:{id.lower()}_{kind}", {})
                for value in series["values"]:
                    values[parse(value["start"])] = None if value["value"] is None else round(value["value"] * 1000)
        return result


def parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def complete_hours(quarters: dict[dt.datetime, int | None]) -> dict[dt.datetime, int]:
    """Hour start -> Wh, for hours whose four quarters all have a value."""
    hours: dict[dt.datetime, list[int | None]] = {}
    for start, value in quarters.items():
        hours.setdefault(start.replace(minute=0), []).append(value)
    return {hour: sum(values) for hour, values in hours.items() if len(values) == 4 and None not in values}


def stored_rows(client: HomeAssistantClient, ids: list[str], start: dt.datetime, end: dt.datetime) -> dict[str, list[dict]]:
    return client.command("recorder/statistics_during_period", start_time=iso(start), end_time=iso(end), statistic_ids=ids, period="hour", types=["state", "sum"])


def differences(client: HomeAssistantClient, simulator: Simulator, first_hour: dt.datetime) -> list[str]:
    """Every way Home Assistant's rows differ from the simulator's values; empty when they agree."""
    now = simulator.now()
    truth = simulator.quarter_hours(first_hour, now)
    rows = stored_rows(client, sorted(truth), first_hour - dt.timedelta(days=1), now + HOUR)
    problems = []
    for id, quarters in sorted(truth.items()):
        expected = complete_hours(quarters)
        stored = rows.get(id, [])
        hours = [dt.datetime.fromtimestamp(row["start"] / 1000, dt.UTC) for row in stored]
        if hours != sorted(expected):
            missing = sorted(set(expected) - set(hours))
            extra = sorted(set(hours) - set(expected))
            problems.append(f"{id}: hours missing {[iso(h) for h in missing][:5]} (of {len(missing)}), not expected {[iso(h) for h in extra][:5]}")
        previous_sum = None
        for hour, row in zip(hours, stored):
            if hour in expected and round(row["state"] * 1000) != expected[hour]:
                problems.append(f"{id} {iso(hour)}: state {row['state']} kWh, simulator {expected[hour] / 1000} kWh")
            if previous_sum is not None and round((row["sum"] - previous_sum) * 1000) != round(row["state"] * 1000):
                problems.append(f"{id} {iso(hour)}: sum {row['sum']} does not continue {previous_sum} by {row['state']}")
            if previous_sum is not None and row["sum"] < previous_sum:
                problems.append(f"{id} {iso(hour)}: sum decreases from {previous_sum} to {row['sum']}")
            previous_sum = row["sum"]
    return problems


@pytest.fixture
def statistics_bridge(run_directory: Path, broker: MosquittoBroker, home_assistant: HomeAssistantClient) -> Iterator[tuple[ManagedProcess, Simulator]]:
    directory = run_directory / "ckw2mqtt-statistics"
    directory.mkdir(parents=True, exist_ok=True)
    token_file = directory / "home-assistant-token"
    token_file.write_text(home_assistant.token + "\n")
    token_file.chmod(0o600)
    port = free_loopback_port()
    settings = {
        "mqtt.base_topic": BASE_TOPIC,
        "mqtt.client_id": "ckw2mqtt-statistics",
        "homeassistant.discovery": "false",
        "homeassistant.statistics.enabled": "true",
        "homeassistant.statistics.url": home_assistant.base_url,
        "homeassistant.statistics.token_file": str(token_file),
        "homeassistant.statistics.backfill": f"{BACKFILL_DAYS}d",
    }
    process = ManagedProcess(
        "ckw2mqtt statistics",
        [str(ckw2mqtt_binary()), "demo", "--mqtt-host", broker.host, "--mqtt-port", str(broker.port),
         "--state-directory", str(directory / "state"), "--meters", str(METERS), "--speed", "1",
         "--simulator-port", str(port), "--log-level", "debug"]
        + [argument for key, value in settings.items() for argument in ("--set", f"{key}={value}")],
        directory / "ckw2mqtt.log",
        env=bridge_environment(),
    )
    try:
        process.start()
        yield process, Simulator(port)
    finally:
        process.stop()


def observing(process: ManagedProcess, observe: Callable[[], T], pause: float = 0) -> Callable[[], T]:
    """`observe`, unless the bridge exited (then waiting is pointless); `pause` spares the simulator's
    rate limit when an observation costs API requests."""

    def observed() -> T:
        if not process.is_running():
            raise GiveUp(f"ckw2mqtt exited with {process.exit_code()}")
        time.sleep(pause)
        return observe()

    return observed


def test_statistics_equal_the_simulators_quarter_hours_through_a_restart_and_corrections(
    statistics_bridge: tuple[ManagedProcess, Simulator], home_assistant: HomeAssistantClient, broker: MosquittoBroker
) -> None:
    process, simulator = statistics_bridge
    started = wait_until(observing(process, simulator.now), lambda _: True, timeout=TIMEOUT, what="the demo's simulator")
    first_hour = (started - dt.timedelta(days=BACKFILL_DAYS)).replace(minute=0, second=0, microsecond=0)
    # The first household has solar panels: three statistics for two meters.
    ids = sorted(simulator.quarter_hours(started - HOUR, started))
    assert len(ids) == 3, ids

    def agree() -> list[str]:
        return differences(home_assistant, simulator, first_hour)

    # The backfill and the first window.
    wait_until(observing(process, agree, pause=1.5), lambda problems: not problems,
               timeout=TIMEOUT, what="Home Assistant's statistics to equal the simulator's values")

    # A restart in the middle: the new process finds everything stored and continues.
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    process.start()
    wait_until(observing(process, simulator.now), lambda _: True, timeout=TIMEOUT, what="the restarted simulator")

    # Half a day later: new batches, and estimates and gaps corrected. The clock then stands still, so
    # the simulator's values stay what the bridge reads once asked to fetch.
    simulator.set_clock(advanceSeconds=12 * 3600)
    simulator.set_clock(speed=0)
    mqtt_publish.single(f"{BASE_TOPIC}/bridge/request/refresh", b"", hostname=broker.host, port=broker.port)
    wait_until(observing(process, agree, pause=1.5), lambda problems: not problems,
               timeout=TIMEOUT, what="Home Assistant's statistics to equal the corrected values")

    # The Energy dashboard takes them as grid consumption and return.
    grid = {
        "type": "grid",
        "flow_from": [{"stat_energy_from": id, "stat_cost": None, "entity_energy_price": None, "number_energy_price": None} for id in ids if id.endswith("_import")],
        "flow_to": [{"stat_energy_to": id, "stat_compensation": None, "entity_energy_price": None, "number_energy_price": None} for id in ids if id.endswith("_export")],
        "cost_adjustment_day": 0,
    }
    home_assistant.command("energy/save_prefs", energy_sources=[grid], device_consumption=[])
    assert home_assistant.command("energy/validate")["energy_sources"] == [[]]
    metadata = home_assistant.command("recorder/get_statistics_metadata", statistic_ids=ids)
    assert {(entry["statistic_id"], entry["source"], entry["statistics_unit_of_measurement"], entry["has_sum"]) for entry in metadata} == {
        (id, "ckw2mqtt", "kWh", True) for id in ids
    }
