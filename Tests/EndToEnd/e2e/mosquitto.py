"""A private mosquitto broker on a free loopback port, with its own configuration."""

import shutil
from pathlib import Path

from .polling import wait_until
from .ports import accepts_connections, free_loopback_port
from .processes import ManagedProcess


def mosquitto_executable() -> str:
    # Debian installs the broker in /usr/sbin, which is not on every user's PATH.
    found = shutil.which("mosquitto") or shutil.which("mosquitto", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise RuntimeError("mosquitto not found: install the Debian package 'mosquitto' (scripts/install-debian-packages)")
    return found


class MosquittoBroker:
    """Anonymous, in-memory, bound to 127.0.0.1 only: nothing outside the test can reach it."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.host = "127.0.0.1"
        self.port = free_loopback_port()
        config = directory / "mosquitto.conf"
        # stderr, which is unbuffered: mosquitto writes its log to stdout in blocks when that is not
        # a terminal, and a failure report must show what happened up to the failure.
        config.write_text(
            f"listener {self.port} {self.host}\n"
            "allow_anonymous true\n"
            "persistence false\n"
            "log_dest stderr\n"
            "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
            "connection_messages true\n"
            "log_timestamp_format %H:%M:%S\n"
        )
        self.process = ManagedProcess("mosquitto", [mosquitto_executable(), "-c", str(config)], directory / "mosquitto.log")

    def start(self) -> None:
        self.process.start()
        wait_until(
            lambda: (self.process.is_running(), accepts_connections(self.port)),
            lambda seen: seen[0] is False or seen[1],
            timeout=10,
            what=f"mosquitto to listen on port {self.port}",
        )
        if not self.process.is_running():
            raise RuntimeError(f"mosquitto exited with {self.process.exit_code()}:\n{self.process.log_tail()}")

    def stop(self) -> None:
        self.process.stop()
