"""Fixtures of the end-to-end tests: a private mosquitto, a real Home Assistant connected to it, and
`ckw2mqtt demo` publishing to it. They live for the whole run (Home Assistant takes seconds to start);
every process is stopped at the end, also after a failure, and a failing test's report carries the
end of every process's log."""

import signal
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from e2e.bridge import DemoBridge
from e2e.home_assistant import HomeAssistantInstance
from e2e.home_assistant_client import HomeAssistantClient
from e2e.mosquitto import MosquittoBroker
from e2e.mqtt_observer import MqttObserver
from e2e.polling import wait_until
from e2e.processes import ManagedProcess

# Three households; the first has solar panels, so both directions are covered.
DEMO_METERS = 3
# Simulated time runs this much faster: new intervals arrive while the tests run, as in real life.
DEMO_SPEED = 60
STARTUP_TIMEOUT = 60

_PROCESSES = pytest.StashKey[list[ManagedProcess]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_PROCESSES] = []
    # A cancelled CI job gets SIGTERM: unwind as on Ctrl-C, so that the fixtures stop their processes.
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(_signum: int, _frame: object) -> NoReturn:
    raise KeyboardInterrupt


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        for process in item.config.stash[_PROCESSES]:
            report.sections.append((f"{process.name} log (end)", process.log_tail()))
    return report


# The Energy dashboard test waits for Home Assistant's five-minute statistics run; running it last
# lets the other tests use that time.
_MODULE_ORDER = ["test_entities.py", "test_availability.py", "test_energy_dashboard.py"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def position(item: pytest.Item) -> int:
        name = item.path.name
        return _MODULE_ORDER.index(name) if name in _MODULE_ORDER else len(_MODULE_ORDER)

    items.sort(key=position)  # stable: tests keep their order within a module


def _managed(config: pytest.Config, process: ManagedProcess) -> ManagedProcess:
    config.stash[_PROCESSES].append(process)
    return process


@pytest.fixture(scope="session")
def run_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ckw2mqtt-e2e")


@pytest.fixture(scope="session")
def broker(run_directory: Path, pytestconfig: pytest.Config) -> Iterator[MosquittoBroker]:
    broker = MosquittoBroker(run_directory / "mosquitto")
    _managed(pytestconfig, broker.process)
    try:
        broker.start()
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def home_assistant(run_directory: Path, broker: MosquittoBroker, pytestconfig: pytest.Config) -> Iterator[HomeAssistantClient]:
    """Onboarded, with a long-lived token and the MQTT integration set up for the private broker."""
    instance = HomeAssistantInstance(run_directory / "home-assistant")
    _managed(pytestconfig, instance.process)
    try:
        client = instance.start()
        instance.configure_mqtt(broker.host, broker.port)
        yield client
    finally:
        instance.stop()


@pytest.fixture(scope="session")
def mqtt(broker: MosquittoBroker) -> Iterator[MqttObserver]:
    """Everything the bridge publishes, read with paho-mqtt."""
    observer = MqttObserver(broker.host, broker.port, ["ckw2mqtt/#", "homeassistant/device/+/config"])
    try:
        yield observer
    finally:
        observer.close()


@pytest.fixture(scope="session")
def bridge(run_directory: Path, broker: MosquittoBroker, home_assistant: HomeAssistantClient, pytestconfig: pytest.Config) -> Iterator[DemoBridge]:
    # Started after Home Assistant has MQTT, as a user would install them; the discovery configs are
    # retained, so the order does not matter to Home Assistant.
    bridge = DemoBridge(run_directory / "ckw2mqtt", broker.host, broker.port, meters=DEMO_METERS, speed=DEMO_SPEED)
    _managed(pytestconfig, bridge.process)
    try:
        yield bridge
    finally:
        bridge.stop()


@pytest.fixture
def running_bridge(bridge: DemoBridge, mqtt: MqttObserver) -> DemoBridge:
    """The bridge, (re)started if a previous test stopped it, and online."""
    bridge.ensure_running()
    wait_until(
        lambda: bridge.alive_and(lambda: mqtt.text("ckw2mqtt/bridge/state")),
        lambda state: state == "online",
        timeout=STARTUP_TIMEOUT,
        what="the bridge to publish online on ckw2mqtt/bridge/state",
    )
    return bridge


@pytest.fixture
def metering_points(running_bridge: DemoBridge, mqtt: MqttObserver) -> list[str]:
    """The demo's metering point ids, once the bridge has published a state for each."""

    def published() -> list[str]:
        info = mqtt.json("ckw2mqtt/bridge/info") or {}
        ids = info.get("metering_points") or []
        return [id for id in ids if mqtt.json(f"ckw2mqtt/{id}/state")]

    return wait_until(
        lambda: running_bridge.alive_and(published),
        lambda ids: len(ids) == DEMO_METERS,
        timeout=STARTUP_TIMEOUT,
        what=f"ckw2mqtt/bridge/info to list {DEMO_METERS} metering points, each with a state",
    )
