"""The add-on's run.sh as the Supervisor starts it: the real script with a stand-in for bashio
(addon/bashio) and a stand-in for the Supervisor's API (e2e/supervisor.py) that serves the add-on's
options, the MQTT service of a real private mosquitto with a password, and the websocket proxy to the
session's real Home Assistant. The environment is the add-on image's (its Dockerfile's ENV), with the
state directory and the web page's address moved to where a test may write and listen.

`ckw2mqtt` is the real binary, found on PATH as in the image; CKW is `ckw2mqtt simulate` over TLS with
a private CA (the one setting the add-on cannot know, CKW2MQTT_CKW_TLS_CA_FILE, comes from the test).
The login is made beforehand with `ckw2mqtt login --paste` into the same state directory, where the
add-on's page would put it."""

import datetime as dt
import getpass
import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
import requests
import yaml

from e2e.addon import ADDON, addon_config, dockerfile_environment
from e2e.bridge import bridge_environment, ckw2mqtt_binary
from e2e.home_assistant_client import HomeAssistantClient
from e2e.mosquitto import mosquitto_executable
from e2e.polling import GiveUp, wait_until
from e2e.ports import accepts_connections, free_loopback_port
from e2e.processes import ManagedProcess
from e2e.supervisor import SupervisorStandIn

import conftest

FAKE_BASHIO = Path(__file__).parent / "addon" / "bashio"
TIMEOUT = 120
BACKFILL_DAYS = 2
MQTT_USER = ("addons", "mqtt-secret-of-the-broker-add-on")
HOUR = dt.timedelta(hours=1)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class TLSSimulator:
    """`ckw2mqtt simulate` on https with a self-signed certificate for 127.0.0.1."""

    def __init__(self, directory: Path, meters: int) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.certificate = directory / "simulator.pem"
        key = directory / "simulator-key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", str(key), "-out", str(self.certificate)],
            check=True, capture_output=True,
        )
        self.port = free_loopback_port()
        self.base = f"https://127.0.0.1:{self.port}"
        self.process = ManagedProcess(
            "ckw2mqtt simulate",
            [str(ckw2mqtt_binary()), "simulate", "--port", str(self.port), "--meters", str(meters), "--auto-approve",
             "--tls-certificate", str(self.certificate), "--tls-key", str(key)],
            directory / "simulator.log", env=bridge_environment(),
        )

    def start(self) -> None:
        self.process.start()
        log = wait_until(lambda: self.process.log_path.read_text(), lambda text: "Client API:" in text or not self.process.is_running(),
                         timeout=30, what="the simulator to start")
        if not self.process.is_running():
            raise RuntimeError(f"the simulator exited:\n{log}")
        self.issuer = re.search(r"issuer:\s+(\S+)", log).group(1)
        self.client_api = re.search(r"Client API:\s+(\S+)", log).group(1)
        backend = re.search(r"backend app:\s+(\S+) / (\S+)", log)
        self.backend_app = (backend.group(1), backend.group(2))

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.get(self.base + path, verify=self.certificate, timeout=30, **kwargs)

    def freeze_clock(self) -> dt.datetime:
        """Simulated time stands still: what CKW delivers no longer changes while the test compares."""
        requests.put(f"{self.base}/_sim/clock", json={"speed": 0}, verify=self.certificate, timeout=10).raise_for_status()
        return parse(self.get("/_sim/clock").json()["now"])

    def _token(self) -> str:
        configuration = self.get(f"{self.issuer.removeprefix(self.base)}/.well-known/openid-configuration").json()
        response = requests.post(configuration["token_endpoint"], verify=self.certificate, timeout=10, data={
            "grant_type": "client_credentials", "client_id": self.backend_app[0], "client_secret": self.backend_app[1]})
        response.raise_for_status()
        return response.json()["access_token"]

    def metering_points(self) -> list[str]:
        headers = {"Authorization": f"Bearer {self._token()}"}
        return sorted(point["meteringPointId"] for point in self.get("/api/backend/v1/coredata", headers=headers).json()["meteringPoints"])

    def hourly_import(self, metering_point: str, start: dt.datetime, end: dt.datetime) -> dict[dt.datetime, int]:
        """Hour -> Wh imported, for the hours whose four quarter hours CKW has delivered."""
        headers = {"Authorization": f"Bearer {self._token()}"}
        data = self.get(f"/api/backend/v1/meterdata/{metering_point}", headers=headers, params={"from": iso(start), "to": iso(end)}).json()
        quarters: dict[dt.datetime, list[int | None]] = {}
        for series in data["series"]:
            if series["obis"] == "1-1:1.29.0":
                for value in series["values"]:
                    hour = parse(value["start"]).replace(minute=0)
                    quarters.setdefault(hour, []).append(None if value["value"] is None else round(value["value"] * 1000))
        return {hour: sum(values) for hour, values in quarters.items() if len(values) == 4 and None not in values}


class PasswordBroker:
    """A private mosquitto that lets only MQTT_USER in, as the Mosquitto add-on lets add-ons in."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        passwords = directory / "passwords"
        subprocess.run(["mosquitto_passwd", "-b", "-c", str(passwords), *MQTT_USER], check=True, capture_output=True)
        passwords.chmod(0o600)
        self.port = free_loopback_port()
        config = directory / "mosquitto.conf"
        # Started as root, mosquitto would switch to the user `mosquitto`, which cannot read the test's
        # private directory: it stays the test's user.
        config.write_text(f"user {getpass.getuser()}\nlistener {self.port} 127.0.0.1\nallow_anonymous false\npassword_file {passwords}\n"
                          "persistence false\nlog_dest stderr\nconnection_messages true\n")
        self.process = ManagedProcess("mosquitto (password)", [mosquitto_executable(), "-c", str(config)], directory / "mosquitto.log")

    def start(self) -> None:
        self.process.start()
        wait_until(lambda: accepts_connections(self.port) or not self.process.is_running(), bool, timeout=10, what="mosquitto to listen")
        if not self.process.is_running():
            raise RuntimeError(self.process.log_tail())

    def retained(self, topic: str, credentials: tuple[str, str] = MQTT_USER) -> bytes | None:
        """The retained message of `topic`, read with paho-mqtt."""
        received: list[bytes] = []
        connected: list[int] = []
        client = paho.Client(paho.CallbackAPIVersion.VERSION2)
        client.username_pw_set(*credentials)
        client.on_connect = lambda c, _u, _f, reason, _p: (connected.append(reason.value), c.subscribe(topic))
        client.on_message = lambda _c, _u, message: received.append(message.payload)
        client.connect("127.0.0.1", self.port)
        client.loop_start()
        try:
            deadline = time.monotonic() + 3
            while not received and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            client.loop_stop()
            client.disconnect()
        if connected and connected[0] != 0:
            raise AssertionError(f"the broker refused {credentials[0]}: reason {connected[0]}")
        return received[0] if received else None


def login(simulator: TLSSimulator, environment: dict[str, str]) -> None:
    """`ckw2mqtt login --paste`: open the login address (the simulator approves at once) and paste the
    address it redirects to, as a user does on the add-on's page."""
    process = subprocess.Popen([str(ckw2mqtt_binary()), "login", "--paste"], env=environment, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        seen = []
        for line in process.stdout:
            seen.append(line)
            if line.strip().startswith("https://"):
                redirect = requests.get(line.strip(), verify=simulator.certificate, allow_redirects=False, timeout=10)
                assert redirect.status_code in (302, 303), f"{redirect.status_code}: {redirect.text[:300]}"
                process.stdin.write(redirect.headers["Location"] + "\n")
                process.stdin.flush()
                break
        output = "".join(seen) + process.communicate(timeout=30)[0]
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output


def run_script(directory: Path, supervisor: SupervisorStandIn, binary: Path, http_port: int, **test_settings: str) -> ManagedProcess:
    """run.sh under the bashio stand-in, with the add-on image's environment; `binary` is what the
    script finds as `ckw2mqtt` on PATH; `test_settings` are CKW2MQTT_* variables only a test needs."""
    bin_directory = directory / "bin"
    bin_directory.mkdir(parents=True, exist_ok=True)
    (bin_directory / "ckw2mqtt").unlink(missing_ok=True)
    (bin_directory / "ckw2mqtt").symlink_to(binary)
    environment = bridge_environment() | dockerfile_environment() | {
        "CKW2MQTT_BRIDGE_STATE_DIRECTORY": str(directory / "data"),
        "CKW2MQTT_HTTP_HOST": "127.0.0.1",
        "CKW2MQTT_HTTP_PORT": str(http_port),
        "SUPERVISOR_API": supervisor.url,
        "SUPERVISOR_TOKEN": supervisor.addon_token,
        "PATH": f"{bin_directory}:{os.environ['PATH']}",
    } | test_settings
    return ManagedProcess("add-on run.sh", [str(FAKE_BASHIO), str(ADDON / "run.sh")], directory / "run.log", env=environment)


@pytest.fixture
def simulator(run_directory: Path, pytestconfig: pytest.Config) -> Iterator[TLSSimulator]:
    simulator = TLSSimulator(run_directory / "addon-simulator", meters=3)
    conftest._managed(pytestconfig, simulator.process)
    try:
        simulator.start()
        yield simulator
    finally:
        simulator.process.stop()


@pytest.fixture
def password_broker(run_directory: Path, pytestconfig: pytest.Config) -> Iterator[PasswordBroker]:
    broker = PasswordBroker(run_directory / "addon-mosquitto")
    conftest._managed(pytestconfig, broker.process)
    try:
        broker.start()
        yield broker
    finally:
        broker.process.stop()


def add_on_options(**changes: Any) -> dict[str, Any]:
    """config.yaml's default options with the user's entries."""
    return addon_config()["options"] | changes


def test_the_add_on_bridges_the_meter_and_imports_statistics_through_the_supervisor(
    run_directory: Path, simulator: TLSSimulator, password_broker: PasswordBroker, home_assistant: HomeAssistantClient,
    pytestconfig: pytest.Config,
) -> None:
    directory = run_directory / "addon"
    now = simulator.freeze_clock()
    # The first customer's third meter: the other tests' bridges import the first two, so these
    # statistics can only come from the add-on.
    chosen = simulator.metering_points()[2]
    options = add_on_options(ckw_issuer=simulator.issuer, ckw_api_base_url=simulator.client_api, ckw_client_id="ckw2mqtt",
                             ckw_metering_points=[chosen], poll_interval="15m", lookback="1d",
                             statistics_backfill=f"{BACKFILL_DAYS}d")
    mqtt_service = {"addon": "core_mosquitto", "host": "127.0.0.1", "port": password_broker.port, "ssl": False,
                    "protocol": "3.1.1", "username": MQTT_USER[0], "password": MQTT_USER[1]}
    supervisor = SupervisorStandIn(options, mqtt_service, home_assistant.base_url, home_assistant.token)
    supervisor.start()
    process = run_script(directory, supervisor, ckw2mqtt_binary(), free_loopback_port(), CKW2MQTT_CKW_TLS_CA_FILE=str(simulator.certificate))
    conftest._managed(pytestconfig, process)
    # The login the add-on's page makes, here through the command line into the add-on's /data.
    login(simulator, {**bridge_environment(), "CKW2MQTT_CKW_ISSUER": simulator.issuer, "CKW2MQTT_CKW_API_BASE_URL": simulator.client_api,
                      "CKW2MQTT_CKW_CLIENT_ID": "ckw2mqtt", "CKW2MQTT_CKW_TLS_CA_FILE": str(simulator.certificate),
                      "CKW2MQTT_BRIDGE_STATE_DIRECTORY": process.env["CKW2MQTT_BRIDGE_STATE_DIRECTORY"]})
    statistic = f"ckw2mqtt:{chosen.lower()}_import"
    # The backfill starts within this hour; whether that hour is complete depends on the minute.
    first_hour = (now - dt.timedelta(days=BACKFILL_DAYS)).replace(minute=0, second=0, microsecond=0)
    expected = {hour: wh for hour, wh in simulator.hourly_import(chosen, first_hour, now).items() if hour > first_hour}
    assert len(expected) > 24 * BACKFILL_DAYS - 12, "the simulator delivered too little to compare"

    def stored() -> dict[dt.datetime, int]:
        if not process.is_running():
            raise GiveUp(f"run.sh exited with {process.exit_code()}: {supervisor.describe()}")
        rows = home_assistant.command("recorder/statistics_during_period", start_time=iso(first_hour - dt.timedelta(days=3)),
                                      end_time=iso(now + HOUR), statistic_ids=[statistic], period="hour", types=["state"])
        return {dt.datetime.fromtimestamp(row["start"] / 1000, dt.UTC): round(row["state"] * 1000) for row in rows.get(statistic, [])}

    process.start()
    try:
        # Exactly the simulator's hours since the backfill's start and nothing before it: the
        # statistics_backfill option (2 days, longer than the look-back option's 1 day) reached the bridge.
        wait_until(stored, lambda rows: min(rows, default=now) >= first_hour and {hour: wh for hour, wh in rows.items() if hour > first_hour} == expected,
                   timeout=TIMEOUT, what=f"Home Assistant's hourly statistics of {statistic} to equal the simulator's {len(expected)} hours from {iso(first_hour)}")
        assert supervisor.websocket_logins and set(supervisor.websocket_logins) == {"accepted"}, supervisor.describe()

        # The broker add-on's credentials reached the bridge: it is online on the password broker and
        # bridges only the chosen metering point.
        info = wait_until(lambda: password_broker.retained("ckw2mqtt/bridge/info"), lambda payload: payload is not None,
                          timeout=30, what="ckw2mqtt/bridge/info on the broker")
        assert json.loads(info)["metering_points"] == [chosen]
        assert password_broker.retained("ckw2mqtt/bridge/state") == b"online"
        # The web page's server is on (the image's CKW2MQTT_HTTP_ENABLED).
        assert requests.get(f"http://127.0.0.1:{process.env['CKW2MQTT_HTTP_PORT']}/healthz", timeout=10).status_code in (200, 503)
    finally:
        process.stop()
        supervisor.stop()


def run_check_config(directory: Path, options: dict[str, Any] | None, mqtt_service: dict[str, Any] | None) -> tuple[subprocess.CompletedProcess[str], ManagedProcess, SupervisorStandIn]:
    """run.sh with `ckw2mqtt check-config` in place of `ckw2mqtt run`."""
    directory.mkdir(parents=True, exist_ok=True)
    check_config = directory / "ckw2mqtt-check-config"
    check_config.write_text(f'#!/bin/sh\n# run.sh ends with `exec ckw2mqtt run`\nexec "{ckw2mqtt_binary()}" check-config\n')
    check_config.chmod(0o755)
    supervisor = SupervisorStandIn(options, mqtt_service, "http://127.0.0.1:9", "not used")
    supervisor.start()
    try:
        process = run_script(directory, supervisor, check_config, 9465)
        result = subprocess.run(process.argv, env=process.env, capture_output=True, text=True, timeout=60)
    finally:
        supervisor.stop()
    return result, process, supervisor


def effective_configuration(directory: Path, options: dict[str, Any], mqtt_service: dict[str, Any]) -> dict[str, Any]:
    """What the bridge makes of run.sh's settings, as `ckw2mqtt check-config` prints it."""
    result, process, supervisor = run_check_config(directory, options, mqtt_service)
    assert result.returncode == 0, result.stdout + result.stderr
    return yaml.safe_load(result.stdout) | {"_environment": process.env, "_supervisor": supervisor}


def test_every_option_and_the_mqtt_service_reach_the_bridge(run_directory: Path) -> None:
    """Every option set to something other than its default, in client_credentials mode, with a TLS broker."""
    points = ["CH1008801234500000000000000012345", "CH1008801234500000000000000067890"]
    options = add_on_options(
        ckw_mode="client_credentials", ckw_issuer="https://login.example.ch/auth/realms/CKW", ckw_api_base_url="https://api.example.ch/openenergy/",
        ckw_client_id="my-app", ckw_client_secret="app-secret", ckw_redirect_uri="https://ha.example.ch/ckw/callback",
        ckw_metering_points=points, poll_interval="25m", lookback="5d", surplus_threshold_watts=150.5,
        statistics=True, statistics_backfill="30d", log_level="debug")
    mqtt_service = {"addon": "core_mosquitto", "host": "core-mosquitto", "port": 8883, "ssl": True, "protocol": "3.1.1",
                    "username": "addons", "password": "broker-secret"}
    configuration = effective_configuration(run_directory / "addon-mapping", options, mqtt_service)
    supervisor: SupervisorStandIn = configuration["_supervisor"]
    mqtt, ckw, home_assistant = configuration["mqtt"], configuration["ckw"], configuration["homeassistant"]
    assert (mqtt["host"], mqtt["port"], mqtt["username"], mqtt["tls"]["enabled"]) == ("core-mosquitto", 8883, "addons", True)
    assert mqtt["password"] == "<redacted>"
    assert (ckw["mode"], ckw["issuer"], ckw["api_base_url"], ckw["client_id"], ckw["redirect_uri"]) == (
        "client_credentials", options["ckw_issuer"], options["ckw_api_base_url"], "my-app", options["ckw_redirect_uri"])
    assert ckw["client_secret"] == "<redacted>"
    assert ckw["metering_points"] == points
    assert (configuration["bridge"]["poll_interval"], configuration["bridge"]["lookback"]) == ("25m", "5d")
    assert configuration["bridge"]["state_directory"] == configuration["_environment"]["CKW2MQTT_BRIDGE_STATE_DIRECTORY"]
    assert float(home_assistant["surplus_threshold_watts"]) == 150.5
    assert configuration["logging"]["level"] == "debug"
    statistics = home_assistant["statistics"]
    assert (statistics["enabled"], statistics["url"], statistics["backfill"]) == (True, f"{supervisor.url}/core", "30d")
    assert statistics["token"] == "<redacted>"
    assert {key: configuration["http"][key] for key in ("enabled", "host", "port")} == {"enabled": True, "host": "127.0.0.1", "port": 9465}


def test_statistics_off_and_the_defaults(run_directory: Path) -> None:
    """config.yaml's defaults with only the required options: client mode, every metering point,
    and with `statistics` off no statistics and no token."""
    options = add_on_options(ckw_api_base_url="https://api.example.ch/openenergy/", ckw_client_id="ckw2mqtt", statistics=False)
    mqtt_service = {"addon": "core_mosquitto", "host": "core-mosquitto", "port": 1883, "ssl": False, "protocol": "3.1.1",
                    "username": "addons", "password": "broker-secret"}
    configuration = effective_configuration(run_directory / "addon-defaults", options, mqtt_service)
    assert configuration["ckw"]["mode"] == "client"
    assert configuration["ckw"]["issuer"] == "production"
    assert configuration["ckw"].get("metering_points") is None
    assert configuration["ckw"].get("client_secret") is None
    assert configuration["mqtt"]["tls"]["enabled"] is False
    assert configuration["homeassistant"]["statistics"]["enabled"] is False
    assert configuration["homeassistant"]["statistics"].get("token") is None
    assert (configuration["bridge"]["poll_interval"], configuration["bridge"]["lookback"]) == ("20m", "3d")


def test_without_an_mqtt_broker_the_add_on_says_what_to_install(run_directory: Path) -> None:
    options = add_on_options(ckw_api_base_url="https://api.example.ch/openenergy/", ckw_client_id="ckw2mqtt")
    result, _, _ = run_check_config(run_directory / "addon-no-broker", options, mqtt_service=None)
    assert result.returncode == 1
    assert "install and start the Mosquitto broker add-on" in result.stderr, result.stderr
    assert "effective configuration" not in result.stdout, "the bridge must not start without a broker"


def test_a_failed_supervisor_request_stops_the_add_on_before_the_bridge(run_directory: Path) -> None:
    """Not a bridge started without its options, which would complain about the wrong thing."""
    mqtt_service = {"addon": "core_mosquitto", "host": "core-mosquitto", "port": 1883, "ssl": False, "username": "addons", "password": "secret"}
    result, _, _ = run_check_config(run_directory / "addon-supervisor-fails", None, mqtt_service)
    assert result.returncode != 0
    assert "Starting ckw2mqtt" not in result.stderr, result.stderr
