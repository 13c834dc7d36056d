"""An order's money after edits and refunds, prorated per unit so that partial refunds add up exactly.

The value of the first k of a line's n units is round(total × k / n) in each currency: refunding units
in several refunds telescopes to the line's whole value, so no cent is created or lost. The same
rule prices what is left on the order (its `current*` totals).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shopify_sandbox.models.orders import LineItem, Order, ShippingLine
from shopify_sandbox.money import Currencies, MoneyBag, MoneyV2, round_cents
from shopify_sandbox.order_pricing import discounted_line_total


def order_currencies(order: Order, rates: dict[str, Decimal] | None = None) -> Currencies:
    rate = Decimal(1)
    if order.presentment_currency_code != order.currency_code:
        rate = (rates or {}).get(order.presentment_currency_code, Decimal(1))
    return Currencies(order.currency_code, order.presentment_currency_code, rate)


def prorate(total: MoneyBag, units: int, of: int) -> MoneyBag:
    """The value of `units` of `of` units worth `total` (each currency rounded half-up to the cent)."""
    if of == 0:
        return total.times(0)
    return MoneyBag(
        MoneyV2(round_cents(total.shop * units / of), total.shop_money.currency_code),
        MoneyV2(round_cents(total.presentment * units / of), total.presentment_money.currency_code),
    )


def units_slice(total: MoneyBag, already: int, units: int, of: int) -> MoneyBag:
    """The value of units already+1 … already+units: what refunding them returns."""
    return prorate(total, already + units, of) - prorate(total, already, of)


def remaining_value(total: MoneyBag, line: LineItem) -> MoneyBag:
    """What is left of a line worth `total` once its removed units (the first ones, by convention) are gone."""
    return total - prorate(total, line.quantity - line.current_quantity, line.quantity)


def line_tax(line: LineItem, currencies: Currencies) -> MoneyBag:
    return currencies.total([tax.price_set for tax in line.tax_lines])


def line_discounts(line: LineItem, currencies: Currencies) -> MoneyBag:
    return currencies.total([a.allocated_amount_set for a in line.discount_allocations])


def shipping_value(line: ShippingLine, currencies: Currencies) -> tuple[MoneyBag, MoneyBag]:
    """(price after shipping discounts, its tax)."""
    assert line.original_price_set is not None
    price = line.original_price_set - currencies.total([a.allocated_amount_set for a in line.discount_allocations])
    return price, currencies.total([tax.price_set for tax in line.tax_lines])


@dataclass(frozen=True)
class CurrentTotals:
    subtotal: MoneyBag
    discounts: MoneyBag
    shipping: MoneyBag
    tax: MoneyBag
    total: MoneyBag
    line_quantity: int


def current_totals(
    order: Order, currencies: Currencies, refunded_shipping: MoneyBag, refunded_shipping_tax: MoneyBag
) -> CurrentTotals:
    """What the order is worth now: its lines' current quantities, shipping less what was refunded."""
    subtotal, discounts, tax = currencies.zero(), currencies.zero(), currencies.zero()
    for line in order.line_items:
        subtotal += remaining_value(discounted_line_total(line, currencies), line)
        discounts += remaining_value(line_discounts(line, currencies), line)
        tax += remaining_value(line_tax(line, currencies), line)
    shipping, shipping_tax = currencies.zero(), currencies.zero()
    for shipping_line in order.shipping_lines:
        price, price_tax = shipping_value(shipping_line, currencies)
        shipping, shipping_tax = shipping + price, shipping_tax + price_tax
    shipping -= refunded_shipping
    tax += shipping_tax - refunded_shipping_tax
    total = subtotal + shipping + (currencies.zero() if order.taxes_included else tax)
    quantity = sum(line.current_quantity for line in order.line_items)
    return CurrentTotals(subtotal, discounts, shipping, tax, total, quantity)


def refunded_shipping(order: Order, currencies: Currencies) -> tuple[MoneyBag, MoneyBag]:
    """(shipping refunded so far, its tax)."""
    lines = [s for refund in order.refunds for s in getattr(refund, "refund_shipping_lines", [])]
    return (
        currencies.total([s.subtotal_amount_set for s in lines if s.subtotal_amount_set]),
        currencies.total([s.tax_amount_set for s in lines if s.tax_amount_set]),
    )
