"""Fulfillment holds: fulfillmentOrderHold (optionally on some line items, splitting off the rest) and
fulfillmentOrderReleaseHold. A held fulfillment order is ON_HOLD until its last hold is released."""

from __future__ import annotations

from typing import Any

from shopify_sandbox.fulfillment_commands import FULFILLABLE, FulfillmentError, settle_status
from shopify_sandbox.models.orders import FulfillmentOrder, FulfillmentOrderLineItem
from shopify_sandbox.models.post_purchase import FulfillmentHold
from shopify_sandbox.state import ShopState

MAX_HOLDS = 10


def place_hold(
    state: ShopState, fulfillment_order: FulfillmentOrder, hold_input: dict[str, Any]
) -> tuple[FulfillmentHold, FulfillmentOrder | None]:
    """fulfillmentOrderHold: the hold, and the fulfillment order split off with the unheld lines (if any)."""
    if fulfillment_order.status not in (*FULFILLABLE, "ON_HOLD"):
        raise FulfillmentError(
            f"The fulfillment order's status ({fulfillment_order.status}) does not allow a hold.", ["id"]
        )
    handle = hold_input.get("handle") or ""
    holds = fulfillment_order.fulfillment_holds
    if any(hold.handle == handle for hold in holds):
        raise FulfillmentError(
            "The handle provided for the fulfillment hold is already in use by this app for another "
            "hold on this fulfillment order.",
            ["fulfillmentHold", "handle"],
            "DUPLICATE_FULFILLMENT_HOLD_HANDLE",
        )
    if len(holds) >= MAX_HOLDS:
        raise FulfillmentError(
            "The maximum number of fulfillment holds for this fulfillment order has been reached for this app.",
            ["id"],
            "FULFILLMENT_ORDER_HOLD_LIMIT_REACHED",
        )
    requested = hold_input.get("fulfillmentOrderLineItems") or []
    if requested and fulfillment_order.status == "ON_HOLD":
        raise FulfillmentError(
            "The fulfillment order is not in a splittable state.",
            ["fulfillmentHold"],
            "FULFILLMENT_ORDER_NOT_SPLITTABLE",
        )
    remaining = split_off_unheld(state, fulfillment_order, requested) if requested else None
    hold = state.add(
        FulfillmentHold(
            number=state.new_number("FulfillmentHold"),
            reason=hold_input["reason"],
            reason_notes=hold_input.get("reasonNotes"),
            handle=handle,
            external_id=hold_input.get("externalId"),
        )
    )
    holds.append(hold)
    fulfillment_order.status = "ON_HOLD"
    fulfillment_order.updated_at = state.now()
    return hold, remaining


def split_off_unheld(
    state: ShopState, fulfillment_order: FulfillmentOrder, requested: list[dict[str, Any]]
) -> FulfillmentOrder | None:
    """Keep the requested quantities on `fulfillment_order`; move the rest to a new fulfillment order."""
    field = ["fulfillmentHold", "fulfillmentOrderLineItems"]
    wanted: dict[int, int] = {}
    for item in requested:
        line = state.by_gid(item["id"], "FulfillmentOrderLineItem")
        if line is None or line not in fulfillment_order.line_items:
            raise FulfillmentError("Fulfillment order line item does not exist.", field, "INVALID_LINE_ITEM_QUANTITY")
        if line.number in wanted:
            raise FulfillmentError(
                "Duplicated fulfillment order line items.", field, "DUPLICATED_FULFILLMENT_ORDER_LINE_ITEMS"
            )
        if item["quantity"] <= 0:
            raise FulfillmentError("Quantity must be greater than zero.", field, "GREATER_THAN_ZERO")
        if item["quantity"] > line.remaining_quantity:
            raise FulfillmentError("Invalid line item quantity.", field, "INVALID_LINE_ITEM_QUANTITY")
        wanted[line.number] = item["quantity"]
    moved = [(line, line.remaining_quantity - wanted.get(line.number, 0)) for line in fulfillment_order.line_items]
    moved = [(line, quantity) for line, quantity in moved if quantity > 0]
    if not moved:
        return None
    now = state.now()
    remaining = FulfillmentOrder(
        number=state.new_number("FulfillmentOrder"),
        order=fulfillment_order.order,
        assigned_location=fulfillment_order.assigned_location,
        created_at=now,
        updated_at=now,
    )
    for line, quantity in moved:
        line.total_quantity -= quantity
        line.remaining_quantity -= quantity
        remaining.line_items.append(
            state.add(
                FulfillmentOrderLineItem(
                    number=state.new_number("FulfillmentOrderLineItem"),
                    line_item=line.line_item,
                    total_quantity=quantity,
                    remaining_quantity=quantity,
                )
            )
        )
    fulfillment_order.line_items = [line for line in fulfillment_order.line_items if line.total_quantity > 0]
    if fulfillment_order.order is not None:
        fulfillment_order.order.fulfillment_orders.append(state.add(remaining))
    return remaining


def release_holds(state: ShopState, fulfillment_order: FulfillmentOrder, hold_ids: list[str] | None) -> None:
    """fulfillmentOrderReleaseHold: drop the named holds (all by default); without holds it is open again."""
    named = [state.by_gid(hold_id, "FulfillmentHold") for hold_id in hold_ids or []]
    if any(hold is None or hold not in fulfillment_order.fulfillment_holds for hold in named):
        raise FulfillmentError("Fulfillment hold does not exist.", ["holdIds"], "FULFILLMENT_ORDER_NOT_FOUND")
    fulfillment_order.fulfillment_holds = [
        hold for hold in fulfillment_order.fulfillment_holds if named and hold not in named
    ]
    settle_status(fulfillment_order)
    fulfillment_order.updated_at = state.now()
