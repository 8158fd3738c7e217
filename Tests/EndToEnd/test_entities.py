"""Every device and entity of the demo's meters and of the bridge, as Home Assistant shows them."""

from e2e.consistency import expected_entities, value_mismatches
from e2e.expectations import BRIDGE_NODE_ID, meter_node_id
from e2e.home_assistant_client import HomeAssistantClient
from e2e.mqtt_observer import MqttObserver
from e2e.polling import wait_until
from e2e.registries import mqtt_devices, mqtt_entities

DISCOVERY_TIMEOUT = 30


def test_each_meter_is_a_ckw_device_below_the_bridge(home_assistant: HomeAssistantClient, mqtt: MqttObserver, metering_points: list[str]) -> None:
    wanted = {BRIDGE_NODE_ID, *map(meter_node_id, metering_points)}
    devices = wait_until(
        lambda: mqtt_devices(home_assistant),
        lambda devices: wanted <= devices.keys(),
        timeout=DISCOVERY_TIMEOUT,
        what=f"the devices {sorted(wanted)}",
    )

    assert devices.keys() == wanted, "Home Assistant has MQTT devices the bridge did not announce"
    bridge = devices[BRIDGE_NODE_ID]
    assert (bridge["manufacturer"], bridge["model"]) == ("ckw2mqtt", "CKW to MQTT bridge")
    assert bridge["sw_version"] == mqtt.json("ckw2mqtt/bridge/info")["version"]
    for metering_point in metering_points:
        meter = devices[meter_node_id(metering_point)]
        assert (meter["manufacturer"], meter["model"]) == ("CKW", "Smart meter")
        assert meter["serial_number"], f"{metering_point} has no serial number (meter number)"
        assert meter["via_device_id"] == bridge["id"]
        assert meter["name"]


def test_every_entity_has_its_device_class_unit_and_state_class(home_assistant: HomeAssistantClient, mqtt: MqttObserver, metering_points: list[str]) -> None:
    expected = expected_entities(mqtt, metering_points)
    entries = wait_until(
        lambda: mqtt_entities(home_assistant),
        lambda entries: expected.keys() <= entries.keys(),
        timeout=DISCOVERY_TIMEOUT,
        what=f"the {len(expected)} entities in the entity registry",
    )
    devices = mqtt_devices(home_assistant)
    states = home_assistant.states()

    assert entries.keys() == expected.keys(), "Home Assistant has MQTT entities the bridge did not announce"
    problems = []
    for unique_id, (node, spec) in sorted(expected.items()):
        entry = entries[unique_id]
        device = devices[node]
        # Entity ids are what users put into automations and dashboards: sensor.ckw_<meter number>_<key>.
        prefix = BRIDGE_NODE_ID if node == BRIDGE_NODE_ID else f"ckw_{device['serial_number']}"
        expected_entity_id = f"{spec.domain}.{prefix}_{spec.key}"
        attributes = states[entry["entity_id"]]["attributes"]
        observed = {
            "entity_id": entry["entity_id"],
            "device": entry["device_id"],
            "entity_category": entry["entity_category"],
            "device_class": attributes.get("device_class"),
            "unit_of_measurement": attributes.get("unit_of_measurement"),
            "state_class": attributes.get("state_class"),
            "options": tuple(attributes["options"]) if "options" in attributes else None,
        }
        wanted = {
            "entity_id": expected_entity_id,
            "device": device["id"],
            "entity_category": spec.entity_category,
            "device_class": spec.device_class,
            "unit_of_measurement": spec.unit,
            "state_class": spec.state_class,
            "options": spec.options,
        }
        problems += [f"{unique_id}: {key} is {observed[key]!r}, expected {wanted[key]!r}" for key in wanted if observed[key] != wanted[key]]
    assert not problems, "\n".join(problems)


def test_every_state_equals_the_bridges_retained_json(home_assistant: HomeAssistantClient, mqtt: MqttObserver, metering_points: list[str]) -> None:
    # Equal nulls would prove little: the demo's look-back window gives every meter real readings.
    for metering_point in metering_points:
        state = mqtt.json(f"ckw2mqtt/{metering_point}/state")
        assert isinstance(state["energy_import_total"], int | float), f"{metering_point} has no readings: {state}"
    # The bridge publishes new intervals while this runs (simulated time is fast), so Home Assistant
    # may be one message behind for a moment: wait until both agree.
    wait_until(
        lambda: value_mismatches(home_assistant, mqtt, metering_points),
        lambda mismatches: mismatches == [],
        timeout=DISCOVERY_TIMEOUT,
        what="every entity's state to equal the bridge's JSON",
    )
