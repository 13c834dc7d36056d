"""`generate_trading`: a reproducible plan of trading against a shop, as Shopify Admin GraphQL operations."""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass

from shopify_sandbox.spec import ShopSpec
from shopify_sandbox.trading import follow_ups, operations
from shopify_sandbox.trading.curve import arrival_seconds
from shopify_sandbox.trading.follow_ups import Operation, PlannedRefund
from shopify_sandbox.trading.order_inputs import order_create_variables
from shopify_sandbox.trading.orders import OrderFactory, PlannedOrder

ORDER_CREATE, ADDRESS_CHANGE, ORDER_EDIT, ORDER_CANCEL, REFUND = (
    "order_create",
    "address_change",
    "order_edit",
    "order_cancel",
    "refund",
)

# Share of orders that get each follow-up (at most one of edit / cancel / refund per order).
_FOLLOW_UP_RATES = {
    "ordinary": {ADDRESS_CHANGE: 0.05, ORDER_EDIT: 0.05, ORDER_CANCEL: 0.03, REFUND: 0.06},
    "black_friday": {ADDRESS_CHANGE: 0.04, ORDER_EDIT: 0.04, ORDER_CANCEL: 0.05, REFUND: 0.04},
}


@dataclass(frozen=True)
class TradeAction:
    """One thing that happens `at_seconds` after trading starts: one or more GraphQL operations sent
    in order (an edit is begin, change, commit). `order_position` is the order it creates or
    changes; `order` and `refund` carry the expected money, for checks."""

    at_seconds: float
    kind: str
    order_position: int
    operations: tuple[Operation, ...]
    order: PlannedOrder | None = None
    refund: PlannedRefund | None = None


def generate_trading(
    seed: int,
    shop: ShopSpec,
    *,
    orders: int | None = None,
    minutes: float | None = None,
    profile: str = "ordinary",
    follow_ups: bool = True,
    skus: Collection[str] | None = None,
) -> list[TradeAction]:
    """The plan: `orders` orders (or those of `minutes` minutes) arriving along the profile's curve
    ("ordinary" or "black_friday"), with their follow-ups (unless `follow_ups` is False), sorted by time.
    With `skus`, orders buy only those SKUs (a run on a few fast sellers). Same seed, same plan."""
    rng = random.Random(f"trade-{seed}-{profile}")
    factory = OrderFactory(shop, rng, skus)
    actions: list[TradeAction] = []
    for position, at in enumerate(arrival_seconds(rng, profile, orders=orders, minutes=minutes)):
        order = factory.order(position)
        variables = order_create_variables(order, tags=["trading", profile])
        actions.append(TradeAction(at, ORDER_CREATE, position, (Operation(operations.ORDER_CREATE, variables),), order))
        later = _follow_ups(order, at, rng, shop, seed, profile)  # drawn either way: same orders, same seed
        if follow_ups:
            actions.extend(later)
    if minutes is not None:
        actions = [action for action in actions if action.at_seconds <= minutes * 60]
    # Stable: an order is always created before anything that refers to it happens.
    return sorted(actions, key=lambda action: action.at_seconds)


def _follow_ups(
    order: PlannedOrder, at: float, rng: random.Random, shop: ShopSpec, seed: int, profile: str
) -> list[TradeAction]:
    rates = _FOLLOW_UP_RATES[profile]
    position = order.position
    actions = []
    # Address changes come early (60 s to 15 min), money changes later (17 min to 1 h), so a
    # cancelled order's address change still happens before the cancellation.
    if not order.is_b2b and rng.random() < rates[ADDRESS_CHANGE] and order.shipping is not None:
        when = at + rng.uniform(60, 900)
        actions.append(TradeAction(when, ADDRESS_CHANGE, position, follow_ups.address_change(order, rng)))
    when = at + rng.uniform(1000, 3600)
    roll = rng.random()
    if roll < rates[ORDER_CANCEL]:
        actions.append(TradeAction(when, ORDER_CANCEL, position, follow_ups.cancellation(order, rng)))
    elif roll < rates[ORDER_CANCEL] + rates[REFUND]:
        if order.financial_status == "PAID" and follow_ups.refundable_lines(order):
            key = f"trade-{seed}-{profile}-refund-{position}"
            operation, refund = follow_ups.partial_refund(order, rng, key, shop.locations[0].name)
            actions.append(TradeAction(when, REFUND, position, (operation,), refund=refund))
    elif roll < rates[ORDER_CANCEL] + rates[REFUND] + rates[ORDER_EDIT]:
        actions.append(TradeAction(when, ORDER_EDIT, position, follow_ups.edit(order, rng, shop)))
    return actions
