"""Factories for webhook deliveries and ledger entries, shared by storage and intake tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal

from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.domain.money import Money
from trueup.service_layer.ports import IncomingDelivery

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
_numbers = itertools.count(1)


def order_gid(number: int) -> str:
    return f"gid://shopify/Order/{number}"


def make_delivery(
    *,
    shop: str = "alpha.myshopify.com",
    topic: str = "orders/create",
    webhook_id: str | None = None,
    event_id: str | None = None,
    order_number: int | None = 1,
    received_at: datetime = T0,
    known_topic: bool = True,
    problem: str | None = None,
    body: bytes = b'{"id": 1}',
) -> IncomingDelivery:
    """A delivery as the intake would build it; ids are fresh unless given."""
    n = next(_numbers)
    return IncomingDelivery(
        shop=shop,
        topic=topic,
        webhook_id=webhook_id or f"wh-{n}",
        event_id=event_id or f"ev-{n}",
        api_version="2026-10",
        triggered_at="2026-11-27T09:00:00Z",
        headers={"x-shopify-topic": topic, "x-shopify-shop-domain": shop},
        body=body,
        received_at=received_at,
        order_id=order_gid(order_number) if order_number is not None else None,
        known_topic=known_topic,
        problem=problem,
    )


def make_entry(
    *,
    shop: str = "alpha.myshopify.com",
    order_number: int = 1,
    state: OrderState = OrderState.RECEIVED,
    at: datetime = T0,
    total: str | None = "12.30",
    **changes: object,
) -> LedgerEntry:
    """A ledger entry first seen and in its state since `at`."""
    shopify_total = Money(Decimal(total), "EUR") if total is not None else None
    entry = LedgerEntry(
        shop=shop,
        order_id=order_gid(order_number),
        name=f"#{1000 + order_number}",
        state=state,
        first_seen_at=at,
        state_since=at,
        shopify_total=shopify_total,
    )
    return entry if not changes else entry.moved_to(state, at, **changes)
