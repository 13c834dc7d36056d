"""Inventory quantities with Shopify's semantics: named states per item and location, on_hand derived.

Placing an order moves stock from `available` to `committed` (on_hand unchanged); every change of
`available` announces `inventory_levels/update`.
"""

from __future__ import annotations

from shopify_sandbox.models.catalog import InventoryItem, InventoryLevel, Location
from shopify_sandbox.rest_payloads import inventory_level_to_rest
from shopify_sandbox.state import ShopState


def level_at(state: ShopState, item: InventoryItem, location: Location) -> InventoryLevel:
    """The level of `item` at `location`, stocking it there (all quantities 0) if it was not yet."""
    level = item.levels.get(location.number)
    if level is None:
        now = state.now()
        level = InventoryLevel(
            number=state.new_number("InventoryLevel"), item=item, location=location, created_at=now, updated_at=now
        )
        item.levels[location.number] = state.add(level)
    return level


def change(state: ShopState, level: InventoryLevel, name: str, delta: int) -> int:
    """Add `delta` to quantity `name` (on_hand means available); returns the quantity after the change."""
    stored = "available" if name == "on_hand" else name
    level.quantities_by_name[stored] += delta
    level.updated_at = state.now()
    if stored == "available" and delta:
        state.publish("inventory_levels/update", inventory_level_to_rest(level))
    return level.quantity(name)


def commit_for_order(state: ShopState, level: InventoryLevel, quantity: int) -> None:
    """Reserve `quantity` for an order: available → committed, as Shopify does when an order is placed."""
    level.quantities_by_name["committed"] += quantity
    change(state, level, "available", -quantity)


def pick_location(state: ShopState, item: InventoryItem, quantity: int) -> Location | None:
    """Where an order line takes its stock: the first active location (primary first) that has enough
    available, else the one with most available, else the primary location."""
    locations = sorted(
        (loc for loc in state.all("Location") if loc.is_active), key=lambda loc: (not loc.is_primary, loc.number)
    )
    if not locations:
        return None
    stocked = [(item.levels[loc.number].quantity("available"), loc) for loc in locations if loc.number in item.levels]
    for available, location in stocked:
        if available >= quantity:
            return location
    if stocked:
        return max(stocked, key=lambda pair: pair[0])[1]
    return locations[0]
