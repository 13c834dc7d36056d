"""Stock as Shopify should show it: the terms the inventory flow, Shopify and the back-office speak in.

The ERP/WMS owns stock; Shopify holds a copy, per location, lowered by safety buffers and by orders Shopify
has taken that the ERP does not know yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class ShopLocation:
    """A Shopify location. `location_id` is a gid (gid://shopify/Location/<n>)."""

    location_id: str
    name: str
    is_active: bool


@dataclass(frozen=True)
class InventoryLevel:
    """Shopify's `available` quantity of one inventory item at one location."""

    sku: str
    inventory_item_id: str  # gid://shopify/InventoryItem/<n>
    location_id: str  # gid://shopify/Location/<n>
    available: int
    updated_at: datetime | None = None


@dataclass(frozen=True)
class StockWrite:
    """Set `available` of an item at a location to `quantity`, if Shopify still holds `expected` (the
    compare value, sent as changeFromQuantity): a stale compare is re-read and recomputed, never forced."""

    sku: str
    inventory_item_id: str
    location_id: str
    quantity: int
    expected: int


@dataclass(frozen=True)
class StockWriteResult:
    """What became of a batch of writes: those applied, and those whose compare value was stale."""

    applied: tuple[StockWrite, ...]
    stale: tuple[StockWrite, ...]


@dataclass(frozen=True)
class StockChange:
    """A product whose stock moved at an ERP warehouse (what a triggered update recomputes)."""

    sku: str
    warehouse: str  # ERP warehouse code


@dataclass(frozen=True)
class WarehouseStock:
    """What the ERP can promise of a SKU at a warehouse (on hand less what is due out, never below zero)."""

    sku: str
    warehouse: str
    available: Decimal
