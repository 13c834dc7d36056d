"""Fulfilling fulfillment orders, wholly or partly, as Shopify does (holds are in fulfillment_holds).

A fulfilment takes quantities off fulfillment order lines: a fulfillment order with something left is
IN_PROGRESS, one with nothing left is CLOSED. Only OPEN and IN_PROGRESS fulfillment orders can be
fulfilled; a hold makes one ON_HOLD until every hold is released.
"""

from __future__ import annotations

from typing import Any

from shopify_sandbox.models.orders import (
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    FulfillmentTrackingInfo,
    LineItem,
    Order,
)
from shopify_sandbox.models.post_purchase import FulfillmentLineItem, SandboxFulfillment
from shopify_sandbox.order_webhooks import order_rest_now
from shopify_sandbox.rest_post_purchase import fulfillment_to_rest
from shopify_sandbox.state import ShopState
from shopify_sandbox.stock_movements import ship

FULFILLABLE = ("OPEN", "IN_PROGRESS")


class FulfillmentError(ValueError):
    """A userError: nothing was changed."""

    def __init__(self, message: str, field: list[str] | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


def refresh_fulfillment_status(order: Order) -> None:
    """Order.displayFulfillmentStatus from its lines and fulfillment orders."""
    shipped = sum(line.fulfilled_quantity for line in order.line_items)
    open_units = sum(
        max(line.current_quantity - line.fulfilled_quantity, 0) for line in order.line_items if line.requires_shipping
    )
    if shipped and not open_units:
        order.display_fulfillment_status = "FULFILLED"
    elif shipped:
        order.display_fulfillment_status = "PARTIALLY_FULFILLED"
    elif any(fo.status == "ON_HOLD" for fo in order.fulfillment_orders):
        order.display_fulfillment_status = "ON_HOLD"
    else:
        order.display_fulfillment_status = "UNFULFILLED"


def settle_status(fulfillment_order: FulfillmentOrder) -> None:
    """OPEN, IN_PROGRESS or CLOSED from what is left to ship (a held fulfillment order stays ON_HOLD)."""
    if fulfillment_order.fulfillment_holds:
        fulfillment_order.status = "ON_HOLD"
    elif all(line.remaining_quantity == 0 for line in fulfillment_order.line_items):
        fulfillment_order.status = "CLOSED"
    elif any(line.remaining_quantity < line.total_quantity for line in fulfillment_order.line_items):
        fulfillment_order.status = "IN_PROGRESS"
    else:
        fulfillment_order.status = "OPEN"


def _requested_lines(
    state: ShopState, fulfillment_order: FulfillmentOrder, requested: list[dict[str, Any]] | None, field: list[str]
) -> list[tuple[FulfillmentOrderLineItem, int]]:
    """(line, quantity) pairs; every line with what remains when `requested` is empty."""
    if not requested:
        return [(line, line.remaining_quantity) for line in fulfillment_order.line_items if line.remaining_quantity]
    pairs = []
    for wanted in requested:
        line = state.by_gid(wanted["id"], "FulfillmentOrderLineItem")
        if line is None or line not in fulfillment_order.line_items:
            raise FulfillmentError("Fulfillment order line item does not exist.", field)
        if not 0 < wanted["quantity"] <= line.remaining_quantity:
            raise FulfillmentError("Invalid fulfillment order line item quantity requested.", field)
        pairs.append((line, wanted["quantity"]))
    return pairs


def _fulfillment_orders(
    state: ShopState, groups: list[dict[str, Any]]
) -> list[tuple[FulfillmentOrder, list[dict[str, Any]] | None]]:
    found = []
    for group in groups:
        fulfillment_order = state.by_gid(group["fulfillmentOrderId"], "FulfillmentOrder")
        if fulfillment_order is None:
            raise FulfillmentError("Fulfillment order does not exist.", ["fulfillment"])
        if fulfillment_order.status not in FULFILLABLE:
            raise FulfillmentError(
                f"Fulfillment order {fulfillment_order.number} has an unfulfillable "
                f"status= {fulfillment_order.status.lower()}.",
                ["fulfillment"],
            )
        found.append((fulfillment_order, group.get("fulfillmentOrderLineItems")))
    orders = {fo.order.number for fo, _ in found if fo.order}
    locations = {fo.assigned_location.number for fo, _ in found if fo.assigned_location}
    if len(orders) > 1:
        raise FulfillmentError("All fulfillment orders must belong to the same order.", ["fulfillment"])
    if len(locations) > 1:
        raise FulfillmentError("All fulfillment orders must be assigned to the same location.", ["fulfillment"])
    return found


def tracking_from_input(tracking: dict[str, Any] | None) -> list[FulfillmentTrackingInfo]:
    """FulfillmentTrackingInput as tracking infos: one per number (urls matched by position)."""
    if not tracking:
        return []
    numbers = tracking.get("numbers") or ([tracking["number"]] if tracking.get("number") else [])
    urls = tracking.get("urls") or ([tracking["url"]] if tracking.get("url") else [])
    if not numbers:
        return [FulfillmentTrackingInfo(tracking.get("company"), None, urls[0] if urls else None)]
    return [
        FulfillmentTrackingInfo(tracking.get("company"), number, urls[i] if i < len(urls) else None)
        for i, number in enumerate(numbers)
    ]


def create_fulfillment(state: ShopState, fulfillment_input: dict[str, Any]) -> SandboxFulfillment:
    """fulfillmentCreate: check everything first, then ship, close what is done and announce it."""
    groups = _fulfillment_orders(state, fulfillment_input["lineItemsByFulfillmentOrder"])
    if not groups:
        raise FulfillmentError("Line items by fulfillment order must not be empty.", ["fulfillment"])
    plan = [(fo, _requested_lines(state, fo, requested, ["fulfillment"])) for fo, requested in groups]
    order = plan[0][0].order
    assert order is not None
    now = state.now()
    fulfillment = SandboxFulfillment(
        number=state.new_number("Fulfillment"),
        order=order,
        name=f"{order.name}.{len(order.fulfillments) + 1}",
        location=plan[0][0].assigned_location,
        tracking_info=tracking_from_input(fulfillment_input.get("trackingInfo")),
        created_at=now,
        updated_at=now,
        notify_customer=bool(fulfillment_input.get("notifyCustomer")),
    )
    for fulfillment_order, lines in plan:
        for fo_line, quantity in lines:
            _ship_line(state, fulfillment, fo_line, quantity)
        settle_status(fulfillment_order)
        fulfillment_order.updated_at = now
        fulfillment.fulfillment_orders.append(fulfillment_order)
    fulfillment.total_quantity = sum(line.quantity for line in fulfillment.fulfillment_line_items)
    order.fulfillments.append(state.add(fulfillment))
    refresh_fulfillment_status(order)
    order.updated_at = now
    _announce(state, fulfillment, order)
    return fulfillment


def _ship_line(
    state: ShopState, fulfillment: SandboxFulfillment, fo_line: FulfillmentOrderLineItem, quantity: int
) -> None:
    line = fo_line.line_item
    assert line is not None
    fo_line.remaining_quantity -= quantity
    line.fulfilled_quantity += quantity
    ship(state, line, quantity, fulfillment.location)
    fulfillment.fulfillment_line_items.append(
        state.add(
            FulfillmentLineItem(number=state.new_number("FulfillmentLineItem"), line_item=line, quantity=quantity)
        )
    )


def _announce(state: ShopState, fulfillment: SandboxFulfillment, order: Order) -> None:
    state.publish("fulfillments/create", fulfillment_to_rest(fulfillment))
    rest_order = order_rest_now(state, order)
    if order.display_fulfillment_status == "FULFILLED":
        state.publish("orders/fulfilled", rest_order)
    else:
        state.publish("orders/partially_fulfilled", rest_order)
    state.publish("orders/updated", rest_order)


def shrink_fulfillment_orders(order: Order, line: LineItem, units: int) -> None:
    """Units removed from an order before shipping (refund, edit) are no longer to be fulfilled."""
    for fulfillment_order in order.fulfillment_orders:
        if units == 0 or fulfillment_order.status in ("CLOSED", "CANCELLED"):
            continue
        for fo_line in fulfillment_order.line_items:
            if fo_line.line_item is line and fo_line.remaining_quantity:
                taken = min(units, fo_line.remaining_quantity)
                fo_line.remaining_quantity -= taken
                fo_line.total_quantity -= taken
                units -= taken
        if all(fo_line.total_quantity == 0 for fo_line in fulfillment_order.line_items):
            fulfillment_order.fulfillment_holds = []
        settle_status(fulfillment_order)


def add_to_fulfillment_orders(state: ShopState, order: Order, line: LineItem, units: int) -> None:
    """Units added by an edit: onto an open fulfillment order at the line's location, or a new one."""
    location = line.location
    target = next(
        (
            fo
            for fo in order.fulfillment_orders
            if fo.status in ("OPEN", "IN_PROGRESS") and fo.assigned_location is location
        ),
        None,
    )
    now = state.now()
    if target is None:
        target = state.add(
            FulfillmentOrder(
                number=state.new_number("FulfillmentOrder"),
                order=order,
                assigned_location=location,
                created_at=now,
                updated_at=now,
            )
        )
        order.fulfillment_orders.append(target)
    fo_line = next((item for item in target.line_items if item.line_item is line), None)
    if fo_line is None:
        fo_line = state.add(
            FulfillmentOrderLineItem(number=state.new_number("FulfillmentOrderLineItem"), line_item=line)
        )
        target.line_items.append(fo_line)
    fo_line.total_quantity += units
    fo_line.remaining_quantity += units
    settle_status(target)
    target.updated_at = now
