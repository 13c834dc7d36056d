"""Shopify's Admin API as a shop's workers used it, minute by minute: calls, the cost points Shopify asked
for and charged, its THROTTLED answers, and the lowest the shop's cost bucket fell (`throttleStatus`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


def _lower(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


def _higher(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else max(a, b)


@dataclass(frozen=True)
class ApiUsage:
    """One shop's calls to the Admin API in one minute (UTC, floored to the minute)."""

    shop: str
    minute: datetime
    calls: int = 0
    throttled: int = 0  # answers THROTTLED (or HTTP 429)
    requested_cost: int = 0  # Shopify's requestedQueryCost, summed
    actual_cost: int = 0  # Shopify's actualQueryCost, summed: the points the bucket gave
    lowest_available: float | None = None  # the lowest `currentlyAvailable` Shopify reported in the minute
    maximum_available: float | None = None  # the bucket's size
    restore_rate: float | None = None  # points per second

    def merged(self, other: ApiUsage) -> ApiUsage:
        """This minute and `other` (the same shop and minute, seen by another process) as one."""
        return ApiUsage(
            self.shop,
            self.minute,
            self.calls + other.calls,
            self.throttled + other.throttled,
            self.requested_cost + other.requested_cost,
            self.actual_cost + other.actual_cost,
            _lower(self.lowest_available, other.lowest_available),
            _higher(self.maximum_available, other.maximum_available),
            _higher(self.restore_rate, other.restore_rate),
        )

    def budget_used_percent(self) -> int | None:
        """How much of the bucket was in use at its emptiest in the minute, in percent (None without a reading)."""
        if self.lowest_available is None or not self.maximum_available:
            return None
        used = 1 - max(self.lowest_available, 0.0) / self.maximum_available
        return round(min(max(used, 0.0), 1.0) * 100)


def minute_of(moment: datetime) -> datetime:
    """`moment` floored to its minute."""
    return moment.replace(second=0, microsecond=0)
