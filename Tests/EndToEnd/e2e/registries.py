"""Home Assistant's entity and device registries, keyed by the ids ckw2mqtt gives them."""

from typing import Any

from .home_assistant_client import HomeAssistantClient


def mqtt_entities(client: HomeAssistantClient) -> dict[str, dict[str, Any]]:
    """Registry entries of MQTT entities by unique id."""
    entries = client.command("config/entity_registry/list")
    return {entry["unique_id"]: entry for entry in entries if entry["platform"] == "mqtt"}


def mqtt_devices(client: HomeAssistantClient) -> dict[str, dict[str, Any]]:
    """Devices by their MQTT identifier (a device's `identifiers` are [domain, id] pairs)."""
    devices = {}
    for device in client.command("config/device_registry/list"):
        for domain, identifier in device["identifiers"]:
            if domain == "mqtt":
                devices[identifier] = device
    return devices
