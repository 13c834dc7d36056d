"""Order editing: a session stages changes on a calculated order; committing applies them to the order.

Staged changes are kept per line: the wanted quantity of each existing line (with its restock choice) and
the variants to add. Committing adds lines (stock committed at their location, onto a fulfillment
order), raises or lowers existing ones (lowered units are released, restocked when asked), and
announces orders/edited (what changed only) and orders/updated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from shopify_sandbox.fulfillment_commands import (
    add_to_fulfillment_orders,
    refresh_fulfillment_status,
    shrink_fulfillment_orders,
)
from shopify_sandbox.inventory import pick_location
from shopify_sandbox.models.base import Node
from shopify_sandbox.models.catalog import Location, ProductVariant
from shopify_sandbox.models.orders import DiscountAllocation, DiscountApplication, LineItem, Order, TaxLine
from shopify_sandbox.money import Currencies, MoneyBag, MoneyV2, format_amount, to_decimal
from shopify_sandbox.order_money import current_totals, order_currencies, refunded_shipping
from shopify_sandbox.order_pricing import map_bag
from shopify_sandbox.refunds import money_received
from shopify_sandbox.state import ShopState
from shopify_sandbox.stock_movements import commit, release
from shopify_sandbox.webhooks.payloads import LineItemDelta, OrderEdit, orders_edited


class EditError(ValueError):
    def __init__(self, message: str, field: list[str] | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(eq=False)
class LineDiscount:
    """A discount staged on an added line: a percentage of it, or a fixed amount off each unit."""

    number: int
    description: str
    percent: Decimal | None = None
    fixed_per_unit: Decimal | None = None


@dataclass(eq=False)
class Addition:
    number: int  # the CalculatedLineItem's number
    variant: ProductVariant
    quantity: int
    location: Location | None
    discount: LineDiscount | None = None

    def price(self, currencies: Currencies) -> MoneyBag:
        """Before the discount."""
        return currencies.bag(self.variant.price).times(self.quantity)

    def discount_amount(self, currencies: Currencies) -> MoneyBag:
        total = self.price(currencies)
        if self.discount is None:
            return currencies.zero()
        if self.discount.percent is not None:
            return map_bag(total, _times(self.discount.percent / 100))
        fixed = min((self.discount.fixed_per_unit or Decimal(0)) * self.quantity, total.shop)
        return currencies.bag(fixed)


@dataclass(eq=False)
class ManualDiscountApplication(DiscountApplication):
    typename: ClassVar[str] = "ManualDiscountApplication"
    title: str = ""
    description: str | None = None


@dataclass(eq=False)
class CalculatedOrder(Node):
    """An edit in progress (also its OrderEditSession, which shares its number)."""

    typename: ClassVar[str] = "CalculatedOrder"
    original_order: Order | None = None
    wanted: dict[int, tuple[int, bool]] = field(default_factory=dict)  # line number -> (quantity, restock)
    additions: list[Addition] = field(default_factory=list)
    committed: bool = False
    created_at: datetime | None = None

    @property
    def session_id(self) -> str:
        return f"gid://shopify/OrderEditSession/{self.number}"


def begin(state: ShopState, order: Order) -> CalculatedOrder:
    if order.cancelled_at is not None:
        raise EditError("The order cannot be edited: it has been cancelled.", ["id"])
    calculated = CalculatedOrder(
        number=state.new_number("CalculatedOrder"), original_order=order, created_at=state.now()
    )
    return state.add(calculated)


def find_session(state: ShopState, edit_id: str) -> CalculatedOrder | None:
    """A calculated order from its own id or its OrderEditSession id."""
    from shopify_sandbox.ids import parse_gid

    typename, number = parse_gid(edit_id)
    if typename not in ("CalculatedOrder", "OrderEditSession"):
        return None
    found = state.get("CalculatedOrder", number)
    return None if found is None or found.committed else found


def add_variant(state: ShopState, edit: CalculatedOrder, arguments: dict[str, Any]) -> Addition:
    variant = state.by_gid(arguments["variantId"], "ProductVariant")
    if variant is None:
        raise EditError("Variant does not exist", ["variantId"])
    if arguments["quantity"] <= 0:
        raise EditError("Quantity must be greater than 0", ["quantity"])
    order = edit.original_order
    assert order is not None
    on_order = any(line.variant is variant and line.current_quantity for line in order.line_items)
    if not arguments.get("allowDuplicates") and (on_order or any(a.variant is variant for a in edit.additions)):
        raise EditError("Variant is already on the order; use allowDuplicates to add it as another line", ["variantId"])
    location = state.by_gid(arguments["locationId"], "Location") if arguments.get("locationId") else None
    if location is None and variant.inventory_item is not None:
        location = pick_location(state, variant.inventory_item, arguments["quantity"])
    addition = Addition(state.new_number("CalculatedLineItem"), variant, arguments["quantity"], location)
    edit.additions.append(addition)
    return addition


def set_quantity(state: ShopState, edit: CalculatedOrder, arguments: dict[str, Any]) -> int:
    """Stage a new quantity for an existing or added line; returns the calculated line's number."""
    from shopify_sandbox.ids import parse_gid

    quantity = arguments["quantity"]
    if quantity < 0:
        raise EditError("Quantity cannot be negative", ["quantity"])
    _, number = parse_gid(arguments["lineItemId"])
    addition = next((a for a in edit.additions if a.number == number), None)
    if addition is not None:
        if quantity == 0:
            edit.additions.remove(addition)
        addition.quantity = quantity
        return number
    order = edit.original_order
    assert order is not None
    line = next((line for line in order.line_items if line.number == number), None)
    if line is None:
        raise EditError("Line item does not exist", ["lineItemId"])
    if quantity < line.fulfilled_quantity:
        raise EditError("Cannot set the quantity below the fulfilled quantity", ["quantity"])
    edit.wanted[line.number] = (quantity, bool(arguments.get("restock")))
    return number


def add_line_discount(state: ShopState, edit: CalculatedOrder, arguments: dict[str, Any]) -> int:
    """Stage a discount on a line added by this edit (Shopify discounts only added lines this way)."""
    from shopify_sandbox.ids import parse_gid

    _, number = parse_gid(arguments["lineItemId"])
    addition = next((a for a in edit.additions if a.number == number), None)
    if addition is None:
        raise EditError("Discounts can only be applied to line items added during this edit", ["lineItemId"])
    discount = arguments["discount"]
    percent, fixed = discount.get("percentValue"), discount.get("fixedValue")
    if (percent is None) == (fixed is None):
        raise EditError("Provide exactly one of percentValue or fixedValue", ["discount"])
    if percent is not None and not 0 < percent <= 100:
        raise EditError("Percent value must be greater than 0 and at most 100", ["discount", "percentValue"])
    addition.discount = LineDiscount(
        number=state.new_number("OrderStagedChangeAddLineItemDiscount"),
        description=discount.get("description") or "",
        percent=None if percent is None else to_decimal(percent),
        fixed_per_unit=None if fixed is None else to_decimal(fixed["amount"]),
    )
    return number


def commit_edit(state: ShopState, edit: CalculatedOrder, notify_customer: bool, staff_note: str | None) -> Order:
    order = edit.original_order
    assert order is not None
    currencies = order_currencies(order, state.shop.presentment_rates)
    additions, removals = [], []
    for line in order.line_items:
        quantity, restock = edit.wanted.get(line.number, (line.current_quantity, False))
        delta = quantity - line.current_quantity
        if delta > 0:
            _raise_line(state, order, line, delta, currencies)
            additions.append(LineItemDelta(line.number, delta))
        elif delta < 0:
            _lower_line(state, order, line, -delta, restock)
            removals.append(LineItemDelta(line.number, -delta))
    discounts: list[dict[str, Any]] = []
    for addition in edit.additions:
        if addition.quantity:
            line = _new_line(state, order, addition, currencies)
            additions.append(LineItemDelta(line.number, addition.quantity))
            discounts.extend(_discount_note(line) for _ in line.discount_allocations)
    edit.committed = True
    now = state.now()
    order.updated_at = now
    refresh_fulfillment_status(order)
    _settle_payment_status(order, currencies)
    edited = OrderEdit(
        id=edit.number,
        order_id=order.number,
        created_at=edit.created_at or now,
        committed_at=now,
        additions=tuple(additions),
        removals=tuple(removals),
        notify_customer=notify_customer,
        staff_note=staff_note or "",
        line_item_discount_additions=tuple(discounts),
    )
    state.publish("orders/edited", orders_edited(edited))
    return order


def _settle_payment_status(order: Order, currencies: Currencies) -> None:
    """An edit that raises a paid order's total leaves a balance to collect: PARTIALLY_PAID."""
    shipping, shipping_tax = refunded_shipping(order, currencies)
    total = current_totals(order, currencies, shipping, shipping_tax).total
    received = money_received(order, currencies)
    if received.shop > 0 and total.shop > received.shop:
        order.display_financial_status = "PARTIALLY_PAID"


def unit_tax_lines(order: Order, price: MoneyBag, taxable: bool, currencies: Currencies) -> list[TaxLine]:
    """Taxes for added units at the rates the order already charges (the sandbox has no tax engine)."""
    if not taxable:
        return []
    rates = {(tax.title, tax.rate): tax.channel_liable for line in order.line_items for tax in line.tax_lines}
    total_rate = sum((rate for _, rate in rates), Decimal(0))
    lines = []
    for (title, rate), liable in rates.items():
        factor = rate / (1 + total_rate) if order.taxes_included else rate
        lines.append(TaxLine(title, rate, map_bag(price, _times(factor)), liable))
    return lines


def _application(order: Order, discount: LineDiscount) -> ManualDiscountApplication:
    value: Any
    if discount.percent is not None:
        value, value_type = (
            {"__typename": "PricingPercentageValue", "percentage": float(discount.percent)},
            "percentage",
        )
    else:
        value, value_type = MoneyV2(discount.fixed_per_unit or Decimal(0), order.currency_code), "fixed_amount"
    application = ManualDiscountApplication(
        index=len(order.discount_applications),
        code="",
        value_type=value_type,
        value=value,
        target_type="LINE_ITEM",
        allocation_method="EACH",
        target_selection="EXPLICIT",
        title=discount.description or "Discount",
        description=discount.description or None,
    )
    order.discount_applications.append(application)
    return application


def _times(factor: Decimal) -> Callable[[Decimal], Decimal]:
    return lambda value: value * factor


def _raise_line(state: ShopState, order: Order, line: LineItem, delta: int, currencies: Currencies) -> None:
    assert line.original_unit_price_set is not None
    extra = unit_tax_lines(order, line.original_unit_price_set.times(delta), line.taxable, currencies)
    for tax in line.tax_lines:
        match = next((t for t in extra if (t.title, t.rate) == (tax.title, tax.rate)), None)
        if match is not None:
            tax.price_set = tax.price_set + match.price_set
    line.quantity += delta
    line.current_quantity += delta
    commit(state, line, delta)
    add_to_fulfillment_orders(state, order, line, delta)


def _lower_line(state: ShopState, order: Order, line: LineItem, delta: int, restock: bool) -> None:
    line.current_quantity -= delta
    release(state, line, delta, restock)
    shrink_fulfillment_orders(order, line, delta)


def _discount_note(line: LineItem) -> dict[str, Any]:
    allocation = line.discount_allocations[0]
    application = allocation.discount_application
    return {
        "id": application.index,
        "line_item_id": line.number,
        "description": getattr(application, "description", None),
        "amount": format_amount(allocation.allocated_amount_set.shop),
    }


def _new_line(state: ShopState, order: Order, addition: Addition, currencies: Currencies) -> LineItem:
    variant = addition.variant
    unit = currencies.bag(variant.price)
    discount = addition.discount_amount(currencies)
    product = variant.product
    line = LineItem(
        number=state.new_number("LineItem"),
        title=product.title if product else variant.title,
        name=variant.display_name,
        sku=variant.sku,
        vendor=product.vendor if product else None,
        variant=variant,
        variant_title=None if variant.title == "Default Title" else variant.title,
        quantity=addition.quantity,
        current_quantity=addition.quantity,
        taxable=variant.taxable,
        original_unit_price_set=unit,
        location=addition.location,
        tax_lines=unit_tax_lines(order, unit.times(addition.quantity) - discount, variant.taxable, currencies),
    )
    if addition.discount is not None and discount.shop:
        line.discount_allocations.append(DiscountAllocation(discount, _application(order, addition.discount)))
    order.line_items.append(state.add(line))
    commit(state, line, addition.quantity)
    add_to_fulfillment_orders(state, order, line, addition.quantity)
    return line
