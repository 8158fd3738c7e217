"""The Energy dashboard accepts the meters' lifetime totals, by its own validation."""

from e2e.expectations import meter_node_id
from e2e.home_assistant_client import HomeAssistantClient
from e2e.mqtt_observer import MqttObserver
from e2e.polling import wait_until
from e2e.registries import mqtt_entities

STATISTICS_NOT_DEFINED = "statistics_not_defined"
# Home Assistant's recorder compiles statistics every five minutes (at :00:10, :05:10, ... UTC), and
# creates a sensor's statistics metadata in the first run after the sensor had a numeric state. There
# is no way to ask for a run, so this test waits for the next one (plus a margin for a busy machine).
STATISTICS_RUN_DEADLINE = 5 * 60 + 10 + 50


def issue_types(validation: dict) -> set[str]:
    return {issue["type"] for source in validation["energy_sources"] for issue in source}


def totals(client: HomeAssistantClient, mqtt: MqttObserver, metering_points: list[str], key: str) -> list[str]:
    entries = mqtt_entities(client)
    return [
        entries[f"{meter_node_id(id)}_{key}"]["entity_id"]
        for id in metering_points
        if key in mqtt.json(f"ckw2mqtt/{id}/state")
    ]


def test_grid_consumption_and_return_pass_the_energy_validation(home_assistant: HomeAssistantClient, mqtt: MqttObserver, metering_points: list[str]) -> None:
    imported = totals(home_assistant, mqtt, metering_points, "energy_import_total")
    exported = totals(home_assistant, mqtt, metering_points, "energy_export_total")
    assert len(imported) == len(metering_points)
    assert exported, "the demo's first household has solar panels, so some meter must measure export"
    # As the dashboard's "Add consumption" and "Add return" dialogs save them, without prices.
    grid = {
        "type": "grid",
        "flow_from": [{"stat_energy_from": id, "stat_cost": None, "entity_energy_price": None, "number_energy_price": None} for id in imported],
        "flow_to": [{"stat_energy_to": id, "stat_compensation": None, "entity_energy_price": None, "number_energy_price": None} for id in exported],
        "cost_adjustment_day": 0,
    }

    home_assistant.command("energy/save_prefs", energy_sources=[grid], device_consumption=[])

    assert home_assistant.command("energy/get_prefs")["energy_sources"] == [grid]
    # The sensors themselves (device class, unit, state class, a non-negative number) are judged at once.
    wait_until(
        lambda: issue_types(home_assistant.command("energy/validate")),
        lambda types: types <= {STATISTICS_NOT_DEFINED},
        timeout=30,
        what=f"the Energy dashboard's validation to report no issue but {STATISTICS_NOT_DEFINED}",
    )
    # That one remains until the recorder's next statistics run.
    validation = wait_until(
        lambda: home_assistant.command("energy/validate"),
        lambda validation: validation["energy_sources"] == [[]],
        timeout=STATISTICS_RUN_DEADLINE,
        what="the Energy dashboard's validation to report no issue",
    )
    assert validation["device_consumption"] == []
    metadata = home_assistant.command("recorder/get_statistics_metadata", statistic_ids=imported + exported)
    assert {(entry["statistic_id"], entry["statistics_unit_of_measurement"], entry["has_sum"]) for entry in metadata} == {
        (id, "kWh", True) for id in imported + exported
    }
