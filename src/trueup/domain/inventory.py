"""Stock as Shopify should show it: the terms the inventory flow, Shopify and the back-office speak in.

The ERP/WMS owns stock; Shopify holds a copy, per location, lowered by safety buffers and by orders Shopify
has taken that the ERP does not know yet.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from trueup.domain.bundles import KitComponent


@dataclass(frozen=True)
class ShopLocation:
    """A Shopify location. `location_id` is a gid (gid://shopify/Location/<n>)."""

    location_id: str
    name: str
    is_active: bool


LOCATION_GID = "gid://shopify/Location/"


def location_gid(location_id: str) -> str:
    """The one form trueup compares a Shopify location id in, its gid: "gid://shopify/Location/5" as it is, and
    "5" (as the configuration may give it) as "gid://shopify/Location/5"."""
    return location_id if location_id.startswith("gid://") else f"{LOCATION_GID}{location_id}"


@dataclass(frozen=True)
class InventoryLevel:
    """Shopify's `available` quantity of one inventory item at one location, and its `committed` quantity
    (units of unfulfilled orders Shopify took there, whether or not trueup has seen them), read together."""

    sku: str
    inventory_item_id: str  # gid://shopify/InventoryItem/<n>
    location_id: str  # gid://shopify/Location/<n>
    available: int
    updated_at: datetime | None = None
    committed: int = 0


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
    """What the ERP can promise of a SKU at a warehouse (on hand less what is due out, never below zero), and
    what it has on hand (physically there: nothing due out taken off; None when the ERP does not say)."""

    sku: str
    warehouse: str
    available: Decimal
    on_hand: Decimal | None = None


# --- available to promise ---------------------------------------------------------------------------


class BufferKind(StrEnum):
    ABSOLUTE = "absolute"  # units held back
    PERCENT = "percent"  # a share of what could be promised, held back


@dataclass(frozen=True)
class Buffer:
    """A safety buffer: units (or a percentage of what could be promised) Shopify is not offered."""

    amount: Decimal = Decimal(0)
    kind: BufferKind = BufferKind.ABSOLUTE

    def __post_init__(self) -> None:
        if self.amount < 0 or (self.kind is BufferKind.PERCENT and self.amount > 100):
            raise ValueError(f"a buffer is 0 or more units, or 0 to 100 percent, not {self.amount} {self.kind}")

    def units(self, promisable: int) -> int:
        """The units held back out of `promisable`, rounded up: a buffer never lets Shopify oversell."""
        if self.kind is BufferKind.ABSOLUTE:
            return math.ceil(self.amount)
        return math.ceil(Decimal(max(promisable, 0)) * self.amount / 100)


@dataclass(frozen=True)
class BufferRules:
    """Which buffer applies where: a SKU's own, else its location's, else the default."""

    default: Buffer = Buffer()
    per_sku: Mapping[str, Buffer] = field(default_factory=dict)
    per_location: Mapping[str, Buffer] = field(default_factory=dict)  # by Shopify location gid

    def buffer_for(self, sku: str, location_id: str) -> Buffer:
        return self.per_sku.get(sku) or self.per_location.get(location_id) or self.default


def target_available(erp_available: Decimal | int, unposted_demand: int, buffer: Buffer | int) -> int:
    """What Shopify should show: the ERP's available (whole units) less the orders Shopify took that the ERP
    does not have yet, less the buffer; never below zero."""
    promisable = math.floor(erp_available) - max(unposted_demand, 0)
    held = buffer if isinstance(buffer, int) else buffer.units(promisable)
    return max(promisable - max(held, 0), 0)


def bundle_available(components: Sequence[KitComponent], available: Mapping[str, int]) -> int:
    """How many bundles `available` component units make: the scarcest component decides (units ÷ quantity
    per bundle, floored). A component's `fixed` quantity is counted per bundle too (never oversells)."""
    if not components:
        return 0
    return max(min(math.floor(Decimal(max(available.get(c.sku, 0), 0)) / c.quantity) for c in components), 0)


@dataclass(frozen=True)
class StockNeed:
    """What one SKU at one warehouse can still be sold: the ERP's available less the unposted demand, and
    never more than the ERP's on hand less what Shopify has committed to unfulfilled orders.

    The second bound covers what the first cannot see: an order Shopify took that trueup has not yet heard of
    is in Shopify's `committed` (read with the level) but in neither the ERP nor the unposted demand. An order
    posted but not shipped is in both the ERP's available and `committed`; one shipped in the ERP but not yet
    fulfilled in Shopify is counted twice (on hand fell, `committed` not yet): conservative, until trueup
    fulfils it."""

    available: int
    demand: int = 0
    on_hand: int | None = None  # None: the ERP does not report it (only the first bound applies)
    committed: int = 0  # units Shopify committed that this warehouse's stock answers for (bundles included)

    @property
    def promisable(self) -> int:
        bounds = [self.available - self.demand]
        if self.on_hand is not None:
            bounds.append(self.on_hand - max(self.committed, 0))
        return max(min(bounds), 0)


def committed_by_warehouse(
    levels: Iterable[InventoryLevel],
    warehouse_of: Mapping[str, str],
    bundles: Mapping[str, Sequence[KitComponent]],
    posting_warehouse: str | None,
) -> dict[tuple[str, str], int]:
    """Shopify's committed units each warehouse's stock answers for, by (sku, warehouse): what is committed at
    the locations mapped to the warehouse, and — as orders post to one warehouse — everything committed at a
    mapped location counts at the posting warehouse too (at every warehouse when the ERP picks it). A bundle's
    committed units count on its components (quantity per bundle, a fixed one too, rounded up)."""
    warehouses = set(warehouse_of.values())
    counted: dict[tuple[str, str], int] = {}
    for level in levels:
        at = warehouse_of.get(level.location_id)
        if at is None or level.committed <= 0:
            continue
        answering = {at} | ({posting_warehouse} if posting_warehouse else warehouses)
        parts = [(c.sku, math.ceil(c.quantity * level.committed)) for c in bundles.get(level.sku) or ()]
        for sku, units in parts or [(level.sku, level.committed)]:
            for warehouse in answering:
                counted[(sku, warehouse)] = counted.get((sku, warehouse), 0) + units
    return counted


def plan_writes(levels: Iterable[InventoryLevel], targets: Mapping[tuple[str, str], int]) -> list[StockWrite]:
    """The writes that bring Shopify to `targets`: only where its level differs, each compared with the level
    read (so a level Shopify changed since is re-read, never overwritten)."""
    writes = []
    for level in levels:
        target = targets.get((level.sku, level.location_id))
        if target is not None and target != level.available:
            writes.append(StockWrite(level.sku, level.inventory_item_id, level.location_id, target, level.available))
    return writes


@dataclass(frozen=True)
class Drift:
    """A level Shopify held that was not what it should have been, found by a reconciliation."""

    sku: str
    location_id: str
    shopify: int  # what Shopify showed
    target: int  # what it should have shown
    since: datetime  # the earliest moment it is known to have been so

    @property
    def difference(self) -> int:
        """Shopify minus the target: positive when Shopify offered more than it should (oversell risk)."""
        return self.shopify - self.target


def find_drift(
    levels: Iterable[InventoryLevel],
    targets: Mapping[tuple[str, str], int],
    known_since: Mapping[tuple[str, str], datetime],
    now: datetime,
) -> list[Drift]:
    """The levels that differ from their targets; each since when it was first seen (or Shopify last changed
    it, when that is earlier and known)."""
    found = []
    for level in levels:
        key = (level.sku, level.location_id)
        target = targets.get(key)
        if target is None or target == level.available:
            continue
        candidates = [t for t in (known_since.get(key), level.updated_at) if t is not None]
        found.append(Drift(level.sku, level.location_id, level.available, target, min(candidates, default=now)))
    return found


@dataclass(frozen=True)
class StockIssue:
    """Something the inventory flow cannot do by itself, by cause (`Cause` value), with where it is."""

    cause: str
    sku: str  # "" when the issue is about a location
    location: str  # a Shopify location gid, or an ERP warehouse code
    detail: str


@dataclass(frozen=True)
class LevelSet:
    """A level trueup set in Shopify, and when."""

    sku: str
    location_id: str
    quantity: int
    set_at: datetime
