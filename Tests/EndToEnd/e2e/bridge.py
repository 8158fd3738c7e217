"""The bridge under test: `ckw2mqtt demo` (simulated CKW, real bridge) against the test's broker."""

import os
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .polling import GiveUp
from .processes import ManagedProcess

T = TypeVar("T")

REPOSITORY = Path(__file__).resolve().parents[3]
STOP_TIMEOUT = 20


def ckw2mqtt_binary() -> Path:
    """$CKW2MQTT_BIN, else the binary of the default SwiftPM build (not built here: scripts/test builds)."""
    if configured := os.environ.get("CKW2MQTT_BIN"):
        binary = Path(configured)
    else:
        bin_path = subprocess.run(
            ["swift", "build", "--show-bin-path"], cwd=REPOSITORY, check=True, capture_output=True, text=True
        ).stdout.strip()
        binary = Path(bin_path) / "ckw2mqtt"
    if not os.access(binary, os.X_OK):
        raise RuntimeError(f"{binary} is not an executable: build it with 'swift build --product ckw2mqtt' or set CKW2MQTT_BIN")
    return binary


def bridge_environment() -> dict[str, str]:
    """The test run's environment without CKW2MQTT_* variables: the bridge rejects names it does not
    know (CKW2MQTT_BIN is the test runner's), and a developer's own settings must not change what is
    tested. Everything the test wants is on the command line."""
    return {name: value for name, value in os.environ.items() if not name.startswith("CKW2MQTT_")}


class DemoBridge:
    """`ckw2mqtt demo` with a persistent state directory, so a restart continues where it stopped."""

    def __init__(self, directory: Path, mqtt_host: str, mqtt_port: int, meters: int, speed: float) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        # Created by the bridge itself, which insists on a private directory for the login tokens.
        state_directory = directory / "state"
        self.process = ManagedProcess(
            "ckw2mqtt",
            [
                str(ckw2mqtt_binary()),
                "demo",
                "--mqtt-host", mqtt_host,
                "--mqtt-port", str(mqtt_port),
                "--state-directory", str(state_directory),
                "--meters", str(meters),
                "--speed", f"{speed:g}",
                "--log-level", "debug",
            ],
            directory / "ckw2mqtt.log",
            env=bridge_environment(),
        )

    def start(self) -> None:
        self.process.start()

    def ensure_running(self) -> None:
        if not self.process.is_running():
            self.start()

    def alive_and(self, observe: Callable[[], T]) -> T:
        """`observe()`, unless the bridge has exited: then there is nothing to wait for."""
        if not self.process.is_running():
            raise GiveUp(f"ckw2mqtt exited with {self.process.exit_code()}")
        return observe()

    def terminate(self) -> int:
        """SIGTERM, as systemd stops it; returns the exit code."""
        return self._signal_and_wait(signal.SIGTERM)

    def kill(self) -> int:
        """SIGKILL: no chance to say goodbye, only the broker's will speaks for it."""
        return self._signal_and_wait(signal.SIGKILL)

    def stop(self) -> None:
        self.process.stop(timeout=STOP_TIMEOUT)

    def _signal_and_wait(self, signum: int) -> int:
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"ckw2mqtt did not exit within {STOP_TIMEOUT} s of {signal.Signals(signum).name}") from None
