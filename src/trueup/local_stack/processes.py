"""Child processes for `trueup demo`: started with their logs in files, waited for, stopped cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from trueup.domain.errors import TrueupError


class ProcessFailed(TrueupError):
    """A child process exited or never became ready; its log says why."""


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def trueup_command(*args: str) -> list[str]:
    """The argv that runs `trueup ARGS` with this interpreter (no reliance on PATH)."""
    return [sys.executable, "-m", "trueup", *args]


class ManagedProcess:
    """One child process whose output goes to `log_path`."""

    def __init__(self, name: str, argv: list[str], log_path: Path, env: dict[str, str] | None = None) -> None:
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self.env = {**os.environ, **(env or {})}
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> ManagedProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            self.argv, stdout=log, stderr=subprocess.STDOUT, env=self.env, start_new_session=True
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def resident_bytes(self) -> int | None:
        """The process's resident memory now (VmRSS of /proc/PID/status; None once it has exited or where /proc
        does not tell)."""
        if not self.alive():
            return None
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024  # kB
        return None

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def wait_for_port(self, port: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise ProcessFailed(f"{self.name} exited early; see {self.log_path}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise ProcessFailed(f"{self.name} did not listen on port {port} within {timeout:.0f} s; see {self.log_path}")

    def stop(self, timeout: float = 10.0) -> None:
        if not self.alive():
            return
        assert self._process is not None
        os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout)

    def kill(self) -> None:
        """SIGKILL, as a crash would: no cleanup, no goodbye."""
        if self.alive():
            assert self._process is not None
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
