"""Availability follows the bridge: a clean stop and a crash both make the meters unavailable in Home
Assistant; a restart brings them back with their values."""

from datetime import datetime
from typing import Any

from e2e.bridge import DemoBridge
from e2e.consistency import expected_entities, value_mismatches
from e2e.expectations import BRIDGE_NODE_ID
from e2e.home_assistant_client import HomeAssistantClient
from e2e.mqtt_observer import MqttObserver
from e2e.polling import wait_until
from e2e.registries import mqtt_entities

TIMEOUT = 30
CONNECTION_STATE = f"{BRIDGE_NODE_ID}_connection_state"


def entity_ids(client: HomeAssistantClient, mqtt: MqttObserver, metering_points: list[str]) -> tuple[list[str], str]:
    """The entities that must turn unavailable without the bridge (every one but the connection
    state), and the connection state, which instead turns off."""
    entries = mqtt_entities(client)
    followers = [entries[unique_id]["entity_id"] for unique_id in expected_entities(mqtt, metering_points) if unique_id != CONNECTION_STATE]
    return followers, entries[CONNECTION_STATE]["entity_id"]


def wait_for_bridge_gone(client: HomeAssistantClient, followers: list[str], connection_state: str) -> None:
    def observe() -> dict[str, str]:
        states = client.states()
        return {entity_id: states[entity_id]["state"] for entity_id in [*followers, connection_state]}

    wait_until(
        observe,
        lambda states: states[connection_state] == "off" and {states[entity_id] for entity_id in followers} == {"unavailable"},
        timeout=TIMEOUT,
        what="every entity of the bridge and its meters to be unavailable, and the connection state off",
    )


def wait_for_agreement(client: HomeAssistantClient, mqtt: MqttObserver, metering_points: list[str]) -> None:
    wait_until(
        lambda: value_mismatches(client, mqtt, metering_points),
        lambda mismatches: mismatches == [],
        timeout=TIMEOUT,
        what="every entity's state to equal the bridge's JSON",
    )


def meter_states(mqtt: MqttObserver, metering_points: list[str]) -> dict[str, dict[str, Any]]:
    return {id: mqtt.json(f"ckw2mqtt/{id}/state") for id in metering_points}


def interval_end(state: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(state["interval_end"].replace("Z", "+00:00"))


def test_clean_stop_makes_entities_unavailable_and_a_restart_restores_their_values(
    home_assistant: HomeAssistantClient, mqtt: MqttObserver, metering_points: list[str], running_bridge: DemoBridge
) -> None:
    followers, connection_state = entity_ids(home_assistant, mqtt, metering_points)
    wait_for_agreement(home_assistant, mqtt, metering_points)
    before = meter_states(mqtt, metering_points)

    assert running_bridge.terminate() == 0, "ckw2mqtt should exit cleanly on SIGTERM"
    # A clean disconnect discards the will, so this offline is the bridge's own goodbye.
    mqtt.wait_for_text("ckw2mqtt/bridge/state", "offline", timeout=TIMEOUT)
    wait_for_bridge_gone(home_assistant, followers, connection_state)

    running_bridge.start()
    mqtt.wait_for_text("ckw2mqtt/bridge/state", "online", timeout=TIMEOUT)
    wait_for_agreement(home_assistant, mqtt, metering_points)
    after = meter_states(mqtt, metering_points)
    for metering_point in metering_points:
        # Simulated time goes on, so a newer interval may have arrived meanwhile; otherwise the
        # restarted bridge must publish exactly what it had.
        assert interval_end(after[metering_point]) >= interval_end(before[metering_point])
        if interval_end(after[metering_point]) == interval_end(before[metering_point]):
            assert after[metering_point] == before[metering_point]
        assert after[metering_point]["energy_import_total"] >= before[metering_point]["energy_import_total"]


def test_a_crash_makes_entities_unavailable_through_the_will(
    home_assistant: HomeAssistantClient, mqtt: MqttObserver, metering_points: list[str], running_bridge: DemoBridge
) -> None:
    followers, connection_state = entity_ids(home_assistant, mqtt, metering_points)
    wait_for_agreement(home_assistant, mqtt, metering_points)

    running_bridge.kill()
    # Only the broker can have published this: the bridge had no chance to.
    mqtt.wait_for_text("ckw2mqtt/bridge/state", "offline", timeout=TIMEOUT)
    wait_for_bridge_gone(home_assistant, followers, connection_state)
