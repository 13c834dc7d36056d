"""Order fields that move after the order is placed: `current*` totals, refunded amounts, edited.

These replace H1's first readings (which equal the creation-time totals) once edits and refunds exist;
they are registered after H1's resolvers so that theirs are overridden.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.connections import Connection, paginate
from shopify_sandbox.models.orders import Order
from shopify_sandbox.money import MoneyBag
from shopify_sandbox.order_money import CurrentTotals, current_totals, order_currencies, refunded_shipping
from shopify_sandbox.resolvers.context import state_of
from shopify_sandbox.resolvers.registry import resolves


def current_of(order: Order, info: GraphQLResolveInfo) -> CurrentTotals:
    currencies = order_currencies(order, state_of(info).shop.presentment_rates)
    shipping, shipping_tax = refunded_shipping(order, currencies)
    return current_totals(order, currencies, shipping, shipping_tax)


@resolves("Order", "currentSubtotalPriceSet")
def order_current_subtotal(order: Order, info: GraphQLResolveInfo) -> MoneyBag:
    return current_of(order, info).subtotal


@resolves("Order", "currentTotalPriceSet")
def order_current_total(order: Order, info: GraphQLResolveInfo) -> MoneyBag:
    return current_of(order, info).total


@resolves("Order", "currentTotalTaxSet")
def order_current_tax(order: Order, info: GraphQLResolveInfo) -> MoneyBag:
    return current_of(order, info).tax


@resolves("Order", "currentTotalDiscountsSet", "currentCartDiscountAmountSet")
def order_current_discounts(order: Order, info: GraphQLResolveInfo) -> MoneyBag:
    return current_of(order, info).discounts


@resolves("Order", "currentShippingPriceSet")
def order_current_shipping(order: Order, info: GraphQLResolveInfo) -> MoneyBag:
    return current_of(order, info).shipping


@resolves("Order", "currentSubtotalLineItemsQuantity")
def order_current_quantity(order: Order, info: GraphQLResolveInfo) -> int:
    return current_of(order, info).line_quantity


@resolves("Order", "totalRefundedSet")
def order_total_refunded(order: Order, info: GraphQLResolveInfo) -> MoneyBag:
    currencies = order_currencies(order, state_of(info).shop.presentment_rates)
    return currencies.total([refund.total_refunded_set for refund in order.refunds if refund.total_refunded_set])


@resolves("Order", "totalRefundedShippingSet")
def order_total_refunded_shipping(order: Order, info: GraphQLResolveInfo) -> MoneyBag:
    currencies = order_currencies(order, state_of(info).shop.presentment_rates)
    shipping, shipping_tax = refunded_shipping(order, currencies)
    return shipping if order.taxes_included else shipping + shipping_tax


@resolves("Order", "edited")
def order_edited(order: Order, info: GraphQLResolveInfo) -> bool:
    return any(edit.original_order is order and edit.committed for edit in state_of(info).all("CalculatedOrder"))


@resolves("Refund", "refundLineItems")
def refund_line_items(refund: Any, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    return paginate(getattr(refund, "refund_line_items", []), **args)


@resolves("Refund", "refundShippingLines")
def refund_shipping_lines(refund: Any, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    return paginate(getattr(refund, "refund_shipping_lines", []), **args)


@resolves("Refund", "orderAdjustments")
def refund_order_adjustments(refund: Any, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    return paginate(getattr(refund, "order_adjustments", []), **args)


@resolves("Refund", "transactions")
def refund_transactions(refund: Any, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    return paginate(refund.transactions, **args)


@resolves("Refund", "return")
def refund_return(_refund: Any, _info: GraphQLResolveInfo) -> None:
    return None


@resolves("RefundLineItem", "price", "subtotal", "totalTax")
def refund_line_money(line: Any, info: GraphQLResolveInfo) -> Any:
    bag = {"price": line.price_set, "subtotal": line.subtotal_set, "totalTax": line.total_tax_set}[info.field_name]
    return bag.shop_money if bag else None


@resolves("Fulfillment", "trackingInfo")
def fulfillment_tracking(fulfillment: Any, _info: GraphQLResolveInfo, first: int | None = None) -> list[Any]:
    return fulfillment.tracking_info[:first] if first is not None else fulfillment.tracking_info


@resolves("Fulfillment", "events")
def fulfillment_events(_fulfillment: Any, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    args.pop("sortKey", None)
    return paginate([], **args)


@resolves("FulfillmentLineItem", "originalTotalSet", "discountedTotalSet")
def fulfillment_line_total(item: Any, _info: GraphQLResolveInfo) -> MoneyBag:
    return item.line_item.original_unit_price_set.times(item.quantity)


@resolves("FulfillmentLineItem", "originalTotal", "discountedTotal")
def fulfillment_line_total_money(item: Any, info: GraphQLResolveInfo) -> Any:
    return fulfillment_line_total(item, info).shop_money
