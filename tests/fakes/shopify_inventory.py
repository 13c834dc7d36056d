"""The inventory side of FakeShopifyAdmin: locations, `available` and `committed` per (item, location), and
inventorySetQuantities as Shopify runs it (compare-and-set on every quantity, the whole call refused when
one compare is stale, `@idempotent(key:)` honoured). Held to the same contract as the real client by
tests/contract/test_shopify_inventory_contract.py."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from trueup.adapters.shopify.inventory import check_batch
from trueup.domain.errors import BadInput, Cause, StructuralError
from trueup.domain.inventory import InventoryLevel, ShopLocation, StockWrite, StockWriteResult


@dataclass
class _Level:
    available: int
    updated_at: datetime
    committed: int = 0


@dataclass
class FakeShopifyInventory:
    """Stock as one shop holds it. `batches` records each set_available call that reached Shopify (not
    the replays of a key already used), with its key, in order."""

    clock: Callable[[], datetime]
    locations: dict[str, ShopLocation] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)  # sku -> inventory item gid
    levels: dict[tuple[str, str], _Level] = field(default_factory=dict)  # (item gid, location gid)
    batches: list[tuple[str, tuple[StockWrite, ...]]] = field(default_factory=list)
    _remembered: dict[str, tuple[tuple[StockWrite, ...], StockWriteResult]] = field(default_factory=dict)
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    # --- arranging -------------------------------------------------------------------------------
    def add_location(self, name: str, *, active: bool = True, location_id: str | None = None) -> ShopLocation:
        gid = location_id or f"gid://shopify/Location/{next(self._numbers)}"
        location = ShopLocation(gid, name, active)
        self.locations[gid] = location
        return location

    def item_id(self, sku: str) -> str:
        """The inventory item of `sku` (created, tracked and stocked nowhere, when new)."""
        if sku not in self.items:
            self.items[sku] = f"gid://shopify/InventoryItem/{next(self._numbers)}"
        return self.items[sku]

    def put_level(self, sku: str, location_id: str, available: int) -> InventoryLevel:
        """Stock `sku` at the location with `available` units (as a merchant would in Shopify's admin)."""
        if location_id not in self.locations:
            raise ValueError(f"unknown location {location_id}")
        item = self.item_id(sku)
        self.levels[(item, location_id)] = _Level(available, self.clock())
        return self._level(sku, item, location_id)

    def drift(self, sku: str, location_id: str, delta: int) -> int:
        """Change `available` behind trueup's back (an order placed, an edit in the admin); returns it."""
        level = self.levels[(self.items[sku], location_id)]
        level.available += delta
        level.updated_at = self.clock()
        return level.available

    def take_order(self, sku: str, location_id: str, quantity: int) -> int:
        """An order Shopify takes for `quantity` units at the location: available → committed (as Shopify does
        when it reserves an order's stock); returns the new `available`."""
        level = self.levels[(self.items[sku], location_id)]
        level.available -= quantity
        level.committed += quantity
        level.updated_at = self.clock()
        return level.available

    def fulfil(self, sku: str, location_id: str, quantity: int) -> None:
        """Units of an order fulfilled in Shopify: they leave `committed`."""
        level = self.levels[(self.items[sku], location_id)]
        level.committed -= min(quantity, level.committed)
        level.updated_at = self.clock()

    def committed(self, sku: str, location_id: str) -> int:
        return self.levels[(self.items[sku], location_id)].committed

    def available(self, sku: str, location_id: str) -> int | None:
        """`available` of `sku` at the location, None when it is not stocked there."""
        level = self.levels.get((self.items.get(sku, ""), location_id))
        return None if level is None else level.available

    # --- the port ---------------------------------------------------------------------------------
    def all_locations(self) -> list[ShopLocation]:
        return list(self.locations.values())

    def inventory_levels(self, location_ids: Sequence[str], skus: Iterable[str] | None = None) -> list[InventoryLevel]:
        wanted = set(location_ids)
        chosen = self.items.keys() if skus is None else [s for s in dict.fromkeys(skus) if s in self.items]
        return [
            self._level(sku, self.items[sku], location)
            for sku in chosen
            for location in self.locations
            if location in wanted and (self.items[sku], location) in self.levels
        ]

    def set_available(self, writes: Sequence[StockWrite], idempotency_key: str) -> StockWriteResult:
        check_batch(writes, idempotency_key)
        batch = tuple(writes)
        remembered = self._remembered.get(idempotency_key)
        if remembered is not None:
            if remembered[0] != batch:
                raise BadInput("the same idempotency key was sent with other stock writes")
            return remembered[1]
        self.batches.append((idempotency_key, batch))
        for write in batch:
            self._check_target(write)
        # Shopify refuses the whole call when one compare is stale; the client sends the others again.
        stale = tuple(w for w in batch if self._current(w) != w.expected)
        applied = tuple(w for w in batch if w not in stale)
        for write in applied:
            known = self.levels.get((write.inventory_item_id, write.location_id))
            committed = 0 if known is None else known.committed  # setting `available` leaves `committed` alone
            self.levels[(write.inventory_item_id, write.location_id)] = _Level(write.quantity, self.clock(), committed)
        result = StockWriteResult(applied, stale)
        self._remembered[idempotency_key] = (batch, result)
        return result

    def _check_target(self, write: StockWrite) -> None:
        if write.location_id not in self.locations:
            raise StructuralError(
                Cause.UNMAPPED_LOCATION, f"Shopify has no location {write.location_id} (SKU {write.sku})"
            )
        if write.inventory_item_id not in self._skus_by_item():
            raise unknown_item(write)

    def _skus_by_item(self) -> dict[str, str]:
        return {item: sku for sku, item in self.items.items()}

    def _current(self, write: StockWrite) -> int:
        # In 2026-10 (no ITEM_NOT_STOCKED_AT_LOCATION any more) a write stocks the item where it was not, from 0.
        level = self.levels.get((write.inventory_item_id, write.location_id))
        return 0 if level is None else level.available

    def _level(self, sku: str, item: str, location_id: str) -> InventoryLevel:
        level = self.levels[(item, location_id)]
        return InventoryLevel(sku, item, location_id, level.available, level.updated_at, level.committed)


def unknown_item(write: StockWrite) -> StructuralError:
    """Shopify's INVALID_INVENTORY_ITEM, as the client reports it."""
    return StructuralError(
        Cause.SKU_NOT_IN_SHOPIFY,
        f"Shopify has no inventory item {write.inventory_item_id} for SKU {write.sku}",
        needs={"skus": [write.sku]},
    )
