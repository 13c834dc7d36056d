"""Activity for the console: webhooks received and orders posted per minute, the backlog, how long orders
take from first seen to posted in the ERP (p50, p95), and Shopify's API budget used and THROTTLED answers per
minute (what the workers stored, api_usage)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from trueup.domain.api_usage import ApiUsage
from trueup.service_layer.ports import History, Store


@dataclass(frozen=True)
class Activity:
    since: str
    minutes: list[str]  # HH:MM, oldest first, every minute of the window
    received: list[int]
    posted: list[int]
    backlog: int
    retrying: int
    delay_p50_seconds: float | None
    delay_p95_seconds: float | None
    delays_measured: int
    api_calls: list[int]  # Shopify Admin API calls, every shop
    api_points: list[int]  # cost points Shopify charged (actualQueryCost), every shop
    api_budget_used_percent: list[int]  # the fullest any shop's cost bucket was used in the minute (0 without calls)
    throttled: list[int]  # THROTTLED answers, every shop
    api_points_allowed_per_minute: int | None  # what the shops' restore rates refill in a minute (last reading)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile of `values` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil(n × fraction), at least the first
    return ordered[int(rank) - 1]


def activity(store: Store, history: History, now: datetime, minutes: int = 60, shop: str | None = None) -> Activity:
    """The last `minutes` minutes, minute by minute."""
    start = (now - timedelta(minutes=minutes - 1)).replace(second=0, microsecond=0)
    slots = [start + timedelta(minutes=i) for i in range(minutes)]
    received = history.received_per_minute(start, shop)
    posted = history.posted_per_minute(start, shop)
    delays = history.posting_delays(start, shop)
    usage = store.api_usage(start, shop)
    by_minute: dict[datetime, list[ApiUsage]] = {}
    for sample in usage:
        by_minute.setdefault(sample.minute, []).append(sample)
    return Activity(
        since=start.isoformat(),
        minutes=[slot.strftime("%H:%M") for slot in slots],
        received=[received.get(slot, 0) for slot in slots],
        posted=[posted.get(slot, 0) for slot in slots],
        backlog=store.pending_jobs(),
        retrying=store.retrying_jobs(),
        delay_p50_seconds=percentile(delays, 0.5),
        delay_p95_seconds=percentile(delays, 0.95),
        delays_measured=len(delays),
        api_calls=[sum(u.calls for u in by_minute.get(slot, [])) for slot in slots],
        api_points=[sum(u.actual_cost for u in by_minute.get(slot, [])) for slot in slots],
        api_budget_used_percent=[_fullest(by_minute.get(slot, [])) for slot in slots],
        throttled=[sum(u.throttled for u in by_minute.get(slot, [])) for slot in slots],
        api_points_allowed_per_minute=_allowed_per_minute(usage),
    )


def _fullest(minute: list[ApiUsage]) -> int:
    return max((used for u in minute if (used := u.budget_used_percent()) is not None), default=0)


def _allowed_per_minute(usage: list[ApiUsage]) -> int | None:
    """The restore rates of the shops seen, by each shop's last reading, as points a minute."""
    rates = {u.shop: u.restore_rate for u in usage if u.restore_rate is not None}  # later minutes win
    return round(sum(rates.values()) * 60) if rates else None
