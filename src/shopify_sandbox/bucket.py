"""Shopify's leaky bucket of query cost points, per app and shop, on an injected clock."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from shopify_sandbox.clock import Clock


@dataclass(frozen=True)
class Plan:
    name: str
    maximum_available: int
    restore_rate: int


PLANS = {
    "standard": Plan("standard", 2000, 100),
    "advanced": Plan("advanced", 4000, 200),
    "plus": Plan("plus", 20000, 1000),
    "enterprise": Plan("enterprise", 40000, 2000),
}


@dataclass(frozen=True)
class ThrottleStatus:
    maximum_available: int
    currently_available: int
    restore_rate: int

    def as_json(self) -> dict[str, int]:
        return {
            "maximumAvailable": self.maximum_available,
            "currentlyAvailable": self.currently_available,
            "restoreRate": self.restore_rate,
        }


class LeakyBucket:
    """Points available, refilled at the plan's restore rate up to its maximum.

    A query is admitted when its requested cost is available; it is then charged the requested cost, and
    the difference to the actual cost is refunded once the answer is known.
    """

    def __init__(self, plan: Plan, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.plan = plan
        self._available = float(plan.maximum_available)
        self._last = clock.monotonic()

    def _refill(self) -> None:
        now = self._clock.monotonic()
        elapsed = max(0.0, now - self._last)
        self._last = now
        self._available = min(float(self.plan.maximum_available), self._available + elapsed * self.plan.restore_rate)

    def try_take(self, cost: int) -> bool:
        """Take `cost` points if they are available now; False (nothing taken) if not."""
        with self._lock:
            self._refill()
            if cost > self._available:
                return False
            self._available -= cost
            return True

    def refund(self, points: int) -> None:
        with self._lock:
            self._refill()
            self._available = min(float(self.plan.maximum_available), self._available + points)

    def set_plan(self, plan: Plan) -> None:
        """Change the plan at run time; what is available is kept, capped at the new maximum."""
        with self._lock:
            self._refill()
            self.plan = plan
            self._available = min(self._available, float(plan.maximum_available))

    def status(self) -> ThrottleStatus:
        with self._lock:
            self._refill()
            return ThrottleStatus(self.plan.maximum_available, int(self._available), self.plan.restore_rate)


class Buckets:
    """One bucket per (access token, shop domain), all on the same plan."""

    def __init__(self, plan: Plan, clock: Clock) -> None:
        self.plan = plan
        self._clock = clock
        self._buckets: dict[tuple[str, str], LeakyBucket] = {}
        self._lock = threading.Lock()

    def bucket(self, token: str, shop_domain: str) -> LeakyBucket:
        with self._lock:
            key = (token, shop_domain)
            if key not in self._buckets:
                self._buckets[key] = LeakyBucket(self.plan, self._clock)
            return self._buckets[key]

    def set_plan(self, plan: Plan) -> None:
        with self._lock:
            self.plan = plan
            for bucket in self._buckets.values():
                bucket.set_plan(plan)
