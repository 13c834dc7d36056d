"""A per-shop view of Shopify's cost bucket, so that steady use never hits THROTTLED.

Shopify admits a query when its requested cost fits in what the bucket holds, then refills the bucket
at the restore rate. Every answer carries the bucket as Shopify saw it (`throttleStatus`); the budget
keeps the last reading, projects the refill since, subtracts what other threads have in flight, and
makes a caller wait (within a bound) until the query will fit. Shared by every thread talking to one shop.

Priorities: orders and fulfilments (ORDERS, the default) before inventory (INVENTORY). An inventory call
only goes while the projected bucket stays above a reserve kept for order calls: a share of the bucket, and at
least room for `order_calls_at_once` of the dearest order call seen (sent at the same instant, by this process
or by other workers sharing the shop); and never while an order call waits;
so a stock push can use the whole restore rate without ever making an order wait. The priority of a call
is set around it with `calls_at(Priority.INVENTORY)` (a context variable: the GraphQL layer needs no
change). Several processes: see docs/inventory-budget.md.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import IntEnum

from trueup.domain.errors import TransientError


class Priority(IntEnum):
    """Who goes first on a shop's budget: lower is more urgent."""

    ORDERS = 0  # orders, fulfilments, webhooks, everything not said otherwise
    INVENTORY = 1  # stock reads and writes: only above the reserve


_PRIORITY: ContextVar[Priority] = ContextVar("shopify_call_priority", default=Priority.ORDERS)

# The share of the bucket inventory calls leave for order calls (Standard: 500 of 2000 points, 5 s of refill).
DEFAULT_RESERVE_FRACTION = 0.25
# Order calls the reserve holds at once: two, so that two workers reading an order in the same instant are both
# admitted. An order read asks for ~350 of Standard's 2,000 points (line items 20 at a time), so the reserve
# stays near 700 points, what a stock push can leave aside and still use the restore rate (measured,
# docs/inventory-budget.md, "Several worker processes").
DEFAULT_ORDER_CALLS_AT_ONCE = 2
_POINT_TOLERANCE = 1e-6


@contextmanager
def calls_at(priority: Priority) -> Iterator[None]:
    """Run the Shopify calls made inside the block (in this thread or task) at `priority`."""
    token = _PRIORITY.set(priority)
    try:
        yield
    finally:
        _PRIORITY.reset(token)


def current_priority() -> Priority:
    return _PRIORITY.get()


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
        reserve_fraction: float = DEFAULT_RESERVE_FRACTION,
        inventory_max_wait: float = 120.0,
        order_calls_at_once: int = DEFAULT_ORDER_CALLS_AT_ONCE,
    ) -> None:
        if not 0 <= reserve_fraction < 1:
            raise ValueError("reserve_fraction must be within [0, 1)")
        if order_calls_at_once < 1:
            raise ValueError("order_calls_at_once must be at least 1")
        self._order_calls_at_once = order_calls_at_once
        self._max_wait = max_wait
        self._reserve_fraction = reserve_fraction
        self._inventory_max_wait = inventory_max_wait
        self._orders_waiting = 0
        self._dearest_order_call = 0  # the largest requested cost of an ORDERS call so far
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

    def expect_order_call(self, cost: int) -> None:
        """An order call of requested cost `cost` may come: keep room for it in the reserve from the start, even
        in a process that has made no order call yet (another process sharing the shop may be making them)."""
        with self._lock:
            self._dearest_order_call = max(self._dearest_order_call, cost)

    def acquire(self, cost: int, priority: Priority | None = None) -> None:
        """Wait until a query of requested cost `cost` fits in the bucket, then reserve it.

        `priority` defaults to the one set by `calls_at` (ORDERS outside any). An INVENTORY call also
        leaves the reserve in the bucket and lets any waiting ORDERS call go first. Raises TransientError
        (with the wait still needed) when that would take longer than the priority's longest wait.
        Without any reading yet, the query goes straight away: Shopify's answer gives the first reading.
        """
        urgency = current_priority() if priority is None else priority
        if urgency is Priority.ORDERS:
            with self._lock:
                self._dearest_order_call = max(self._dearest_order_call, cost)
        longest = self._max_wait if urgency is Priority.ORDERS else self._inventory_max_wait
        waited = 0.0
        waiting = False
        try:
            while True:
                wait = self._try_reserve(cost, urgency)
                if wait <= 0:
                    return
                if waited + wait > longest:
                    raise TransientError(f"Shopify cost budget exhausted for a {cost}-point query", retry_after=wait)
                if urgency is Priority.ORDERS and not waiting:
                    waiting = self._note_waiting(+1)
                self._sleep(wait)
                waited += wait
        finally:
            if waiting:
                self._note_waiting(-1)

    def _note_waiting(self, change: int) -> bool:
        with self._lock:
            self._orders_waiting += change
        return change > 0

    def _try_reserve(self, cost: int, priority: Priority = Priority.ORDERS) -> float:
        with self._lock:
            reading = self._reading
            if reading is None:
                self._in_flight += cost
                return 0.0
            status = reading.status
            # A query larger than the whole bucket can only be admitted by a full bucket.
            needed = min(float(cost), status.maximum_available)
            if priority is Priority.INVENTORY:
                reserve = max(
                    self._reserve_fraction * status.maximum_available,
                    self._order_calls_at_once * self._dearest_order_call,
                )
                needed = min(needed + reserve, status.maximum_available)
            projected = self._projected_locked(reading) - self._in_flight
            orders_first = priority is Priority.INVENTORY and self._orders_waiting > 0
            # A hair's breadth short (float arithmetic on the clock) counts as enough: never a 1e-14 s sleep.
            if projected >= needed - _POINT_TOLERANCE and not orders_first:
                self._in_flight += cost
                return 0.0
            if status.restore_rate <= 0:
                return self._max_wait + 1.0
            if orders_first:  # let the order calls take what is there, then look again
                return max(needed - projected, float(cost)) / status.restore_rate
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
