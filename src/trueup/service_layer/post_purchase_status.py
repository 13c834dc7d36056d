"""What `trueup status` shows of changes after posting: orders in their hold window (and when each goes to
the ERP), and orders whose ERP sale was cancelled. Changes after the cut-off are among the exceptions."""

from __future__ import annotations

from datetime import datetime

from trueup.domain.ledger import OrderState
from trueup.service_layer.ports import Store


def held_orders(store: Store, now: datetime, examples: int = 10, *, shop: str | None = None) -> list[dict[str, object]]:
    """The held orders that end their window first: when each posts, and whether it is overdue (no worker ran
    it at its time: check that workers are running)."""
    held = sorted(
        (e for e in store.ledger_entries(OrderState.HELD, shop=shop) if e.held_until is not None),
        key=lambda e: (e.held_until, e.order_id),
    )
    return [
        {
            "order": e.name,
            "shop": e.shop,
            "held_until": e.held_until.isoformat(),
            "seconds_left": max((e.held_until - now).total_seconds(), 0.0),
            "overdue": e.held_until < now,
        }
        for e in held[:examples]
        if e.held_until is not None
    ]


def cancelled_orders(store: Store, examples: int = 3, *, shop: str | None = None) -> list[dict[str, str]]:
    """A few of the orders cancelled in Shopify after posting, with the ERP sale that was cancelled."""
    cancelled = sorted(store.ledger_entries(OrderState.CANCELLED, shop=shop), key=lambda e: e.state_since, reverse=True)
    return [{"order": e.name, "shop": e.shop, "erp_number": e.erp_number or ""} for e in cancelled[:examples]]
