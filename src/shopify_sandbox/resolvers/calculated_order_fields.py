"""CalculatedOrder and CalculatedLineItem: an order edit's preview, priced as committing it would price it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.connections import Connection, paginate
from shopify_sandbox.models.orders import LineItem, Order
from shopify_sandbox.money import Currencies, MoneyBag, MoneyV2
from shopify_sandbox.order_editing import Addition, CalculatedOrder, LineDiscount, unit_tax_lines
from shopify_sandbox.order_money import line_tax, order_currencies, units_slice
from shopify_sandbox.order_pricing import discounted_line_total, map_bag
from shopify_sandbox.refunds import money_received
from shopify_sandbox.resolvers.context import state_of
from shopify_sandbox.resolvers.order_current_fields import current_of
from shopify_sandbox.resolvers.registry import resolves


class _Row:
    """A calculated line item (dict-like for the default resolver) that pagination can number."""

    def __init__(self, number: int, fields: dict[str, Any]) -> None:
        self.number = number
        self.fields = fields | {"id": f"gid://shopify/CalculatedLineItem/{number}"}

    def __getattr__(self, name: str) -> Any:
        from shopify_sandbox.resolvers.registry import snake_case

        if name == "typename" and "__typename" in self.fields:
            return self.fields["__typename"]
        for key, value in self.fields.items():
            if snake_case(key) == name:
                return value
        raise AttributeError(name)


def _existing_row(edit: CalculatedOrder, line: LineItem, currencies: Currencies) -> _Row:
    quantity, restock = edit.wanted.get(line.number, (line.current_quantity, False))
    delta = quantity - line.current_quantity
    staged: list[dict[str, Any]] = []
    if delta > 0:
        staged.append({"__typename": "OrderStagedChangeIncrementItem", "delta": delta, "lineItem": line})
    elif delta < 0:
        staged.append(
            {"__typename": "OrderStagedChangeDecrementItem", "delta": -delta, "lineItem": line, "restock": restock}
        )
    unit = line.original_unit_price_set
    assert unit is not None
    editable = line.current_quantity - line.fulfilled_quantity
    return _Row(
        line.number,
        {
            "quantity": quantity,
            "editableQuantity": quantity - line.fulfilled_quantity,
            "editableQuantityBeforeChanges": editable,
            "originalUnitPriceSet": unit,
            "discountedUnitPriceSet": unit,
            "editableSubtotalSet": unit.times(max(quantity - line.fulfilled_quantity, 0)),
            "uneditableSubtotalSet": unit.times(line.fulfilled_quantity),
            "restockable": line.variant is not None,
            "restocking": restock and delta < 0,
            "sku": line.sku,
            "title": line.title,
            "variant": line.variant,
            "variantTitle": line.variant_title,
            "stagedChanges": staged,
            "customAttributes": [],
            "image": None,
            "calculatedDiscountAllocations": [],
            "discountAllocations": [],
            "hasStagedLineItemDiscount": False,
        },
    )


def _added_row(addition: Addition, currencies: Currencies) -> _Row:
    variant = addition.variant
    unit = currencies.bag(variant.price)
    staged: list[dict[str, Any]] = [
        {"__typename": "OrderStagedChangeAddVariant", "quantity": addition.quantity, "variant": variant}
    ]
    discount = addition.discount_amount(currencies)
    allocations = []
    if addition.discount is not None:
        staged.append(staged_discount(addition.discount, currencies))
        allocations.append(
            {
                "allocatedAmountSet": discount,
                "discountApplication": _calculated_application(addition.discount, currencies),
            }
        )
    subtotal = addition.price(currencies) - discount
    return _Row(
        addition.number,
        {
            "quantity": addition.quantity,
            "editableQuantity": addition.quantity,
            "editableQuantityBeforeChanges": 0,
            "originalUnitPriceSet": unit,
            "discountedUnitPriceSet": map_bag(subtotal, lambda amount: amount / addition.quantity),
            "editableSubtotalSet": subtotal,
            "uneditableSubtotalSet": unit.times(0),
            "restockable": True,
            "restocking": False,
            "sku": variant.sku,
            "title": variant.product.title if variant.product else variant.title,
            "variant": variant,
            "variantTitle": None if variant.title == "Default Title" else variant.title,
            "stagedChanges": staged,
            "customAttributes": [],
            "image": None,
            "calculatedDiscountAllocations": allocations,
            "discountAllocations": [],
            "hasStagedLineItemDiscount": addition.discount is not None,
        },
    )


def _pricing_value(discount: LineDiscount, currencies: Currencies) -> dict[str, Any] | MoneyV2:
    if discount.percent is not None:
        return {"__typename": "PricingPercentageValue", "percentage": float(discount.percent)}
    return MoneyV2(discount.fixed_per_unit or Decimal(0), currencies.shop)


def staged_discount(discount: LineDiscount, currencies: Currencies) -> dict[str, Any]:
    """The OrderStagedChangeAddLineItemDiscount of a staged discount."""
    return {
        "__typename": "OrderStagedChangeAddLineItemDiscount",
        "id": f"gid://shopify/OrderStagedChangeAddLineItemDiscount/{discount.number}",
        "description": discount.description,
        "value": _pricing_value(discount, currencies),
    }


def _calculated_application(discount: LineDiscount, currencies: Currencies) -> dict[str, Any]:
    return {
        "__typename": "CalculatedManualDiscountApplication",
        "id": f"gid://shopify/CalculatedManualDiscountApplication/{discount.number}",
        "description": discount.description,
        "value": _pricing_value(discount, currencies),
        "allocationMethod": "EACH",
        "appliedTo": "LINE_ITEM",
        "targetSelection": "EXPLICIT",
        "targetType": "LINE_ITEM",
    }


def calculated_rows(edit: CalculatedOrder, currencies: Currencies) -> list[_Row]:
    order = edit.original_order
    assert order is not None
    existing = [
        _existing_row(edit, line, currencies)
        for line in order.line_items
        if line.current_quantity or line.number in edit.wanted
    ]
    return existing + [_added_row(addition, currencies) for addition in edit.additions]


def _currencies(edit: CalculatedOrder, info: GraphQLResolveInfo) -> Currencies:
    assert edit.original_order is not None
    return order_currencies(edit.original_order, state_of(info).shop.presentment_rates)


def preview(edit: CalculatedOrder, info: GraphQLResolveInfo) -> dict[str, MoneyBag]:
    """Subtotal, tax and total of the order as committing the edit would leave it."""
    order: Order = edit.original_order  # type: ignore[assignment]
    currencies = _currencies(edit, info)
    now = current_of(order, info)
    subtotal, tax = now.subtotal, now.tax
    for line in order.line_items:
        quantity, _ = edit.wanted.get(line.number, (line.current_quantity, False))
        delta = quantity - line.current_quantity
        assert line.original_unit_price_set is not None
        if delta > 0:
            added = line.original_unit_price_set.times(delta)
            subtotal += added
            tax += currencies.total([t.price_set for t in unit_tax_lines(order, added, line.taxable, currencies)])
        elif delta < 0:
            removed = line.quantity - line.current_quantity
            subtotal -= units_slice(discounted_line_total(line, currencies), removed, -delta, line.quantity)
            tax -= units_slice(line_tax(line, currencies), removed, -delta, line.quantity)
    for addition in edit.additions:
        added = addition.price(currencies) - addition.discount_amount(currencies)
        subtotal += added
        tax += currencies.total(
            [t.price_set for t in unit_tax_lines(order, added, addition.variant.taxable, currencies)]
        )
    total = subtotal + now.shipping + (currencies.zero() if order.taxes_included else tax)
    return {"subtotal": subtotal, "tax": tax, "total": total, "outstanding": total - money_received(order, currencies)}


@resolves("CalculatedOrder", "lineItems")
def calculated_line_items(edit: CalculatedOrder, info: GraphQLResolveInfo, **args: Any) -> Connection:
    args.pop("query", None)
    return paginate(calculated_rows(edit, _currencies(edit, info)), **args)


@resolves("CalculatedOrder", "addedLineItems")
def calculated_added_line_items(edit: CalculatedOrder, info: GraphQLResolveInfo, **args: Any) -> Connection:
    return paginate([_added_row(a, _currencies(edit, info)) for a in edit.additions], **args)


@resolves("CalculatedOrder", "stagedChanges")
def calculated_staged_changes(edit: CalculatedOrder, info: GraphQLResolveInfo, **args: Any) -> Connection:
    changes = [
        change for row in calculated_rows(edit, _currencies(edit, info)) for change in row.fields["stagedChanges"]
    ]
    return paginate([_Row(index, change) for index, change in enumerate(changes, start=1)], **args)


@resolves("CalculatedOrder", "subtotalPriceSet")
def calculated_subtotal(edit: CalculatedOrder, info: GraphQLResolveInfo) -> MoneyBag:
    return preview(edit, info)["subtotal"]


@resolves("CalculatedOrder", "totalPriceSet")
def calculated_total(edit: CalculatedOrder, info: GraphQLResolveInfo) -> MoneyBag:
    return preview(edit, info)["total"]


@resolves("CalculatedOrder", "totalOutstandingSet")
def calculated_outstanding(edit: CalculatedOrder, info: GraphQLResolveInfo) -> MoneyBag:
    return preview(edit, info)["outstanding"]


@resolves("CalculatedOrder", "subtotalLineItemsQuantity")
def calculated_quantity(edit: CalculatedOrder, info: GraphQLResolveInfo) -> int:
    return sum(row.fields["quantity"] for row in calculated_rows(edit, _currencies(edit, info)))


@resolves("CalculatedOrder", "cartDiscountAmountSet")
def calculated_cart_discount(edit: CalculatedOrder, info: GraphQLResolveInfo) -> MoneyBag:
    return current_of(edit.original_order, info).discounts  # type: ignore[arg-type]


@resolves("CalculatedOrder", "taxLines")
def calculated_tax_lines(edit: CalculatedOrder, _info: GraphQLResolveInfo) -> list[Any]:
    return edit.original_order.tax_lines if edit.original_order else []


@resolves("CalculatedOrder", "shippingLines")
def calculated_shipping_lines(edit: CalculatedOrder, _info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    lines = edit.original_order.shipping_lines if edit.original_order else []
    return [
        {
            "id": f"gid://shopify/CalculatedShippingLine/{s.number}",
            "title": s.title,
            "price": s.original_price_set,
            "stagedStatus": "NONE",
        }
        for s in lines
    ]


@resolves("CalculatedOrder", "addedDiscountApplications")
def calculated_added_discounts(_edit: CalculatedOrder, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    return paginate([], **args)


@resolves("CalculatedOrder", "notificationPreviewTitle")
def calculated_notification_title(edit: CalculatedOrder, _info: GraphQLResolveInfo) -> str:
    return f"Order {edit.original_order.name if edit.original_order else ''} has been updated"


@resolves("CalculatedOrder", "notificationPreviewHtml")
def calculated_notification_html(_edit: CalculatedOrder, _info: GraphQLResolveInfo) -> None:
    return None
