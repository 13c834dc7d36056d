"""Several shops selling from one warehouse: what each is offered, so that together they never oversell.

Everything that holds units back counts against the warehouse whichever shop it comes from (the caller sums
every shop's unposted demand and Shopify committed units into one `StockNeed` per SKU and warehouse). What is
left, less the buffer, is *sellable*; each warehouse's `Sharing` says how it is offered:

- `split` (the default): the sellable units are shared out between the shops that sell the SKU there, by
  weight, largest remainder first, so the offers add up to the sellable units and never more. Each shop can
  sell only what it is offered, so shops selling at the same moment cannot oversell.
- `pool`: every shop is offered everything sellable, refreshed after each sale. More sales where one shop is
  busier, but between a sale in one shop and the next update of the others, they offer units already sold.

A bundle is made of what each of its components may still sell after the component's own buffer (and, under
`split`, of the shop's share of it), less the bundle's own buffer: bundle sales never take a component below
its buffer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from trueup.domain.bundles import KitComponent
from trueup.domain.inventory import BufferRules, InventoryLevel, StockNeed, bundle_available, target_available


class Sharing(StrEnum):
    SPLIT = "split"  # the shops' offers add up to what is sellable, shared by weight
    POOL = "pool"  # every shop offers everything sellable


@dataclass(frozen=True)
class WarehouseSharing:
    """How one warehouse's sellable units are offered to the shops selling from it."""

    sharing: Sharing = Sharing.SPLIT
    weights: Mapping[str, Decimal] | None = None  # by shop domain; a shop not named weighs 1

    def weight(self, shop: str) -> Decimal:
        return Decimal(1) if not self.weights else self.weights.get(shop, Decimal(1))


def split_units(units: int, weights: Mapping[str, Decimal]) -> dict[str, int]:
    """`units` shared out by `weights` in whole units: each its floor, then the units left one by one to the
    largest remainders (ties by name). The shares add up to `units` (0 each when nobody weighs anything)."""
    total = sum((w for w in weights.values() if w > 0), Decimal(0))
    if units <= 0 or total <= 0:
        return dict.fromkeys(weights, 0)
    exact = {name: Decimal(units) * max(w, Decimal(0)) / total for name, w in weights.items()}
    shares = {name: int(value) for name, value in exact.items()}  # floor: both are non-negative
    left = units - sum(shares.values())
    by_remainder = sorted(exact, key=lambda name: (-(exact[name] - shares[name]), name))
    for name in [n for n in by_remainder if weights[n] > 0][:left]:
        shares[name] += 1
    return shares


@dataclass(frozen=True)
class ShopLevels:
    """One shop's Shopify levels to compute, and its locations (gid → ERP warehouse)."""

    levels: Sequence[InventoryLevel]
    warehouse_of: Mapping[str, str]


def shared_stock_targets(
    shops: Mapping[str, ShopLevels],
    needs: Mapping[tuple[str, str], StockNeed],
    bundles: Mapping[str, Sequence[KitComponent]],
    buffers: BufferRules,
    sharing: Mapping[str, WarehouseSharing],
) -> dict[str, dict[tuple[str, str], int]]:
    """The target of each shop's levels, by shop then (sku, location gid), for the levels trueup can compute (the
    location mapped, the SKU or every component of a bundle known to the ERP there). `needs` count every shop's
    holds; `sharing` is by warehouse (a warehouse not named: `split`, equal weights)."""
    sellers = _sellers(shops, bundles)
    plans = {key: _plan(key, who, needs, buffers, sharing) for key, who in sellers.items() if key in needs}
    targets: dict[str, dict[tuple[str, str], int]] = {}
    for shop, mine in shops.items():
        own = targets.setdefault(shop, {})
        for level in mine.levels:
            warehouse = mine.warehouse_of.get(level.location_id)
            if warehouse is None:
                continue
            target = _target(shop, level, warehouse, plans, bundles.get(level.sku), buffers)
            if target is not None:
                own[(level.sku, level.location_id)] = target
    return targets


@dataclass(frozen=True)
class _Plan:
    """How one SKU's units at one warehouse are offered: each shop's share (split), or None (pool: each location
    offers what is sellable after its own buffer)."""

    promisable: int
    shares: Mapping[str, int] | None


def _sellers(
    shops: Mapping[str, ShopLevels], bundles: Mapping[str, Sequence[KitComponent]]
) -> dict[tuple[str, str], dict[str, set[str]]]:
    """Per (sku, warehouse): the shops selling the SKU there, itself or in a bundle, with the locations."""
    sellers: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for shop, mine in shops.items():
        for level in mine.levels:
            warehouse = mine.warehouse_of.get(level.location_id)
            if warehouse is None:
                continue
            for sku in [c.sku for c in bundles.get(level.sku) or ()] or [level.sku]:
                sellers[(sku, warehouse)][shop].add(level.location_id)
    return sellers


def _plan(
    key: tuple[str, str],
    sellers: Mapping[str, set[str]],
    needs: Mapping[tuple[str, str], StockNeed],
    buffers: BufferRules,
    sharing: Mapping[str, WarehouseSharing],
) -> _Plan:
    sku, warehouse = key
    promisable = needs[key].promisable
    rule = sharing.get(warehouse, WarehouseSharing())
    if rule.sharing is Sharing.POOL or len(sellers) == 1:
        return _Plan(promisable, None)
    # The most any location may offer after its buffer: shared out, it is never exceeded in total.
    locations = set().union(*sellers.values())
    sellable = min(target_available(promisable, 0, buffers.buffer_for(sku, loc)) for loc in locations)
    return _Plan(promisable, split_units(sellable, {shop: rule.weight(shop) for shop in sorted(sellers)}))


def _target(
    shop: str,
    level: InventoryLevel,
    warehouse: str,
    plans: Mapping[tuple[str, str], _Plan],
    components: Sequence[KitComponent] | None,
    buffers: BufferRules,
) -> int | None:
    def may_sell(sku: str) -> int:
        plan = plans[(sku, warehouse)]
        if plan.shares is not None:
            return plan.shares[shop]
        return target_available(plan.promisable, 0, buffers.buffer_for(sku, level.location_id))

    bundle_buffer = buffers.buffer_for(level.sku, level.location_id)
    if components:
        if not all((c.sku, warehouse) in plans for c in components):
            return None
        parts = {c.sku: may_sell(c.sku) for c in components}
        return target_available(bundle_available(components, parts), 0, bundle_buffer)
    if (level.sku, warehouse) not in plans:
        return None
    return may_sell(level.sku)
