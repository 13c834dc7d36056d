"""Parked orders for the console: filtered (shop, cause, since, SKU, order), grouped by cause with what to do."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from trueup.domain.errors import WHAT_TO_DO, Cause
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.service_layer.ports import History, Store


@dataclass(frozen=True)
class ExceptionFilter:
    shop: str | None = None
    cause: Cause | None = None
    since: datetime | None = None  # parked at or after
    sku: str | None = None  # named by what the order's cause needs (e.g. the unknown SKU)
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
        if self.sku and json.dumps(self.sku) not in json.dumps(entry.needs):  # as the store's filter does
            return False
        wanted = (self.order or "").strip()
        names = (entry.name, entry.name.removeprefix("#"), entry.order_id, entry.order_id.rsplit("/", 1)[-1])
        return not wanted or wanted in names


def matching_exceptions(store: Store, chosen: ExceptionFilter) -> list[LedgerEntry]:
    """The parked orders the filter matches, oldest parked first."""
    entries = [e for e in store.ledger_entries(OrderState.EXCEPTION, shop=chosen.shop) if chosen.matches(e)]
    return sorted(entries, key=lambda e: (e.state_since, e.order_id))


def exceptions_report(
    history: History, chosen: ExceptionFilter, now: datetime, examples: int = 5, details: bool = True
) -> dict[str, Any]:
    """The matching parked orders by cause, largest first: count, what to do, the oldest's age, a few examples
    (counted and picked by the store: the page never reads every parked order). `details=False` (viewers) leaves
    out the details, which can quote what the ERP said about a customer."""
    groups = history.parked_groups(chosen.shop, chosen.cause, chosen.since, chosen.sku, chosen.order, examples)
    return {
        "filter": chosen.describe(),
        "total": sum(group.count for group in groups),
        "groups": [
            {
                "cause": str(group.cause),
                "count": group.count,
                "what_to_do": WHAT_TO_DO[group.cause],
                "oldest_seconds": (now - group.oldest).total_seconds(),
                "examples": [{"order": e.name, "detail": (e.detail or "") if details else ""} for e in group.examples],
            }
            for group in groups
        ],
    }
