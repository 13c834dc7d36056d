"""Stock in `trueup status`: what the inventory flow cannot do by itself, by cause with what to do, and the
drift the last reconciliation could not fix."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from trueup.domain.errors import WHAT_TO_DO, Cause
from trueup.domain.inventory import StockIssue
from trueup.service_layer.ports import Store


def stock_summary(store: Store, now: datetime, examples: int = 3, *, shop: str | None = None) -> dict[str, object]:
    """Issues by cause (count, what to do, a few examples, the oldest's age) and the open drift, of `shop` or of
    every shop."""
    by_cause: dict[str, list[tuple[StockIssue, datetime]]] = defaultdict(list)
    for issue, first_seen in store.stock_issues(shop):
        by_cause[issue.cause].append((issue, first_seen))
    issues = [
        {
            "cause": cause,
            "count": len(group),
            "what_to_do": WHAT_TO_DO[Cause(cause)] if cause in Cause.__members__.values() else "",
            "oldest_seconds": (now - min(seen for _, seen in group)).total_seconds(),
            "examples": [{"sku": i.sku, "where": i.location, "detail": i.detail} for i, _ in group[:examples]],
        }
        for cause, group in sorted(by_cause.items(), key=lambda item: -len(item[1]))
    ]
    drift = store.open_drift(shop)
    return {
        "issues": issues,
        "open_drift": len(drift),
        "open_drift_examples": [
            {"sku": d.sku, "location_id": d.location_id, "difference": d.difference, "since": d.since.isoformat()}
            for d in drift[:examples]
        ],
    }
