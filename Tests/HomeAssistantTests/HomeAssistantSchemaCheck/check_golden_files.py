#!/usr/bin/env python3
"""Checks the golden files of HomeAssistantTests with Home Assistant's own code.

The Swift tests prove that ckw2mqtt publishes exactly what the golden files say; this script proves
that what they say is right, by running the real Home Assistant (2025.4.4) discovery schemas and
template engine over them:

- every discovery config passes DEVICE_DISCOVERY_SCHEMA, and every component (with the device-level
  shared options merged in, as discovery.py does) passes its platform's DISCOVERY_SCHEMA;
- components reduced to {"platform": ...} are the documented removal form;
- device class, unit and state class combinations are ones Home Assistant accepts without warning;
- the energy totals meet the Energy dashboard's unit and state-class rules;
- every value_template, rendered over the state golden files, yields what the entity needs: numbers,
  timezone-aware timestamps, the binary payloads, an enum option, or "None" (shown as unknown).

Run it in a Python 3.13 venv with `pip install homeassistant==2025.4.4`:
    python Tests/HomeAssistantTests/HomeAssistantSchemaCheck/check_golden_files.py
It prints one line per check and exits non-zero on the first failure.
"""

import asyncio
import json
import pathlib
import sys
import tempfile

from homeassistant.components.energy.validate import ENERGY_USAGE_UNITS
from homeassistant.components.mqtt import binary_sensor as mqtt_binary_sensor
from homeassistant.components.mqtt import button as mqtt_button
from homeassistant.components.mqtt import sensor as mqtt_sensor
from homeassistant.components.mqtt.const import PAYLOAD_NONE
from homeassistant.components.mqtt.discovery import _merge_common_device_options
from homeassistant.components.mqtt.schemas import DEVICE_DISCOVERY_SCHEMA
from homeassistant.components.sensor import (
    DEVICE_CLASS_STATE_CLASSES,
    DEVICE_CLASS_UNITS,
    SensorDeviceClass,
)
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.helpers.template import Template
from homeassistant.util import dt as dt_util

GOLDEN = pathlib.Path(__file__).resolve().parent.parent / "Golden"
PLATFORM_SCHEMAS = {
    "sensor": mqtt_sensor.DISCOVERY_SCHEMA,
    "binary_sensor": mqtt_binary_sensor.DISCOVERY_SCHEMA,
    "button": mqtt_button.DISCOVERY_SCHEMA,
}


def fail(message):
    print(f"FAIL {message}")
    sys.exit(1)


def ok(message):
    print(f"ok   {message}")


def messages(name):
    document = json.loads((GOLDEN / name).read_text())
    return document if isinstance(document, list) else [document]


def check_component(file, key, component, device_payload):
    platform = component["platform"]
    if len(component) == 1:
        ok(f"{file}: {key} removes a {platform}")
        return None
    merged = dict(component)
    del merged["platform"]
    _merge_common_device_options(merged, device_payload)
    validated = PLATFORM_SCHEMAS[platform](merged)
    if "unique_id" not in validated:
        fail(f"{file}: {key} has no unique_id")
    if "default_entity_id" in validated:
        fail(f"{file}: {HA_VERSION} unexpectedly kept default_entity_id")
    if component.get("default_entity_id") != f"{platform}.{component.get('object_id')}":
        fail(f"{file}: {key} default_entity_id does not match object_id")
    device_class = validated.get("device_class")
    if platform == "sensor" and device_class not in (None, "enum", "timestamp"):
        sensor_class = SensorDeviceClass(device_class)
        unit = validated.get("unit_of_measurement")
        if unit not in DEVICE_CLASS_UNITS[sensor_class]:
            fail(f"{file}: {key} unit {unit} is not valid for {device_class}")
        state_class = validated.get("state_class")
        if state_class is not None and state_class not in DEVICE_CLASS_STATE_CLASSES[sensor_class]:
            fail(f"{file}: {key} state class {state_class} is not valid for {device_class}")
        if device_class == "energy" and state_class is not None:
            if unit not in ENERGY_USAGE_UNITS["energy"] or state_class not in ("total", "total_increasing"):
                fail(f"{file}: {key} would fail the Energy dashboard's validation")
            if "expire_after" in validated or "last_reset_value_template" in validated:
                fail(f"{file}: {key} must not expire or reset")
    ok(f"{file}: {key} is a valid {platform}")
    return platform, validated


def check_discovery(file):
    (message,) = messages(file)
    payload = message["payload"]
    if not message["topic"].endswith("/config") or not message["retain"]:
        fail(f"{file}: discovery must be retained on a config topic")
    device_payload = DEVICE_DISCOVERY_SCHEMA(json.loads(json.dumps(payload)))
    ok(f"{file}: passes DEVICE_DISCOVERY_SCHEMA")
    entities = {}
    for key, component in payload["components"].items():
        checked = check_component(file, key, component, device_payload)
        if checked:
            entities[key] = checked
    return entities


def render(hass, template_text, state_payload):
    template = Template(template_text, hass)
    return template.async_render_with_possible_json_value(json.dumps(state_payload), "")


def check_state_value(file, key, platform, config, rendered):
    device_class = config.get("device_class")
    if rendered == PAYLOAD_NONE:
        ok(f"{file}: {key} renders None (unknown)")
        return
    if platform == "binary_sensor":
        if rendered not in (config["payload_on"], config["payload_off"]):
            fail(f"{file}: {key} rendered {rendered!r}, neither payload_on nor payload_off")
    elif device_class == "timestamp":
        parsed = dt_util.parse_datetime(rendered)
        if parsed is None or parsed.tzinfo is None:
            fail(f"{file}: {key} rendered {rendered!r}, not a timezone-aware timestamp")
    elif device_class == "enum":
        if rendered not in config["options"]:
            fail(f"{file}: {key} rendered {rendered!r}, not one of {config['options']}")
    elif "unit_of_measurement" in config or "state_class" in config:
        float(rendered)
    ok(f"{file}: {key} renders {rendered!r}")


async def main():
    print(f"Home Assistant {HA_VERSION}")
    with tempfile.TemporaryDirectory() as config_dir:
        hass = HomeAssistant(config_dir)
        pairs = {
            "discovery-meter-import-export.json": ["state-meter-import-export.json", "state-meter-no-data.json"],
            "discovery-meter-import-only.json": ["state-meter-import-only.json"],
            "discovery-meter-export-removed.json": [],
            "discovery-bridge.json": ["bridge-info.json", "bridge-info-login-required.json"],
        }
        for discovery, states in pairs.items():
            entities = check_discovery(discovery)
            for state_file in states:
                (state,) = messages(state_file)
                for key, (platform, config) in entities.items():
                    if "value_template" not in config:
                        continue
                    if config["state_topic"] != state["topic"]:
                        continue
                    rendered = render(hass, config["value_template"].template, state["payload"])
                    check_state_value(state_file, key, platform, config, rendered)
                if discovery.startswith("discovery-meter"):
                    keys = {key for key, (platform, _) in entities.items()}
                    if set(state["payload"]) != keys | {"interval_start"}:
                        fail(f"{state_file}: fields do not match the entities of {discovery}")
        for file in ("removal-meter.json", "removal-bridge.json"):
            if not all(m["retain"] and m["payload_text"] == "" for m in messages(file)):
                fail(f"{file}: removals must be empty retained payloads")
            ok(f"{file}: empty retained payloads")
        await hass.async_stop(force=True)
    print("all golden files are valid for Home Assistant", HA_VERSION)


asyncio.run(main())
