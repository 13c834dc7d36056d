"""A month of trading on the sandbox clock, with the payments mix a month-end close has to account for.

The orders and their follow-ups (edits, address changes, cancellations, partial refunds) are the ordinary
trading plan's, spread over the month. On top of them, drawn from the plan's own seed so a month replays:
- a few orders paid partly or wholly with a gift card, and one through PayPal (no Shopify Payments money);
- authorized orders captured a day or so later (`orderCapture`; the account's failed-capture knob makes
  some captures fail, as a declined card does);
- B2B orders on payment terms, paid later outside Shopify (`orderMarkAsPaid`) when their terms fall in the month;
- Shopify's side (`ShopEvent`, played through the sandbox's control endpoints): a second payout currency,
  a chargeback won and one lost, a reserve held and released, a payout that fails after it was paid.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from shopify_sandbox.spec import ShopSpec
from shopify_sandbox.trading import operations, refs
from shopify_sandbox.trading.follow_ups import Operation
from shopify_sandbox.trading.order_inputs import money_bag
from shopify_sandbox.trading.order_money import Money
from shopify_sandbox.trading.orders import PlannedOrder
from shopify_sandbox.trading.plan import ORDER_CANCEL, ORDER_CREATE, ORDER_EDIT, REFUND, TradeAction, generate_trading

DAY = 86_400.0
ORDERS_PER_DAY = 12
CAPTURE, MARK_PAID = "capture", "mark_paid"
SETTINGS, DISPUTE_OPEN, DISPUTE_CLOSE, RESERVE_HOLD, PAYOUT_FAIL = (
    "settings",
    "dispute_open",
    "dispute_close",
    "reserve_hold",
    "payout_fail",
)


@dataclass(frozen=True)
class ShopEvent:
    """Something Shopify does on its side `at_seconds` into the month, through the sandbox's control endpoints."""

    at_seconds: float
    kind: str
    body: dict[str, Any] = field(default_factory=dict)
    order_position: int | None = None
    label: str | None = None  # names a dispute, for the event that closes it


@dataclass(frozen=True)
class MonthPlan:
    days: int
    actions: list[TradeAction]
    events: list[ShopEvent]
    cases: dict[str, list[int]]  # order positions by special case, for tests and the summary

    @property
    def orders(self) -> int:
        return sum(1 for action in self.actions if action.kind == ORDER_CREATE)


def generate_month(
    seed: int,
    shop: ShopSpec,
    *,
    days: int = 30,
    orders: int | None = None,
    payout_currencies: tuple[str, ...] = ("CAD",),
    capture_failure_rate: float = 0.15,
) -> MonthPlan:
    """`orders` orders (12 a day by default) over `days` days with their follow-ups and the payments mix.
    `payout_currencies` are paid out as such besides the shop's own currency. Same seed, same month."""
    if days < 7:
        raise ValueError("a month of trading needs at least 7 days (a dispute is won or lost within them)")
    base = generate_trading(seed, shop, orders=orders or ORDERS_PER_DAY * days)
    span = max((action.at_seconds for action in base), default=1.0) or 1.0
    scale = (days - 1.5) * DAY / span  # the last day and a half: captures and payouts catch up
    actions = [replace(action, at_seconds=round(action.at_seconds * scale, 3)) for action in base]
    rng = random.Random(f"month-{seed}")
    creates = {a.order_position: a for a in actions if a.kind == ORDER_CREATE}
    touched = {a.order_position for a in actions if a.kind in (REFUND, ORDER_CANCEL, ORDER_EDIT)}
    cases: dict[str, list[int]] = {}
    clean = [p for p, a in sorted(creates.items()) if _plainly_paid(a.order) and p not in touched]
    if len(clean) < 10:
        raise ValueError(f"too few plainly paid orders ({len(clean)}) for a month's payments mix: trade more orders")
    actions = _other_gateways(actions, clean, rng, cases)
    actions += _captures(creates, touched, rng, cases, days)
    actions += _payments_on_terms(creates, rng, cases, days)
    events = _shop_events(shop, clean, creates, cases, days, payout_currencies, capture_failure_rate, seed)
    actions.sort(key=lambda action: action.at_seconds)
    events.sort(key=lambda event: event.at_seconds)
    return MonthPlan(days, actions, events, cases)


def _plainly_paid(order: PlannedOrder | None) -> bool:
    return (
        order is not None
        and order.financial_status == "PAID"
        and not order.is_b2b
        and order.presentment_currency == order.shop_currency
    )


def _other_gateways(
    actions: list[TradeAction], clean: list[int], rng: random.Random, cases: dict[str, list[int]]
) -> list[TradeAction]:
    """Gift cards on about one order in twenty (one paid wholly by gift card), one order paid through PayPal."""
    chosen = clean[2::7]  # clear of the orders kept for disputes (the first ones)
    gift_cards = chosen[: max(3, len(chosen) // 3)]
    paypal = chosen[len(gift_cards)] if len(chosen) > len(gift_cards) else None
    cases["gift_card"], cases["paypal"] = gift_cards, [paypal] if paypal is not None else []
    changed = []
    for action in actions:
        position = action.order_position
        if action.kind == ORDER_CREATE and action.order and (position in gift_cards or position == paypal):
            total = action.order.totals.total.shop
            if position == paypal:
                parts = [("paypal", total)]
            elif position == gift_cards[0]:
                parts = [("gift_card", total)]
            else:
                card = min(Decimal(rng.choice((10, 25, 50))), (total / 2).quantize(Decimal("0.01")))
                parts = [("shopify_payments", total - card), ("gift_card", card)]
            action = _paid_with(action, parts)
        changed.append(action)
    return changed


def _paid_with(action: TradeAction, parts: list[tuple[str, Decimal]]) -> TradeAction:
    assert action.order is not None
    [operation] = action.operations
    variables = dict(operation.variables)
    order_input = dict(variables["order"])
    order_input["transactions"] = [
        {
            "kind": "SALE",
            "status": "SUCCESS",
            "gateway": gateway,
            "amountSet": money_bag(Money(part, part), action.order),
        }
        for gateway, part in parts
    ]
    variables["order"] = order_input
    return replace(action, operations=(Operation(operation.query, variables),))


def _captures(
    creates: dict[int, TradeAction], touched: set[int], rng: random.Random, cases: dict[str, list[int]], days: int
) -> list[TradeAction]:
    """Authorized orders are captured a few hours to three days later, in full."""
    captures = []
    for position, create in sorted(creates.items()):
        order = create.order
        if order is None or order.financial_status != "AUTHORIZED" or position in touched:
            continue
        when = create.at_seconds + rng.uniform(0.2, 3.0) * DAY
        if when >= (days - 0.5) * DAY:
            continue
        capture_input = {
            "id": refs.order(position),
            "parentTransactionId": refs.order_authorization(position),
            "amount": str(order.totals.total.presentment),
            "currency": order.presentment_currency,
        }
        operation = Operation(operations.ORDER_CAPTURE, {"input": capture_input})
        captures.append(TradeAction(when, CAPTURE, position, (operation,)))
        cases.setdefault("captured", []).append(position)
    return captures


def _payments_on_terms(
    creates: dict[int, TradeAction], rng: random.Random, cases: dict[str, list[int]], days: int
) -> list[TradeAction]:
    """B2B orders on payment terms are paid by bank transfer some days later and marked as paid in Shopify."""
    paid = []
    for position, create in sorted(creates.items()):
        if create.order is None or not create.order.is_b2b:
            continue
        when = create.at_seconds + rng.uniform(3, 20) * DAY
        if when >= (days - 0.5) * DAY:
            cases.setdefault("b2b_open", []).append(position)  # its terms run past the month
            continue
        operation = Operation(operations.ORDER_MARK_AS_PAID, {"input": {"id": refs.order(position)}})
        paid.append(TradeAction(when, MARK_PAID, position, (operation,)))
        cases.setdefault("b2b_paid_later", []).append(position)
    return paid


def _shop_events(
    shop: ShopSpec,
    clean: list[int],
    creates: dict[int, TradeAction],
    cases: dict[str, list[int]],
    days: int,
    payout_currencies: tuple[str, ...],
    capture_failure_rate: float,
    seed: int,
) -> list[ShopEvent]:
    currencies = [shop.currency, *(c for c in payout_currencies if c != shop.currency)]
    settings = {
        "payoutCurrencies": currencies,
        "captureFailureRate": capture_failure_rate,
        "captureFailureSeed": seed,
    }
    events = [ShopEvent(0.0, SETTINGS, settings)]
    for label, position, won, closes in (("won", clean[0], True, 9), ("lost", clean[1], False, 11)):
        opened = creates[position].at_seconds + 2 * DAY
        events.append(ShopEvent(opened, DISPUTE_OPEN, {"reason": "FRAUDULENT"}, position, label))
        events.append(ShopEvent(opened + closes * DAY, DISPUTE_CLOSE, {"won": won}, position, label))
        cases[f"chargeback_{label}"] = [position]
    events.append(ShopEvent(4.4 * DAY, RESERVE_HOLD, {"amount": "250.00", "days": 14, "reason": "Rolling reserve"}))
    events.append(ShopEvent(min(12.4 * DAY, (days - 2) * DAY), PAYOUT_FAIL, {"reason": "Account closed"}))
    return events
