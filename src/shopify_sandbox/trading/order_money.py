"""The money of a generated order, exact: lines, discount allocations, shipping, tax lines, totals.

Every amount is whole cents in the shop currency and, converted piece by piece at the order's rate,
in the presentment currency; totals are sums of those pieces, so they balance in both currencies
by construction: items − discounts + shipping + tax = total.

Conventions (Shopify publishes no formula for them): half-up rounding to the cent; a percentage
code takes its percentage of each line, rounded line by line; a fixed code is allocated by largest
remainder, in proportion to each line's subtotal; each tax line is rounded on its own line's
discounted amount.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`total` split in proportion to `weights`; the parts are whole cents and sum to `total` exactly
    (each part gets its floor, the cents left over go to the largest remainders, earliest first)."""
    if not weights:
        return []
    if sum(weights) == 0:
        weights = [Decimal(1)] * len(weights)
    weight_sum = sum(weights, Decimal(0))
    shares = [total * weight / weight_sum for weight in weights]
    parts = [share.quantize(CENT, rounding=ROUND_FLOOR) for share in shares]
    leftover_cents = int(((total - sum(parts, Decimal(0))) / CENT).to_integral_value())
    largest_remainders = sorted(range(len(shares)), key=lambda i: (parts[i] - shares[i], i))
    for index in largest_remainders[:leftover_cents]:
        parts[index] += CENT
    return parts


@dataclass(frozen=True)
class Money:
    """One amount in the shop currency and in the presentment currency."""

    shop: Decimal
    presentment: Decimal

    def __add__(self, other: Money) -> Money:
        return Money(self.shop + other.shop, self.presentment + other.presentment)

    def __sub__(self, other: Money) -> Money:
        return Money(self.shop - other.shop, self.presentment - other.presentment)

    def times(self, quantity: int) -> Money:
        return Money(self.shop * quantity, self.presentment * quantity)

    def is_cents(self) -> bool:
        return cents(self.shop) == self.shop and cents(self.presentment) == self.presentment


ZERO = Money(Decimal("0.00"), Decimal("0.00"))


def total(amounts: Iterable[Money]) -> Money:
    result = ZERO
    for amount in amounts:
        result = result + amount
    return result


@dataclass(frozen=True)
class TaxLine:
    title: str
    rate: Decimal
    amount: Money


@dataclass(frozen=True)
class OrderLine:
    sku: str
    title: str
    quantity: int
    unit_price: Money
    taxable: bool
    requires_shipping: bool
    is_bundle: bool = False
    discount: Money = ZERO  # this line's share of the item discount code
    taxes: tuple[TaxLine, ...] = ()

    @property
    def subtotal(self) -> Money:
        return self.unit_price.times(self.quantity)


@dataclass(frozen=True)
class ShippingLine:
    title: str
    code: str
    price: Money
    discount: Money = ZERO
    taxes: tuple[TaxLine, ...] = ()


@dataclass(frozen=True)
class DiscountCode:
    kind: str  # "fixed" | "percentage" | "free_shipping"
    code: str
    value: Decimal = Decimal(0)  # fixed: amount in the shop currency; percentage: percent (10 = 10 %)


@dataclass(frozen=True)
class OrderTotals:
    items: Money  # Σ unit price × quantity
    item_discounts: Money
    shipping: Money  # before its discount
    shipping_discounts: Money
    tax: Money

    @property
    def total_discounts(self) -> Money:
        return self.item_discounts + self.shipping_discounts

    @property
    def subtotal(self) -> Money:
        """Shopify's subtotal: line items after discounts, before shipping and taxes."""
        return self.items - self.item_discounts

    @property
    def total(self) -> Money:
        return self.subtotal + self.shipping - self.shipping_discounts + self.tax


def totals_of(lines: Sequence[OrderLine], shipping: ShippingLine | None) -> OrderTotals:
    shipping_taxes = shipping.taxes if shipping else ()
    return OrderTotals(
        items=total(line.subtotal for line in lines),
        item_discounts=total(line.discount for line in lines),
        shipping=shipping.price if shipping else ZERO,
        shipping_discounts=shipping.discount if shipping else ZERO,
        tax=total(t.amount for t in (*(t for line in lines for t in line.taxes), *shipping_taxes)),
    )


def discount_shares(code: DiscountCode | None, lines: Sequence[OrderLine], rate: Decimal) -> list[Money]:
    """What an item discount code takes off each line, in both currencies (never more than the lines)."""
    if code is None or code.kind == "free_shipping":
        return [ZERO for _ in lines]
    if code.kind == "percentage":
        share = code.value / 100
        return [Money(cents(line.subtotal.shop * share), cents(line.subtotal.presentment * share)) for line in lines]
    items = total(line.subtotal for line in lines)
    amount = Money(min(code.value, items.shop), min(cents(code.value * rate), items.presentment))
    shop = allocate(amount.shop, [line.subtotal.shop for line in lines])
    presentment = allocate(amount.presentment, [line.subtotal.presentment for line in lines])
    return [Money(s, p) for s, p in zip(shop, presentment, strict=True)]


def taxes_on(base: Money, rates: Iterable[tuple[str, Decimal]]) -> tuple[TaxLine, ...]:
    """One tax line per rate, each rounded on its own."""
    return tuple(
        TaxLine(title, rate, Money(cents(base.shop * rate), cents(base.presentment * rate))) for title, rate in rates
    )
