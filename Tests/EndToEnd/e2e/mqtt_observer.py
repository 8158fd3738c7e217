"""Reads what the bridge publishes, as any MQTT client would (paho-mqtt)."""

import json
import threading
import uuid
from typing import Any

import paho.mqtt.client as mqtt

from .polling import wait_until


class MqttObserver:
    """Subscribes to topic filters and keeps the latest payload of every matching topic.

    Retained messages arrive right after subscribing, so the latest payload is the broker's
    retained one unless the bridge published something newer since.
    """

    def __init__(self, host: str, port: int, topic_filters: list[str]) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str, bytes] = {}
        self._subscribed = threading.Event()
        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"ckw2mqtt-e2e-{uuid.uuid4().hex[:8]}")
        self._client.on_connect = lambda client, *_: client.subscribe([(topic, 1) for topic in topic_filters])
        self._client.on_subscribe = lambda *_: self._subscribed.set()
        self._client.on_message = self._received
        self._client.connect(host, port)
        self._client.loop_start()
        if not self._subscribed.wait(timeout=10):
            self.close()
            raise RuntimeError(f"could not subscribe to {topic_filters} on {host}:{port}")

    def close(self) -> None:
        self._client.loop_stop()
        self._client.disconnect()

    def payload(self, topic: str) -> bytes | None:
        with self._lock:
            return self._latest.get(topic)

    def text(self, topic: str) -> str | None:
        payload = self.payload(topic)
        return None if payload is None else payload.decode()

    def json(self, topic: str) -> Any:
        payload = self.payload(topic)
        return None if not payload else json.loads(payload)

    def topics(self) -> list[str]:
        with self._lock:
            return sorted(self._latest)

    def wait_for_text(self, topic: str, expected: str, *, timeout: float) -> None:
        wait_until(lambda: self.text(topic), lambda text: text == expected, timeout=timeout, what=f"{expected!r} on {topic}")

    def _received(self, _client, _userdata, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self._latest[message.topic] = message.payload
