"""A refund's money in the shop currency, derived from what was asked for in the presentment currency.

refundCreate takes its amounts in the order's presentment currency (RefundInput.currency), the currency the
customer paid in; the shop amounts follow from them at the order's rate, kept to the cent so that they add
up: refunding what the refunded lines and shipping are worth returns their shop value, a difference from it
(a refund discrepancy) is converted at the order's rate, and refunding the rest of what was paid returns
exactly the rest of the shop money received. In a single-currency order both amounts are the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from shopify_sandbox.models.orders import Order, OrderTransaction
from shopify_sandbox.money import ZERO, Currencies, MoneyBag, allocate, round_cents


def left_on(order: Order, paid: OrderTransaction, currencies: Currencies) -> MoneyBag:
    """What is left to refund of one payment: its amount less the refunds made against it."""
    assert paid.amount_set is not None
    back = [
        t.amount_set
        for t in order.transactions
        if t.kind == "REFUND" and t.status == "SUCCESS" and t.parent_transaction is paid and t.amount_set
    ]
    return paid.amount_set - currencies.total(back)


def refund_shop_total(asked: Decimal, received: MoneyBag, calculated: MoneyBag, currencies: Currencies) -> Decimal:
    """The shop amount of a refund of `asked` (presentment) from an order that has `received` left, for lines
    and shipping worth `calculated`."""
    if currencies.shop == currencies.presentment:
        return asked
    if asked == received.presentment:
        return received.shop
    shop = calculated.shop + round_cents((asked - calculated.presentment) / currencies.rate)
    if asked < received.presentment:
        # Rounding never takes more shop money than is left, nor gives a refund a negative shop amount.
        shop = min(max(shop, ZERO), received.shop)
    return shop


def transaction_shop_amounts(
    order: Order,
    requested: Sequence[tuple[OrderTransaction | None, Decimal]],
    shop_total: Decimal,
    currencies: Currencies,
) -> list[Decimal]:
    """`shop_total` split over the refund's transactions (parent, presentment amount): one that refunds the
    rest of its payment takes the rest of that payment's shop money, the others share what remains by amount."""
    if len(requested) == 1 or currencies.shop == currencies.presentment:
        return [shop_total] if len(requested) == 1 else [amount for _, amount in requested]
    pinned: dict[int, Decimal] = {}
    for index, (parent, amount) in enumerate(requested):
        if parent is not None and parent.amount_set is not None:
            left = left_on(order, parent, currencies)
            if amount == left.presentment:
                pinned[index] = left.shop
    rest = shop_total - sum(pinned.values(), ZERO)
    others = [index for index in range(len(requested)) if index not in pinned]
    if rest < 0 or (not others and rest != 0):
        pinned, rest, others = {}, shop_total, list(range(len(requested)))
    shares = dict(zip(others, allocate(rest, [requested[index][1] for index in others]), strict=True))
    return [pinned[index] if index in pinned else shares[index] for index in range(len(requested))]


def presentment_part(left: MoneyBag, presentment: Decimal, currencies: Currencies) -> MoneyBag:
    """`presentment` of an amount with `left` still to refund: all of it, or its share in the shop currency."""
    if presentment == left.presentment:
        return left
    if left.presentment:
        return currencies.bag(left.shop * presentment / left.presentment, presentment)
    return currencies.bag(presentment / currencies.rate, presentment)
