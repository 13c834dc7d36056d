"""The Admin API use of one shop, kept in memory minute by minute as calls are answered (no I/O per call):
the worker takes the finished minutes and adds them to the store, once per shop and minute."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from trueup.adapters.shopify.cost_budget import ThrottleStatus
from trueup.domain.api_usage import ApiUsage, minute_of


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ApiUsageMeter:
    """Thread-safe; shared by every thread calling one shop (the ApiUsageSource port)."""

    def __init__(self, shop: str, now: Callable[[], datetime] = _utc_now) -> None:
        self.shop = shop
        self._now = now
        self._lock = threading.Lock()
        self._minutes: dict[datetime, ApiUsage] = {}

    def record(
        self,
        status: ThrottleStatus | None,
        *,
        requested_cost: int | None = None,
        actual_cost: int | None = None,
        throttled: bool = False,
    ) -> None:
        """One call answered (or failed): its cost and the bucket as Shopify reported them, if it did."""
        minute = minute_of(self._now())
        seen = ApiUsage(
            self.shop,
            minute,
            calls=1,
            throttled=int(throttled),
            requested_cost=requested_cost or 0,
            actual_cost=actual_cost or 0,
            lowest_available=status.currently_available if status else None,
            maximum_available=status.maximum_available if status else None,
            restore_rate=status.restore_rate if status else None,
        )
        with self._lock:
            kept = self._minutes.get(minute)
            self._minutes[minute] = kept.merged(seen) if kept else seen

    def take_usage(self, before: datetime | None = None) -> list[ApiUsage]:
        """The minutes that began before `before` (all of them when None), oldest first, and forget them."""
        with self._lock:
            done = sorted(m for m in self._minutes if before is None or m < before)
            return [self._minutes.pop(m) for m in done]
