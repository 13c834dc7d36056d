"""How post-purchase events move a line's stock at its location, with Shopify's quantity names.

Fulfilling ships committed units (committed and on_hand go down); cancelling or refunding unshipped units
releases the commitment (back to available when restocked); returning shipped units puts them back on
the shelf (available). Lines whose stock was never committed (orderCreate's default BYPASS) release
nothing they did not reserve.
"""

from __future__ import annotations

from shopify_sandbox.inventory import change, level_at
from shopify_sandbox.models.catalog import InventoryLevel, Location
from shopify_sandbox.models.orders import LineItem
from shopify_sandbox.state import ShopState


def _level(state: ShopState, line: LineItem, location: Location | None) -> InventoryLevel | None:
    item = line.variant.inventory_item if line.variant else None
    where = location or line.location
    if item is None or not item.tracked or where is None:
        return None
    return level_at(state, item, where)


def ship(state: ShopState, line: LineItem, quantity: int, location: Location | None = None) -> None:
    """Units leave the warehouse: their commitment is used up."""
    level = _level(state, line, location)
    if level is not None:
        level.quantities_by_name["committed"] -= min(quantity, level.quantities_by_name["committed"])
        level.updated_at = state.now()


def release(state: ShopState, line: LineItem, quantity: int, restock: bool) -> None:
    """Unshipped units leave the order: the commitment goes, back to available when `restock`."""
    level = _level(state, line, None)
    if level is None:
        return
    released = min(quantity, level.quantities_by_name["committed"])
    level.quantities_by_name["committed"] -= released
    if restock and released:
        change(state, level, "available", released)
    level.updated_at = state.now()


def commit(state: ShopState, line: LineItem, quantity: int) -> None:
    """Units added to an order (an edit): available → committed at the line's location."""
    level = _level(state, line, None)
    if level is not None:
        level.quantities_by_name["committed"] += quantity
        change(state, level, "available", -quantity)


def put_back(state: ShopState, line: LineItem, quantity: int, location: Location | None) -> None:
    """Returned units go back on the shelf at `location` (the line's own location by default)."""
    level = _level(state, line, location)
    if level is not None:
        change(state, level, "available", quantity)
