"""Parked orders for the console: filtered (shop, cause, since, SKU, order), grouped by cause with what to do."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from trueup.domain.errors import Cause
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.service_layer.ports import Store
from trueup.service_layer.status import exception_groups


@dataclass(frozen=True)
class ExceptionFilter:
    shop: str | None = None
    cause: Cause | None = None
    since: datetime | None = None  # parked at or after
    sku: str | None = None  # needing this SKU
    order: str | None = None  # name (#1042) or Shopify id

    def describe(self) -> str:
        """The filter in words, for the audit ("cause=sku_not_in_item_master shop=a.myshopify.com")."""
        parts = [f"{key}={value}" for key, value in asdict(self).items() if value not in (None, "")]
        return " ".join(parts) or "all"

    def matches(self, entry: LedgerEntry) -> bool:
        if self.cause is not None and entry.cause != self.cause:
            return False
        if self.since is not None and entry.state_since < self.since:
            return False
        if self.sku and self.sku not in entry.needs.get("skus", []):
            return False
        wanted = (self.order or "").strip()
        names = (entry.name, entry.name.removeprefix("#"), entry.order_id, entry.order_id.rsplit("/", 1)[-1])
        return not wanted or wanted in names


def matching_exceptions(store: Store, chosen: ExceptionFilter) -> list[LedgerEntry]:
    """The parked orders the filter matches, oldest parked first."""
    entries = [e for e in store.ledger_entries(OrderState.EXCEPTION, shop=chosen.shop) if chosen.matches(e)]
    return sorted(entries, key=lambda e: (e.state_since, e.order_id))


def exceptions_report(store: Store, chosen: ExceptionFilter, now: datetime, examples: int = 5) -> dict[str, Any]:
    """The matching parked orders by cause: count, what to do, the oldest's age, a few examples."""
    entries = matching_exceptions(store, chosen)
    oldest: dict[str, datetime] = {}
    for entry in entries:
        cause = str(entry.cause)
        oldest[cause] = min(oldest.get(cause, entry.state_since), entry.state_since)
    groups = [
        {**asdict(group), "oldest_seconds": (now - oldest[group.cause]).total_seconds()}
        for group in exception_groups(entries, examples)
    ]
    return {"filter": chosen.describe(), "total": len(entries), "groups": groups}
