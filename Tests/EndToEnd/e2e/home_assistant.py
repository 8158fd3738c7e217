"""A real Home Assistant in a temporary configuration directory, onboarded and connected to MQTT."""

import sys
from pathlib import Path

from .home_assistant_client import HomeAssistantClient
from .polling import GiveUp, wait_until
from .ports import free_loopback_port
from .processes import ManagedProcess, environment

STARTUP_TIMEOUT = 120
USERNAME = "e2e"
# Onboarding requires a password; this instance only ever listens on 127.0.0.1 and is deleted after the run.
PASSWORD = "ckw2mqtt-e2e-password"


def configuration_yaml(port: int, database: Path) -> str:
    """What an installation in Lucerne would have, minus `default_config`, whose integrations would
    try to reach the internet. The recorder commits every second, so that its statistics runs see
    the states of the seconds before."""
    return f"""\
homeassistant:
  name: ckw2mqtt end-to-end test
  latitude: 47.0502
  longitude: 8.3093
  elevation: 435
  time_zone: Europe/Zurich
  unit_system: metric
  currency: CHF
  country: CH
  language: en

http:
  server_host: 127.0.0.1
  server_port: {port}

api:
energy:

recorder:
  db_url: sqlite:///{database}
  commit_interval: 1

logger:
  default: warning
  logs:
    homeassistant.components.mqtt: info
    # Cameras are not used; this only hides a traceback about a missing JPEG library in every report.
    homeassistant.components.camera.img_util: critical
"""


class HomeAssistantInstance:
    def __init__(self, directory: Path) -> None:
        self.config_directory = directory / "config"
        self.config_directory.mkdir(parents=True, exist_ok=True)
        self.port = free_loopback_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        (self.config_directory / "configuration.yaml").write_text(
            configuration_yaml(self.port, self.config_directory / "home-assistant_v2.db")
        )
        # Runs with the interpreter of the test run, which is the venv Home Assistant is installed in.
        # --skip-pip: every requirement is preinstalled; nothing may be fetched at start.
        self.process = ManagedProcess(
            "home-assistant",
            [sys.executable, "-m", "homeassistant", "--config", str(self.config_directory), "--skip-pip", "--log-no-color"],
            directory / "home-assistant.log",
            env=environment(PYTHONUNBUFFERED="1"),
        )
        self.client: HomeAssistantClient | None = None

    def start(self) -> HomeAssistantClient:
        """Starts Home Assistant and onboards the owner; returns a client with a long-lived token."""
        self.process.start()
        anonymous = HomeAssistantClient(self.base_url)
        wait_until(
            lambda: self._alive_and(lambda: anonymous.get("/api/onboarding")),
            lambda steps: isinstance(steps, list),
            timeout=STARTUP_TIMEOUT,
            what="Home Assistant to serve the onboarding API",
        )
        access_token = self._onboard_owner(anonymous)
        long_lived = anonymous.with_token(access_token).command(
            "auth/long_lived_access_token", client_name="ckw2mqtt end-to-end tests", lifespan=1
        )
        self.client = anonymous.with_token(long_lived)
        wait_until(
            lambda: self._alive_and(lambda: self.client.get("/api/config")["state"]),
            lambda state: state == "RUNNING",
            timeout=STARTUP_TIMEOUT,
            what="Home Assistant to finish starting",
        )
        return self.client

    def configure_mqtt(self, host: str, port: int) -> None:
        """Adds the MQTT integration as a user does in the UI, and waits until it is connected."""
        flow = self.client.post("/api/config/config_entries/flow", {"handler": "mqtt", "show_advanced_options": False})
        if flow.get("step_id") != "broker":
            raise RuntimeError(f"unexpected first step of the MQTT config flow: {flow}")
        result = self.client.post(f"/api/config/config_entries/flow/{flow['flow_id']}", {"broker": host, "port": port})
        if result.get("type") != "create_entry":
            raise RuntimeError(f"the MQTT config flow did not create an entry: {result}")
        wait_until(
            lambda: [entry["state"] for entry in self.client.get("/api/config/config_entries/entry?domain=mqtt")],
            lambda states: states == ["loaded"],
            timeout=30,
            what="the MQTT integration to connect to the broker",
        )

    def stop(self) -> None:
        self.process.stop(timeout=30)

    def _onboard_owner(self, anonymous: HomeAssistantClient) -> str:
        client_id = self.base_url + "/"
        created = anonymous.post(
            "/api/onboarding/users",
            {"client_id": client_id, "name": "End-to-end test", "username": USERNAME, "password": PASSWORD, "language": "en"},
        )
        tokens = anonymous.post(
            "/auth/token",
            form={"grant_type": "authorization_code", "code": created["auth_code"], "client_id": client_id},
        )
        return tokens["access_token"]

    def _alive_and(self, observe):
        # Fails fast with the log when Home Assistant dies during start instead of running into the timeout.
        if not self.process.is_running():
            raise GiveUp(f"Home Assistant exited with {self.process.exit_code()}:\n{self.process.log_tail()}")
        return observe()
