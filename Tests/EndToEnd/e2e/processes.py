"""Child processes with their output in a log file, stopped reliably at the end of a test run."""

import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

# How much of a log a failure report shows: the end is where the trouble is.
LOG_TAIL_LINES = 150


class ManagedProcess:
    """One child process; stdout and stderr both go to `log_path` (appended across restarts)."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError(f"{self.name} was never started")
        return self._process.pid

    def start(self) -> None:
        if self.is_running():
            raise RuntimeError(f"{self.name} is already running (pid {self.pid})")
        with self.log_path.open("ab") as log:
            log.write(f"--- {self.name}: {' '.join(self.argv)}\n".encode())
            log.flush()
            self._process = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.cwd,
            )

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def exit_code(self) -> int | None:
        return None if self._process is None else self._process.poll()

    def send_signal(self, signum: int) -> None:
        if self.is_running():
            self._process.send_signal(signum)

    def wait(self, timeout: float) -> int:
        if self._process is None:
            raise RuntimeError(f"{self.name} was never started")
        return self._process.wait(timeout=timeout)

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM, and SIGKILL if the process has not exited within `timeout` seconds."""
        if not self.is_running():
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
            with self.log_path.open("a") as log:
                log.write(f"--- {self.name}: did not stop within {timeout:g} s of SIGTERM, killed\n")

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        if not self.log_path.exists():
            return "(no output)"
        text = self.log_path.read_text(errors="replace").splitlines()
        skipped = len(text) - lines
        shown = text[-lines:] if skipped > 0 else text
        header = [f"... {skipped} earlier lines in {self.log_path}"] if skipped > 0 else []
        return "\n".join(header + shown)


def environment(**overrides: str) -> dict[str, str]:
    """The test run's environment with `overrides` applied."""
    env = dict(os.environ)
    env.update(overrides)
    return env
