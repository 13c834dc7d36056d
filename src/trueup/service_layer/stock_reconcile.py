"""The full stock reconciliation: every mapped level read in bulk and compared with its target, the drift
reported (which SKU, where, by how much, since when), only the differences written, and what trueup cannot do
by itself recorded as stock issues. The shops sharing a warehouse are reconciled together, in one pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import structlog

from trueup.domain.bundles import KitComponent
from trueup.domain.errors import Cause
from trueup.domain.inventory import InventoryLevel, StockIssue, StockNeed, find_drift
from trueup.service_layer.inventory import (
    CHANGES_CURSOR,
    StockContext,
    StockMember,
    StockPass,
    bundles_of,
    converge,
    remember_bundles,
    targets_and_needs,
)

log = structlog.get_logger(__name__)


def take_first_cursor(ctx: StockContext) -> None:
    """Before a reconciliation reads the ERP, the triggered updates' first cursor is taken (when none is): a
    move made after that read is then reported to the next sync, not left to the next reconciliation."""
    shop = ctx.shopify.shop
    if ctx.store.cursor(shop, CHANGES_CURSOR) is None:
        _, moved = ctx.back_office.stock_changes(None)
        if moved is not None and ctx.store.cursor(shop, CHANGES_CURSOR) is None:
            ctx.store.set_cursor(shop, CHANGES_CURSOR, moved)


def reconcile(ctx: StockContext, *, write: bool = True) -> StockPass:
    """Compare every mapped level with its target, write only the differences (unless `write` is False),
    and record the drift still open and the stock issues found (replacing the previous ones). The shops sharing
    a warehouse with this one are reconciled with it; what is returned is this shop's part."""
    return reconcile_group(ctx, write=write)[ctx.shopify.shop]


def reconcile_group(ctx: StockContext, *, write: bool = True) -> dict[str, StockPass]:
    """`reconcile` for every shop of the pass at once (one read of each shop, one computation), by shop."""
    now = ctx.clock.now()
    take_first_cursor(ctx)
    outcomes = {member.shop: StockPass() for member in ctx.members}
    levels = {m.shop: m.shopify.inventory_levels(sorted(m.policy.locations), None) for m in ctx.members}
    bundles = bundles_of(ctx, {level.sku for read in levels.values() for level in read})
    for shop, read in levels.items():
        outcomes[shop].levels_read = len(read)
        stocked = {level.sku for level in read}
        remember_bundles(ctx, shop, {sku: parts for sku, parts in bundles.items() if sku in stocked})
    lead = outcomes[ctx.shopify.shop]
    targets, needs = targets_and_needs(ctx, levels, levels, lead, every_sku=True)
    drifted: dict[str, list[InventoryLevel]] = {}
    for shop, outcome in outcomes.items():
        known = {(d.sku, d.location_id): d.since for d in ctx.store.open_drift(shop)}
        outcome.drift = find_drift(levels[shop], targets.get(shop, {}), known, now)
        keys = {(d.sku, d.location_id) for d in outcome.drift}
        drifted[shop] = [level for level in levels[shop] if (level.sku, level.location_id) in keys]
    if write and any(drifted.values()):
        converge(ctx, drifted, lead, levels, outcomes)
    for member in ctx.members:
        shop, outcome = member.shop, outcomes[member.shop]
        fixed = {(w.sku, w.location_id) for w in outcome.written}
        ctx.store.replace_drift(shop, [d for d in outcome.drift if (d.sku, d.location_id) not in fixed])
        outcome.issues.extend(_issues(member, levels[shop], needs, bundles))
        ctx.store.replace_stock_issues(shop, outcome.issues)
        log.info(
            "stock_reconciled",
            shop=shop,
            levels=len(levels[shop]),
            drift=len(outcome.drift),
            written=len(outcome.written),
            issues=len(outcome.issues),
        )
    return outcomes


def _issues(
    member: StockMember,
    levels: Sequence[InventoryLevel],
    needs: Mapping[tuple[str, str], StockNeed],
    bundles: Mapping[str, Sequence[KitComponent]],
) -> list[StockIssue]:
    policy = member.policy
    issues = []
    shop_locations = {location.location_id: location for location in member.shopify.locations()}
    for location in shop_locations.values():
        if location.is_active and location.location_id not in policy.locations:
            issues.append(
                StockIssue(
                    str(Cause.UNMAPPED_LOCATION),
                    "",
                    location.location_id,
                    f"Shopify location {location.name} is mapped to no ERP warehouse: trueup does not manage its stock",
                )
            )
    for location_id, warehouse in policy.locations.items():
        known = shop_locations.get(location_id)
        if known is None or not known.is_active:
            issues.append(
                StockIssue(
                    str(Cause.UNMAPPED_LOCATION),
                    "",
                    location_id,
                    f"the location mapped to ERP warehouse {warehouse} is "
                    f"{'not in the shop' if known is None else 'deactivated'}",
                )
            )
    read = {warehouse for (_, warehouse) in needs}
    stocked = {(level.sku, level.location_id) for level in levels}
    components = {c.sku for parts in bundles.values() for c in parts}
    for location_id, warehouse in sorted(policy.locations.items()):
        for (sku, at), need in sorted(needs.items()):
            if at == warehouse and need.available > 0 and sku not in components and (sku, location_id) not in stocked:
                issues.append(
                    StockIssue(
                        str(Cause.SKU_NOT_IN_SHOPIFY),
                        sku,
                        location_id,
                        f"{need.available} unit(s) at ERP warehouse {warehouse}, but Shopify does "
                        f"not track {sku} at {location_id}",
                    )
                )
    for level in levels:
        mapped = policy.locations.get(level.location_id)
        if mapped in read and level.sku not in bundles and (level.sku, mapped) not in needs:
            issues.append(
                StockIssue(
                    str(Cause.SKU_NOT_IN_ITEM_MASTER),
                    level.sku,
                    level.location_id,
                    f"Shopify tracks {level.sku or '(no SKU)'} at {level.location_id}, but ERP "
                    f"warehouse {mapped} has no such product: left alone",
                )
            )
    return issues
