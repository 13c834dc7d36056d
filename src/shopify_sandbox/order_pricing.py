"""The money of a new order, computed the way Shopify does, exact to the cent in both currencies.

Identities that hold for every order (shop and presentment money alike):
  subtotal       = Σ line originalTotal − Σ line discount allocations
  totalDiscounts = Σ line discount allocations + Σ shipping discount allocations
  totalShipping  = Σ shipping originalPrice (before shipping discounts, like REST's total_shipping_price_set)
  totalPrice     = subtotal + totalShipping − shipping discounts + (totalTax unless taxes are included)
Discount amounts are split across lines by largest remainder, so no cent is created or lost.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from shopify_sandbox.models.orders import (
    DiscountAllocation,
    DiscountApplication,
    LineItem,
    Order,
    ShippingLine,
    TaxLine,
)
from shopify_sandbox.money import Currencies, MoneyBag, MoneyV2, allocate, round_cents, to_decimal


def bag_from_input(money_bag: dict[str, Any], currencies: Currencies) -> MoneyBag:
    """A MoneyBagInput as a bag: shop amount as given, presentment as given or converted."""
    shop = to_decimal(money_bag["shopMoney"]["amount"])
    presentment = money_bag.get("presentmentMoney")
    return currencies.bag(shop, None if presentment is None else to_decimal(presentment["amount"]))


def map_bag(bag: MoneyBag, function: Callable[[Decimal], Decimal]) -> MoneyBag:
    """`function` applied to both amounts, each rounded to the cent."""
    return MoneyBag(
        MoneyV2(round_cents(function(bag.shop)), bag.shop_money.currency_code),
        MoneyV2(round_cents(function(bag.presentment)), bag.presentment_money.currency_code),
    )


def allocate_bag(total: MoneyBag, weights: Sequence[MoneyBag]) -> list[MoneyBag]:
    """Split `total` across `weights`, each currency on its own weights, parts summing to the total exactly."""
    shops = allocate(total.shop, [w.shop for w in weights])
    presentments = allocate(total.presentment, [w.presentment for w in weights])
    return [
        MoneyBag(MoneyV2(s, total.shop_money.currency_code), MoneyV2(p, total.presentment_money.currency_code))
        for s, p in zip(shops, presentments, strict=True)
    ]


def line_total(line: LineItem) -> MoneyBag:
    return line.original_total()


def discounted_line_total(line: LineItem, currencies: Currencies) -> MoneyBag:
    return line_total(line) - currencies.total([a.allocated_amount_set for a in line.discount_allocations])


def discounted_shipping(line: ShippingLine, currencies: Currencies) -> MoneyBag:
    assert line.original_price_set is not None
    return line.original_price_set - currencies.total([a.allocated_amount_set for a in line.discount_allocations])


def apply_discount_code(
    code_input: dict[str, Any] | None, lines: list[LineItem], shipping: list[ShippingLine], currencies: Currencies
) -> list[DiscountApplication]:
    """Apply an OrderCreateDiscountCodeInput: allocations on the lines (or shipping), and its application."""
    if not code_input:
        return []
    if percentage := code_input.get("itemPercentageDiscountCode"):
        rate = to_decimal(percentage.get("percentage") or 0) / 100
        value = {"__typename": "PricingPercentageValue", "percentage": float(rate * 100)}
        application = DiscountApplication(0, percentage["code"], "percentage", value, "LINE_ITEM")
        # Rounded per ordered line; a bundle's share is then spread over its components by their prices.
        for group in _by_ordered_line(lines):
            weights = [line_total(line) for line in group]
            group_discount = map_bag(currencies.total(weights), lambda amount: amount * rate)
            for line, share in zip(group, allocate_bag(group_discount, weights), strict=True):
                _allocate_to(line, share, application)
        return [application]
    if fixed := code_input.get("itemFixedDiscountCode"):
        weights = [line_total(line) for line in lines]
        wanted = bag_from_input(fixed["amountSet"], currencies) if fixed.get("amountSet") else currencies.zero()
        available = currencies.total(weights)
        amount = MoneyBag(
            MoneyV2(min(wanted.shop, available.shop), currencies.shop),
            MoneyV2(min(wanted.presentment, available.presentment), currencies.presentment),
        )
        application = DiscountApplication(0, fixed["code"], "fixed_amount", amount.shop_money, "LINE_ITEM")
        for line, share in zip(lines, allocate_bag(amount, weights), strict=True):
            _allocate_to(line, share, application)
        return [application]
    if free := code_input.get("freeShippingDiscountCode"):
        value = {"__typename": "PricingPercentageValue", "percentage": 100.0}
        application = DiscountApplication(0, free["code"], "percentage", value, "SHIPPING_LINE")
        for shipping_line in shipping:
            assert shipping_line.original_price_set is not None
            _allocate_to(shipping_line, shipping_line.original_price_set, application)
        return [application]
    return []


def _by_ordered_line(lines: list[LineItem]) -> list[list[LineItem]]:
    """Lines grouped by the orderCreate input line they came from (a bundle gives several)."""
    groups: dict[int, list[LineItem]] = {}
    for line in lines:
        groups.setdefault(line.source_index, []).append(line)
    return list(groups.values())


def _allocate_to(target: LineItem | ShippingLine, amount: MoneyBag, application: DiscountApplication) -> None:
    if amount.shop or amount.presentment:
        target.discount_allocations.append(DiscountAllocation(amount, application))


def tax_lines_from_input(
    inputs: Sequence[dict[str, Any]], base: MoneyBag, taxes_included: bool, currencies: Currencies
) -> list[TaxLine]:
    """Tax lines for an amount: a given priceSet is kept, otherwise the tax is computed from the rate."""
    rates_sum = sum((to_decimal(t["rate"]) for t in inputs), Decimal(0))
    lines = []
    for tax in inputs:
        rate = to_decimal(tax["rate"])
        if tax.get("priceSet"):
            price = bag_from_input(tax["priceSet"], currencies)
        else:
            share = rate / (1 + rates_sum) if taxes_included else rate
            price = map_bag(base, functools.partial(operator.mul, share))
        lines.append(TaxLine(tax["title"], rate, price, tax.get("channelLiable") or False))
    return lines


def split_order_taxes(
    inputs: Sequence[dict[str, Any]], lines: list[LineItem], taxes_included: bool, currencies: Currencies
) -> None:
    """Order-level tax lines, split across the taxable lines (Shopify's rule for orderCreate)."""
    taxable = [line for line in lines if line.taxable]
    if not taxable:
        return
    bases = [discounted_line_total(line, currencies) for line in taxable]
    for tax in inputs:
        if tax.get("priceSet"):
            shares = allocate_bag(bag_from_input(tax["priceSet"], currencies), bases)
            rate = to_decimal(tax["rate"])
            for line, share in zip(taxable, shares, strict=True):
                line.tax_lines.append(TaxLine(tax["title"], rate, share, tax.get("channelLiable") or False))
        else:
            for line, base in zip(taxable, bases, strict=True):
                line.tax_lines.extend(tax_lines_from_input([tax], base, taxes_included, currencies))


def aggregate_tax_lines(sources: Sequence[Sequence[TaxLine]], currencies: Currencies) -> list[TaxLine]:
    """The order's tax lines: every line's and shipping's tax lines summed by (title, rate)."""
    totals: dict[tuple[str, Decimal], TaxLine] = {}
    for tax_lines in sources:
        for tax in tax_lines:
            key = (tax.title, tax.rate)
            if key in totals:
                totals[key].price_set = totals[key].price_set + tax.price_set
            else:
                totals[key] = TaxLine(tax.title, tax.rate, tax.price_set, tax.channel_liable)
    return list(totals.values())


def compute_totals(order: Order, currencies: Currencies) -> None:
    """Fill the order's money totals from its lines (the identities in the module docstring)."""
    line_totals = [line_total(line) for line in order.line_items]
    line_discounts = [a.allocated_amount_set for line in order.line_items for a in line.discount_allocations]
    shipping_prices = [s.original_price_set for s in order.shipping_lines if s.original_price_set]
    shipping_discounts = [a.allocated_amount_set for s in order.shipping_lines for a in s.discount_allocations]
    order.tax_lines = aggregate_tax_lines(
        [line.tax_lines for line in order.line_items] + [s.tax_lines for s in order.shipping_lines], currencies
    )
    subtotal = currencies.total(line_totals) - currencies.total(line_discounts)
    shipping = currencies.total(shipping_prices)
    tax = currencies.total([t.price_set for t in order.tax_lines])
    order.subtotal_price_set = subtotal
    order.cart_discount_amount_set = currencies.total(line_discounts)
    order.total_discounts_set = currencies.total(line_discounts + shipping_discounts)
    order.total_shipping_price_set = shipping
    order.total_tax_set = tax
    total = subtotal + shipping - currencies.total(shipping_discounts)
    order.total_price_set = total if order.taxes_included else total + tax
