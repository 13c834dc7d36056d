"""inventorySetQuantities and inventoryAdjustQuantities (2026-04+ semantics), validated then applied whole.

Every quantity must carry `changeFromQuantity` (null skips the compare-and-set); a mismatch is
CHANGE_FROM_QUANTITY_STALE and nothing at all is applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shopify_sandbox.inventory import change, level_at
from shopify_sandbox.models.catalog import ON_HAND_PARTS, InventoryItem, Location
from shopify_sandbox.models.inventory_changes import InventoryAdjustmentGroup, InventoryChange
from shopify_sandbox.mutations.payloads import user_error
from shopify_sandbox.state import ShopState

REASONS = frozenset(
    {
        "correction",
        "cycle_count_available",
        "damaged",
        "movement_created",
        "movement_updated",
        "movement_received",
        "movement_canceled",
        "other",
        "promotion",
        "quality_control",
        "received",
        "reservation_created",
        "reservation_deleted",
        "reservation_updated",
        "restock",
        "safety_stock",
        "shrinkage",
    }
)
SETTABLE_NAMES = ("available", "on_hand")
ADJUSTABLE_NAMES = ("available", "damaged", "incoming", "quality_control", "reserved", "safety_stock")
MAX_QUANTITY = 1_000_000_000


class ChangeFromQuantityMissing(ValueError):
    """`changeFromQuantity` absent (it must be given, null included): a top-level error, as Shopify's."""


@dataclass
class _Target:
    item: InventoryItem
    location: Location
    amount: int  # the new quantity (set) or the delta (adjust)
    change_from: int | None
    ledger_document_uri: str | None = None


def _resolve_targets(
    state: ShopState, rows: list[dict[str, Any]], list_name: str, amount_key: str, name: str
) -> tuple[list[_Target], list[dict[str, Any]]]:
    targets, errors, seen = [], [], set()
    for index, row in enumerate(rows):
        field = ["input", list_name, str(index)]
        if "changeFromQuantity" not in row:
            raise ChangeFromQuantityMissing(
                f"The changeFromQuantity argument must be provided for {list_name}[{index}]"
                " (use null to skip the check)."
            )
        item = state.by_gid(row["inventoryItemId"], "InventoryItem")
        location = state.by_gid(row["locationId"], "Location")
        if item is None:
            errors.append(
                user_error(
                    "The specified inventory item could not be found.",
                    [*field, "inventoryItemId"],
                    "INVALID_INVENTORY_ITEM",
                )
            )
        elif location is None:
            errors.append(
                user_error("The specified location could not be found.", [*field, "locationId"], "INVALID_LOCATION")
            )
        elif (item.number, location.number) in seen:
            errors.append(
                user_error(
                    "The combination of inventoryItemId and locationId must be unique.",
                    field,
                    "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR",
                )
            )
        else:
            seen.add((item.number, location.number))
            target = _Target(item, location, row[amount_key], row["changeFromQuantity"], row.get("ledgerDocumentUri"))
            current = item.levels[location.number].quantity(name) if location.number in item.levels else 0
            if target.change_from is not None and target.change_from != current:
                errors.append(
                    user_error(
                        "The specified compare quantity does not match the current quantity.",
                        [*field, "changeFromQuantity"],
                        "CHANGE_FROM_QUANTITY_STALE",
                    )
                )
            targets.append(target)
    return targets, errors


def _common_errors(
    data: dict[str, Any], rows: list[Any], list_name: str, names: tuple[str, ...], name_code: str
) -> list[dict[str, Any]]:
    errors = []
    if data["name"] not in names:
        errors.append(
            user_error(f"The quantity name must be one of: {', '.join(names)}.", ["input", "name"], name_code)
        )
    if data["reason"] not in REASONS:
        errors.append(user_error("The specified reason is invalid.", ["input", "reason"], "INVALID_REASON"))
    return errors


def set_quantities(state: ShopState, data: dict[str, Any]) -> dict[str, Any]:
    """Set `available` or `on_hand` to absolute values; the payload of inventorySetQuantities."""
    rows = data["quantities"]
    errors = _common_errors(data, rows, "quantities", SETTABLE_NAMES, "INVALID_NAME")
    if errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    targets, errors = _resolve_targets(state, rows, "quantities", "quantity", data["name"])
    errors += [
        user_error(
            "The total quantity can't be higher than 1,000,000,000.",
            ["input", "quantities", str(i), "quantity"],
            "INVALID_QUANTITY_TOO_HIGH",
        )
        for i, t in enumerate(targets)
        if t.amount > MAX_QUANTITY
    ]
    if errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    group = _group(state, data)
    for target in targets:
        level = level_at(state, target.item, target.location)
        delta = target.amount - level.quantity(data["name"])
        after = change(state, level, "available", delta)
        group.changes.append(InventoryChange("available", delta, after, target.item, target.location))
        group.changes.append(InventoryChange("on_hand", delta, level.quantity("on_hand"), target.item, target.location))
    return {"inventoryAdjustmentGroup": group, "userErrors": []}


def adjust_quantities(state: ShopState, data: dict[str, Any]) -> dict[str, Any]:
    """Add deltas to a named quantity; the payload of inventoryAdjustQuantities."""
    rows, name = data["changes"], data["name"]
    errors = _common_errors(data, rows, "changes", ADJUSTABLE_NAMES, "INVALID_QUANTITY_NAME")
    for index, row in enumerate(rows):
        has_document = bool(row.get("ledgerDocumentUri"))
        if name == "available" and has_document:
            errors.append(
                user_error(
                    "A ledger document URI is not allowed when adjusting available.",
                    ["input", "changes", str(index), "ledgerDocumentUri"],
                    "INVALID_AVAILABLE_DOCUMENT",
                )
            )
        elif name != "available" and not has_document:
            errors.append(
                user_error(
                    "A ledger document URI is required except when adjusting available.",
                    ["input", "changes", str(index), "ledgerDocumentUri"],
                    "INVALID_QUANTITY_DOCUMENT",
                )
            )
    if errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    targets, errors = _resolve_targets(state, rows, "changes", "delta", name)
    if errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    group = _group(state, data)
    for target in targets:
        level = level_at(state, target.item, target.location)
        after = change(state, level, name, target.amount)
        group.changes.append(
            InventoryChange(name, target.amount, after, target.item, target.location, target.ledger_document_uri)
        )
        if name in ON_HAND_PARTS:
            group.changes.append(
                InventoryChange(
                    "on_hand",
                    target.amount,
                    level.quantity("on_hand"),
                    target.item,
                    target.location,
                    target.ledger_document_uri,
                )
            )
    return {"inventoryAdjustmentGroup": group, "userErrors": []}


def _group(state: ShopState, data: dict[str, Any]) -> InventoryAdjustmentGroup:
    return state.add(
        InventoryAdjustmentGroup(
            number=state.new_number("InventoryAdjustmentGroup"),
            reason=data["reason"],
            reference_document_uri=data.get("referenceDocumentUri"),
            created_at=state.now(),
        )
    )
