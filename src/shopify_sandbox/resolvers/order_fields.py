"""Fields of Order and its parts that are derived from what the order stores."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.connections import Connection, paginate
from shopify_sandbox.models.orders import FulfillmentOrder, FulfillmentOrderLineItem, Order
from shopify_sandbox.money import MoneyBag, format_amount
from shopify_sandbox.resolvers.money_fields import sum_bags
from shopify_sandbox.resolvers.registry import resolves

_RECEIVED_KINDS = ("SALE", "CAPTURE")


def _zero(order: Order) -> MoneyBag:
    assert order.total_price_set is not None
    return order.total_price_set.times(0)


@resolves("Order", "lineItems")
def order_line_items(order: Order, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    return paginate(order.line_items, **args)


@resolves("Order", "shippingLines")
def order_shipping_lines(order: Order, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    include_removals = args.pop("includeRemovals", False)
    return paginate([s for s in order.shipping_lines if include_removals or not s.is_removed], **args)


@resolves("Order", "shippingLine")
def order_shipping_line(order: Order, _info: GraphQLResolveInfo) -> Any:
    return order.shipping_lines[0] if order.shipping_lines else None


@resolves("Order", "discountApplications")
def order_discount_applications(order: Order, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    return paginate([_Indexed(a) for a in order.discount_applications], **args)


class _Indexed:
    """Discount applications have no id: page them by their index."""

    def __init__(self, application: Any) -> None:
        self.number = application.index
        self._application = application

    def __getattr__(self, name: str) -> Any:
        return getattr(self._application, name)

    @property
    def typename(self) -> str:
        return self._application.typename


@resolves("Order", "fulfillmentOrders")
def order_fulfillment_orders(order: Order, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    args.pop("displayable", None), args.pop("query", None)
    return paginate(order.fulfillment_orders, **args)


@resolves("Order", "fulfillments")
def order_fulfillments(order: Order, _info: GraphQLResolveInfo, first: int | None = None, **_args: Any) -> list[Any]:
    return order.fulfillments[:first] if first is not None else order.fulfillments


@resolves("Order", "refunds")
def order_refunds(order: Order, _info: GraphQLResolveInfo, first: int | None = None, **_args: Any) -> list[Any]:
    return order.refunds[:first] if first is not None else order.refunds


@resolves("Order", "transactions")
def order_transactions(order: Order, _info: GraphQLResolveInfo, first: int | None = None, **args: Any) -> list[Any]:
    transactions = order.transactions
    if args.get("capturable"):
        transactions = [t for t in transactions if t.kind == "AUTHORIZATION" and t.status == "SUCCESS"]
    return transactions[:first] if first is not None else transactions


@resolves("Order", "currentTotalPriceSet", "originalTotalPriceSet")
def order_current_total(order: Order, _info: GraphQLResolveInfo) -> MoneyBag | None:
    return order.total_price_set


@resolves("Order", "currentSubtotalPriceSet")
def order_current_subtotal(order: Order, _info: GraphQLResolveInfo) -> MoneyBag | None:
    return order.subtotal_price_set


@resolves("Order", "currentTotalTaxSet")
def order_current_tax(order: Order, _info: GraphQLResolveInfo) -> MoneyBag | None:
    return order.total_tax_set


@resolves("Order", "currentTotalDiscountsSet")
def order_current_discounts(order: Order, _info: GraphQLResolveInfo) -> MoneyBag | None:
    return order.total_discounts_set


@resolves("Order", "currentShippingPriceSet")
def order_current_shipping(order: Order, _info: GraphQLResolveInfo) -> MoneyBag | None:
    return order.total_shipping_price_set


@resolves("Order", "currentCartDiscountAmountSet")
def order_current_cart_discount(order: Order, _info: GraphQLResolveInfo) -> MoneyBag | None:
    return order.cart_discount_amount_set


@resolves("Order", "currentTaxLines")
def order_current_tax_lines(order: Order, _info: GraphQLResolveInfo) -> list[Any]:
    return order.tax_lines


@resolves("Order", "totalReceivedSet", "netPaymentSet")
def order_received(order: Order, _info: GraphQLResolveInfo) -> MoneyBag:
    paid = [t.amount_set for t in order.transactions if t.kind in _RECEIVED_KINDS and t.status == "SUCCESS"]
    refunded = [t.amount_set for t in order.transactions if t.kind == "REFUND" and t.status == "SUCCESS"]
    return sum_bags([b for b in paid if b], _zero(order)) - sum_bags([b for b in refunded if b], _zero(order))


@resolves("Order", "totalOutstandingSet")
def order_outstanding(order: Order, info: GraphQLResolveInfo) -> MoneyBag:
    assert order.total_price_set is not None
    return order.total_price_set - order_received(order, info)


@resolves("Order", "totalCapturableSet")
def order_capturable(order: Order, _info: GraphQLResolveInfo) -> MoneyBag:
    held = [t.amount_set for t in order.transactions if t.kind == "AUTHORIZATION" and t.status == "SUCCESS"]
    captured = [t.amount_set for t in order.transactions if t.kind == "CAPTURE" and t.status == "SUCCESS"]
    return sum_bags([b for b in held if b], _zero(order)) - sum_bags([b for b in captured if b], _zero(order))


@resolves(
    "Order",
    "totalRefundedSet",
    "totalRefundedShippingSet",
    "totalTipReceivedSet",
    "currentTotalDutiesSet",
    "currentTotalAdditionalFeesSet",
    "refundDiscrepancySet",
)
def order_zero(order: Order, _info: GraphQLResolveInfo) -> MoneyBag:
    return _zero(order)


@resolves("Order", "fullyPaid")
def order_fully_paid(order: Order, info: GraphQLResolveInfo) -> bool:
    return order_outstanding(order, info).shop <= 0


@resolves("Order", "unpaid")
def order_unpaid(order: Order, info: GraphQLResolveInfo) -> bool:
    return order_received(order, info).shop == 0


@resolves("Order", "subtotalLineItemsQuantity", "currentSubtotalLineItemsQuantity")
def order_items_quantity(order: Order, _info: GraphQLResolveInfo) -> int:
    return sum(line.current_quantity for line in order.line_items)


@resolves("Order", "totalPrice", "subtotalPrice", "totalTax", "totalDiscounts", "totalShippingPrice")
def order_deprecated_money(order: Order, info: GraphQLResolveInfo) -> str | None:
    bag = getattr(order, f"{_snake(info.field_name)}_set", None)
    return None if bag is None else format_amount(bag.shop)


def _snake(name: str) -> str:
    from shopify_sandbox.resolvers.registry import snake_case

    return snake_case(name)


@resolves("Order", "closed")
def order_closed(order: Order, _info: GraphQLResolveInfo) -> bool:
    return order.closed_at is not None


@resolves("Order", "confirmed")
def order_confirmed(_order: Order, _info: GraphQLResolveInfo) -> bool:
    return True


@resolves("Order", "edited")
def order_edited(_order: Order, _info: GraphQLResolveInfo) -> bool:
    return False


@resolves("Order", "requiresShipping")
def order_requires_shipping(order: Order, _info: GraphQLResolveInfo) -> bool:
    return any(line.requires_shipping for line in order.line_items)


@resolves("Order", "displayAddress")
def order_display_address(order: Order, _info: GraphQLResolveInfo) -> Any:
    return order.shipping_address or order.billing_address


@resolves("Order", "billingAddressMatchesShippingAddress")
def order_addresses_match(order: Order, _info: GraphQLResolveInfo) -> bool:
    return order.billing_address == order.shipping_address


@resolves("Order", "paymentGatewayNames")
def order_gateways(order: Order, _info: GraphQLResolveInfo) -> list[str]:
    return sorted({t.gateway for t in order.transactions if t.gateway})


@resolves("Order", "totalWeight", "currentTotalWeight")
def order_weight(_order: Order, _info: GraphQLResolveInfo) -> str:
    return "0"


@resolves("Order", "fulfillable")
def order_fulfillable(order: Order, _info: GraphQLResolveInfo) -> bool:
    return order.cancelled_at is None and any(fo.status in ("OPEN", "IN_PROGRESS") for fo in order.fulfillment_orders)


@resolves("LineItem", "fulfillableQuantity", "unfulfilledQuantity")
def line_fulfillable(line: Any, _info: GraphQLResolveInfo) -> int:
    return line.current_quantity - line.fulfilled_quantity


@resolves("LineItem", "refundableQuantity")
def line_refundable(line: Any, _info: GraphQLResolveInfo) -> int:
    return line.current_quantity


@resolves("LineItem", "nonFulfillableQuantity")
def line_non_fulfillable(line: Any, _info: GraphQLResolveInfo) -> int:
    return line.quantity - line.current_quantity


@resolves("LineItem", "fulfillmentStatus")
def line_fulfillment_status(line: Any, _info: GraphQLResolveInfo) -> str:
    if line.fulfilled_quantity == 0:
        return "unfulfilled"
    return "fulfilled" if line.fulfilled_quantity >= line.current_quantity else "partial"


@resolves("LineItem", "restockable", "canRestock", "merchantEditable")
def line_restockable(line: Any, _info: GraphQLResolveInfo) -> bool:
    return line.variant is not None


@resolves("LineItem", "duties")
def line_duties(_line: Any, _info: GraphQLResolveInfo) -> list[Any]:
    return []


@resolves("FulfillmentOrder", "lineItems")
def fulfillment_order_lines(fo: FulfillmentOrder, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    return paginate(fo.line_items, **args)


@resolves("FulfillmentOrder", "assignedLocation")
def fulfillment_order_location(fo: FulfillmentOrder, _info: GraphQLResolveInfo) -> dict[str, Any]:
    location = fo.assigned_location
    address = location.address if location else None
    return {
        "location": location,
        "name": location.name if location else "",
        "address1": address.address1 if address else None,
        "address2": address.address2 if address else None,
        "city": address.city if address else None,
        "zip": address.zip if address else None,
        "countryCode": address.country_code if address else "US",
        "province": address.province if address else None,
        "phone": address.phone if address else None,
    }


@resolves("FulfillmentOrder", "orderId")
def fulfillment_order_order_id(fo: FulfillmentOrder, _info: GraphQLResolveInfo) -> str | None:
    return fo.order.id if fo.order else None


@resolves("FulfillmentOrder", "orderName")
def fulfillment_order_order_name(fo: FulfillmentOrder, _info: GraphQLResolveInfo) -> str:
    return fo.order.name if fo.order else ""


@resolves("FulfillmentOrder", "orderProcessedAt")
def fulfillment_order_processed_at(fo: FulfillmentOrder, _info: GraphQLResolveInfo) -> Any:
    return fo.order.processed_at if fo.order else None


@resolves("FulfillmentOrder", "destination")
def fulfillment_order_destination(fo: FulfillmentOrder, _info: GraphQLResolveInfo) -> dict[str, Any] | None:
    address = fo.order.shipping_address if fo.order else None
    if address is None:
        return None
    return {
        "id": f"gid://shopify/FulfillmentOrderDestination/{fo.number}",
        "address1": address.address1,
        "address2": address.address2,
        "city": address.city,
        "company": address.company,
        "countryCode": address.country_code_v2,
        "email": fo.order.email if fo.order else None,
        "firstName": address.first_name,
        "lastName": address.last_name,
        "phone": address.phone,
        "province": address.province,
        "zip": address.zip,
    }


@resolves("FulfillmentOrder", "supportedActions")
def fulfillment_order_actions(fo: FulfillmentOrder, _info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    actions = {
        "OPEN": ["CREATE_FULFILLMENT", "HOLD", "MOVE"],
        "IN_PROGRESS": ["CREATE_FULFILLMENT", "HOLD"],
        "ON_HOLD": ["RELEASE_HOLD"],
    }.get(fo.status, [])
    return [{"action": action, "externalUrl": None} for action in actions]


@resolves("FulfillmentOrder", "fulfillments")
def fulfillment_order_fulfillments(fo: FulfillmentOrder, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    done = [f for f in (fo.order.fulfillments if fo.order else []) if fo in getattr(f, "fulfillment_orders", [])]
    return paginate(done, **args)


def _line(item: FulfillmentOrderLineItem) -> Any:
    assert item.line_item is not None
    return item.line_item


@resolves("FulfillmentOrderLineItem", "sku")
def fo_line_sku(item: FulfillmentOrderLineItem, _info: GraphQLResolveInfo) -> str | None:
    return _line(item).sku


@resolves("FulfillmentOrderLineItem", "productTitle")
def fo_line_title(item: FulfillmentOrderLineItem, _info: GraphQLResolveInfo) -> str:
    return str(_line(item).title)


@resolves("FulfillmentOrderLineItem", "variantTitle")
def fo_line_variant_title(item: FulfillmentOrderLineItem, _info: GraphQLResolveInfo) -> str | None:
    return _line(item).variant_title


@resolves("FulfillmentOrderLineItem", "variant")
def fo_line_variant(item: FulfillmentOrderLineItem, _info: GraphQLResolveInfo) -> Any:
    return _line(item).variant


@resolves("FulfillmentOrderLineItem", "vendor")
def fo_line_vendor(item: FulfillmentOrderLineItem, _info: GraphQLResolveInfo) -> str | None:
    return _line(item).vendor


@resolves("FulfillmentOrderLineItem", "inventoryItemId")
def fo_line_inventory_item(item: FulfillmentOrderLineItem, _info: GraphQLResolveInfo) -> str | None:
    variant = _line(item).variant
    return variant.inventory_item.id if variant and variant.inventory_item else None


@resolves("FulfillmentOrderLineItem", "originalUnitPriceSet")
def fo_line_price(item: FulfillmentOrderLineItem, _info: GraphQLResolveInfo) -> Any:
    return _line(item).original_unit_price_set


@resolves("FulfillmentOrderLineItem", "requiresShipping")
def fo_line_requires_shipping(item: FulfillmentOrderLineItem, _info: GraphQLResolveInfo) -> bool:
    return bool(_line(item).requires_shipping)


@resolves("FulfillmentOrderLineItem", "warnings")
def fo_line_warnings(_item: FulfillmentOrderLineItem, _info: GraphQLResolveInfo) -> list[Any]:
    return []


@resolves("Fulfillment", "fulfillmentOrders")
def fulfillment_fulfillment_orders(fulfillment: Any, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    return paginate(getattr(fulfillment, "fulfillment_orders", []), **args)


@resolves("Fulfillment", "fulfillmentLineItems")
def fulfillment_line_items(fulfillment: Any, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    return paginate(getattr(fulfillment, "fulfillment_line_items", []), **args)
