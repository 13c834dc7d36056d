"""Time for the sandbox: the real clock, or one that tests and rehearsals move by hand or run fast."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What the sandbox asks of time: wall-clock instants and a monotonic reading in seconds."""

    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock that only moves when told to (`advance`), for tests on a controlled clock."""

    def __init__(self, start: datetime | None = None) -> None:
        self._start = start or datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
        self._elapsed = 0.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._start + timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        with self._lock:
            return self._elapsed

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock cannot go back")
        with self._lock:
            self._elapsed += seconds


class ScaledClock:
    """The real clock run `factor` times faster, so that four hours of webhook retries pass in seconds."""

    def __init__(self, factor: float, start: datetime | None = None) -> None:
        if factor <= 0:
            raise ValueError("the speed factor must be positive")
        self.factor = factor
        self._start_wall = start or datetime.now(UTC)
        self._start_mono = time.monotonic()

    def now(self) -> datetime:
        return self._start_wall + timedelta(seconds=self.monotonic())

    def monotonic(self) -> float:
        return (time.monotonic() - self._start_mono) * self.factor
