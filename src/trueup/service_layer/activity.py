"""Activity for the console: webhooks received and orders posted per minute, the backlog, and how long orders
take from first seen to posted in the ERP (p50, p95)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

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
    )
