"""Why Shopify shows what it shows for one SKU: every figure of its target, per mapped location."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from trueup.domain.inventory import bundle_available, target_available
from trueup.service_layer.inventory import (
    UNKNOWN_WAREHOUSE,
    StockContext,
    StockPass,
    bundles_of,
    group_demand,
    level_targets,
    read_levels,
)


@dataclass(frozen=True)
class LevelExplained:
    location_id: str
    warehouse: str
    shopify: int | None  # None: not stocked there in Shopify
    erp_available: int | None  # None: the ERP has no such product there (a bundle: from its components)
    unposted_demand: int
    buffer: str
    target: int | None
    last_set: int | None
    last_set_at: str | None
    components: dict[str, int] | None = None  # a bundle's components: what each can promise
    shopify_committed: int | None = None  # Shopify's committed units of the SKU there
    erp_on_hand: int | None = None  # the ERP's on hand (None: not reported, or a bundle)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def explain_sku(ctx: StockContext, sku: str) -> list[LevelExplained]:
    """The figures behind `sku`'s level at each mapped location (reads Shopify and the ERP; writes nothing)."""
    policy, shop = ctx.policy, ctx.shopify.shop
    read = read_levels(ctx, {sku})
    own = [level for level in read if level.sku == sku]
    levels = {level.location_id: level.available for level in own}
    committed = {level.location_id: level.committed for level in own}
    # The target as a sync computes it (both bounds, Shopify's committed units included), where Shopify stocks it.
    computed = level_targets(ctx, own, read, StockPass())
    parts = bundles_of(ctx, {sku}).get(sku)
    demand = group_demand(ctx)  # every shop selling from the warehouse
    last = {level.location_id: level for level in ctx.store.levels_set(shop, sku)}
    rows = []
    for location_id, warehouse in sorted(policy.locations.items()):
        buffer = policy.buffers.buffer_for(sku, location_id)
        wanted = [c.sku for c in parts] if parts else [sku]
        rows_ = ctx.back_office.warehouse_stock(warehouse, wanted)
        stock = {row.sku: int(row.available) for row in rows_}
        on_hand = {row.sku: None if row.on_hand is None else int(row.on_hand) for row in rows_}
        taken = {s: demand.get((s, warehouse), 0) + demand.get((s, UNKNOWN_WAREHOUSE), 0) for s in wanted}
        components = None
        erp: int | None
        if parts:
            components = {s: max(stock.get(s, 0) - taken[s], 0) for s in wanted}
            erp, unposted = bundle_available(parts, components), 0
        else:
            erp, unposted = stock.get(sku), taken[sku]
        target = computed.get((sku, location_id))
        if target is None and erp is not None:  # not stocked in Shopify there: the ERP's side only
            target = target_available(erp, unposted, buffer)
        set_ = last.get(location_id)
        rows.append(
            LevelExplained(
                location_id,
                warehouse,
                levels.get(location_id),
                erp,
                unposted,
                f"{buffer.amount}{'%' if buffer.kind == 'percent' else ''}",
                target,
                set_.quantity if set_ else None,
                set_.set_at.isoformat() if set_ else None,
                components,
                committed.get(location_id),
                None if parts else on_hand.get(sku),
            )
        )
    return rows
