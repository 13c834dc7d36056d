"""A per-shop view of Shopify's cost bucket, so that steady use never hits THROTTLED.

Shopify admits a query when its requested cost fits in what the bucket holds, then refills the bucket
at the restore rate. Every answer carries the bucket as Shopify saw it (`throttleStatus`); the budget
keeps the last reading, projects the refill since, subtracts what other threads have in flight, and
makes a caller wait (within a bound) until the query will fit. Shared by every thread talking to one shop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from trueup.domain.errors import TransientError


@dataclass(frozen=True)
class ThrottleStatus:
    """Shopify's `extensions.cost.throttleStatus`."""

    maximum_available: float
    currently_available: float
    restore_rate: float


@dataclass(frozen=True)
class _Reading:
    status: ThrottleStatus
    read_at: float


class CostBudget:
    """Thread-safe. `clock` and `sleep` are injectable so tests run on a fake clock."""

    def __init__(
        self,
        *,
        max_wait: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._reading: _Reading | None = None
        self._in_flight = 0.0
        self._learned_costs: dict[str, int] = {}

    def estimate(self, operation_name: str, first_guess: int) -> int:
        """The requested cost Shopify reported last time for this operation, else `first_guess`."""
        with self._lock:
            return self._learned_costs.get(operation_name, first_guess)

    def acquire(self, cost: int) -> None:
        """Wait until a query of requested cost `cost` fits in the bucket, then reserve it.

        Raises TransientError (with the wait still needed) when that would take longer than `max_wait`.
        Without any reading yet, the query goes straight away: Shopify's answer gives the first reading.
        """
        waited = 0.0
        while True:
            wait = self._try_reserve(cost)
            if wait <= 0:
                return
            if waited + wait > self._max_wait:
                raise TransientError(f"Shopify cost budget exhausted for a {cost}-point query", retry_after=wait)
            self._sleep(wait)
            waited += wait

    def _try_reserve(self, cost: int) -> float:
        with self._lock:
            reading = self._reading
            if reading is None:
                self._in_flight += cost
                return 0.0
            status = reading.status
            # A query larger than the whole bucket can only be admitted by a full bucket.
            needed = min(float(cost), status.maximum_available)
            projected = self._projected_locked(reading) - self._in_flight
            if projected >= needed:
                self._in_flight += cost
                return 0.0
            if status.restore_rate <= 0:
                return self._max_wait + 1.0
            return (needed - projected) / status.restore_rate

    def _projected_locked(self, reading: _Reading) -> float:
        elapsed = max(self._clock() - reading.read_at, 0.0)
        status = reading.status
        return min(status.maximum_available, status.currently_available + elapsed * status.restore_rate)

    def settle(
        self,
        reserved: int,
        status: ThrottleStatus | None,
        *,
        operation_name: str | None = None,
        requested_cost: int | None = None,
    ) -> None:
        """Release a reservation once Shopify answered, and keep its reading of the bucket."""
        with self._lock:
            self._in_flight = max(self._in_flight - reserved, 0.0)
            if status is not None:
                self._reading = _Reading(status, self._clock())
            if operation_name is not None and requested_cost is not None:
                self._learned_costs[operation_name] = requested_cost

    def available_now(self) -> float | None:
        """What the bucket is projected to hold now, minus what is in flight (None before any reading)."""
        with self._lock:
            if self._reading is None:
                return None
            return self._projected_locked(self._reading) - self._in_flight
