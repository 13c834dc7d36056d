"""Where a new order's goods come from: stock committed per location and one FulfillmentOrder per location."""

from __future__ import annotations

from shopify_sandbox.inventory import commit_for_order, level_at, pick_location
from shopify_sandbox.models.catalog import Location
from shopify_sandbox.models.orders import FulfillmentOrder, FulfillmentOrderLineItem, LineItem, Order
from shopify_sandbox.state import ShopState


class InventoryClaimFailed(ValueError):
    """DECREMENT_OBEYING_POLICY and not enough available stock."""


def assign_locations(state: ShopState, lines: list[LineItem], behaviour: str) -> None:
    """Choose each line's location; check stock when the policy must be obeyed (before anything changes)."""
    primary = next((loc for loc in state.all("Location") if loc.is_primary), None)
    for line in lines:
        item = line.variant.inventory_item if line.variant else None
        if item is None or not item.tracked:
            line.location = primary
            continue
        line.location = pick_location(state, item, line.quantity)
        if behaviour == "DECREMENT_OBEYING_POLICY":
            level = item.levels.get(line.location.number) if line.location else None
            if level is None or level.quantity("available") < line.quantity:
                raise InventoryClaimFailed(f"Unable to reserve inventory for {line.sku or line.title}")


def commit_stock(state: ShopState, lines: list[LineItem], behaviour: str) -> None:
    """available → committed at each line's location, unless inventory is bypassed (orderCreate's default)."""
    if behaviour == "BYPASS":
        return
    for line in lines:
        item = line.variant.inventory_item if line.variant else None
        if item is not None and item.tracked and line.location is not None:
            commit_for_order(state, level_at(state, item, line.location), line.quantity)


def create_fulfillment_orders(state: ShopState, order: Order) -> None:
    """One OPEN fulfillment order per location holding the order's lines that need shipping."""
    by_location: dict[int, tuple[Location, list[LineItem]]] = {}
    for line in order.line_items:
        if line.location is None or not line.requires_shipping:
            continue
        by_location.setdefault(line.location.number, (line.location, []))[1].append(line)
    now = state.now()
    for location, lines in by_location.values():
        fulfillment_order = FulfillmentOrder(
            number=state.new_number("FulfillmentOrder"),
            order=order,
            assigned_location=location,
            created_at=now,
            updated_at=now,
        )
        for line in lines:
            fulfillment_order.line_items.append(
                state.add(
                    FulfillmentOrderLineItem(
                        number=state.new_number("FulfillmentOrderLineItem"),
                        line_item=line,
                        total_quantity=line.quantity,
                        remaining_quantity=line.quantity,
                    )
                )
            )
        order.fulfillment_orders.append(state.add(fulfillment_order))
