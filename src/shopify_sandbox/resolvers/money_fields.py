"""Money-valued fields: MoneyV2 amounts, tax lines, and the line and shipping prices derived from stored ones."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.models.orders import DiscountAllocation, LineItem, ShippingLine, TaxLine
from shopify_sandbox.money import MoneyBag, MoneyV2, format_amount, round_cents
from shopify_sandbox.resolvers.registry import resolves


def sum_bags(bags: list[MoneyBag], like: MoneyBag) -> MoneyBag:
    """The sum of `bags`; a zero in `like`'s currencies when empty."""
    total = like.times(0)
    for bag in bags:
        total = total + bag
    return total


def allocated(allocations: list[DiscountAllocation], like: MoneyBag) -> MoneyBag:
    return sum_bags([a.allocated_amount_set for a in allocations], like)


@resolves("MoneyV2", "amount")
def money_amount(money: MoneyV2, _info: GraphQLResolveInfo) -> str:
    return format_amount(money.amount)


@resolves("TaxLine", "rate")
def tax_rate(line: TaxLine, _info: GraphQLResolveInfo) -> float:
    return float(line.rate)


@resolves("TaxLine", "price")
def tax_price(line: TaxLine, _info: GraphQLResolveInfo) -> str:
    return format_amount(line.price_set.shop)


@resolves("DiscountAllocation", "allocatedAmount")
def allocation_amount(allocation: DiscountAllocation, _info: GraphQLResolveInfo) -> MoneyV2:
    return allocation.allocated_amount_set.shop_money


def _unit(line: LineItem) -> MoneyBag:
    assert line.original_unit_price_set is not None
    return line.original_unit_price_set


@resolves("LineItem", "originalTotalSet")
def line_original_total(line: LineItem, _info: GraphQLResolveInfo) -> MoneyBag:
    return line.original_total()


@resolves("LineItem", "discountedTotalSet")
def line_discounted_total(line: LineItem, _info: GraphQLResolveInfo, withCodeDiscounts: bool = False) -> MoneyBag:
    """Less the line's own (manual) discounts; code-based ones only when asked (`withCodeDiscounts`, default false)."""
    kept = [a for a in line.discount_allocations if withCodeDiscounts or not _from_code(a)]
    return line.original_total() - allocated(kept, _unit(line))


def _from_code(allocation: DiscountAllocation) -> bool:
    return allocation.discount_application.typename == "DiscountCodeApplication"


@resolves("LineItem", "discountedUnitPriceSet")
def line_discounted_unit(line: LineItem, _info: GraphQLResolveInfo) -> MoneyBag:
    return _unit(line)


@resolves("LineItem", "originalUnitPrice", "discountedUnitPrice")
def line_unit_price(line: LineItem, _info: GraphQLResolveInfo) -> str:
    return format_amount(_unit(line).shop)


@resolves("LineItem", "originalTotal", "discountedTotal")
def line_total_price(line: LineItem, _info: GraphQLResolveInfo) -> str:
    return format_amount(line.original_total().shop)


@resolves("LineItem", "totalDiscountSet")
def line_total_discount(line: LineItem, _info: GraphQLResolveInfo) -> MoneyBag:
    return allocated(line.discount_allocations, _unit(line))


@resolves("LineItem", "totalDiscount")
def line_total_discount_amount(line: LineItem, _info: GraphQLResolveInfo) -> str:
    return format_amount(allocated(line.discount_allocations, _unit(line)).shop)


@resolves("LineItem", "priceAfterAllDiscountsBeforeTaxesSet")
def line_after_discounts(line: LineItem, _info: GraphQLResolveInfo) -> MoneyBag:
    return line.original_total() - allocated(line.discount_allocations, _unit(line))


@resolves("LineItem", "discountedUnitPriceAfterAllDiscountsSet")
def line_unit_after_discounts(line: LineItem, info: GraphQLResolveInfo) -> MoneyBag:
    total = line_after_discounts(line, info)
    quantity = max(line.quantity, 1)
    return MoneyBag(
        MoneyV2(round_cents(total.shop / quantity), total.shop_money.currency_code),
        MoneyV2(round_cents(total.presentment / quantity), total.presentment_money.currency_code),
    )


@resolves("LineItem", "unfulfilledOriginalTotalSet", "unfulfilledDiscountedTotalSet")
def line_unfulfilled_total(line: LineItem, _info: GraphQLResolveInfo) -> MoneyBag:
    return _unit(line).times(line.current_quantity - line.fulfilled_quantity)


def _shipping_original(line: ShippingLine) -> MoneyBag:
    assert line.original_price_set is not None
    return line.original_price_set


@resolves("ShippingLine", "discountedPriceSet", "currentDiscountedPriceSet")
def shipping_discounted(line: ShippingLine, _info: GraphQLResolveInfo) -> MoneyBag:
    return _shipping_original(line) - allocated(line.discount_allocations, _shipping_original(line))


@resolves("ShippingLine", "price")
def shipping_price(line: ShippingLine, _info: GraphQLResolveInfo) -> str:
    return format_amount(_shipping_original(line).shop)


@resolves("ShippingLine", "originalPrice")
def shipping_original_money(line: ShippingLine, _info: GraphQLResolveInfo) -> MoneyV2:
    return _shipping_original(line).shop_money


@resolves("ShippingLine", "discountedPrice")
def shipping_discounted_money(line: ShippingLine, info: GraphQLResolveInfo) -> MoneyV2:
    return shipping_discounted(line, info).shop_money


@resolves("DiscountCodeApplication", "value")
def discount_value(application: Any, _info: GraphQLResolveInfo) -> Any:
    return application.value
