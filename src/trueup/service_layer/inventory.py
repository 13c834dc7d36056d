"""Stock from the ERP/WMS to Shopify: what each mapped location should show, sent as differences only.

Target per (SKU, location) = the lesser of (the ERP's available at the location's warehouse − orders Shopify
took that the ERP does not have yet) and (the ERP's on hand there − Shopify's committed units), less the
buffer, never below zero; a bundle from its components (see domain/inventory.py). Shopify's `committed` is read
with `available`, so an order Shopify took that trueup has not heard of yet is never offered again.

- `sync_changes`, every few seconds: the products the ERP reports moved since a cursor, and the SKUs whose
  unposted demand changed, are recomputed at the locations concerned (bundles with their components).
- `reconcile`, on a schedule and on command: every mapped level is read in bulk and compared with its target;
  the drift is reported (which SKU, where, by how much, since when) and only the differences are written.

Every write carries the level read as its compare value: when Shopify changed it since (an order was taken),
the write is refused as stale, and those levels are read again and recomputed, never overwritten.
"""

from __future__ import annotations

import json
import math
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import structlog

from trueup.domain.bundles import KitComponent
from trueup.domain.errors import BadInput, Cause, StructuralError
from trueup.domain.inventory import (
    BufferRules,
    Drift,
    InventoryLevel,
    ShopLocation,
    StockIssue,
    StockNeed,
    StockWrite,
    committed_by_warehouse,
    find_drift,
    plan_writes,
    stock_targets,
)
from trueup.service_layer.bundles import bundles_among
from trueup.service_layer.ports import BackOffice, Clock, ShopifyAdmin, Store
from trueup.service_layer.stock_writes import StockWriteQueue, flush

log = structlog.get_logger(__name__)

CHANGES_CURSOR = "stock_changes"
BUNDLES_CURSOR = "stock_bundles"  # the bundles Shopify stocks, as known at the last reconciliation (JSON)
UNKNOWN_WAREHOUSE = ""  # demand of an order whose warehouse is not known counts at every warehouse


@dataclass(frozen=True)
class StockPolicy:
    """How one shop's stock is computed: its locations (gid → ERP warehouse), buffers and bundles."""

    locations: Mapping[str, str]
    buffers: BufferRules = field(default_factory=BufferRules)
    bundles: Mapping[str, Sequence[KitComponent]] = field(default_factory=dict)  # configured bundles
    stale_rounds: int = 3  # times a stale compare is re-read and recomputed before the next pass takes over
    posting_warehouse: str | None = None  # where the shop's orders post (None: the ERP's default)

    def locations_of(self, warehouses: Iterable[str]) -> list[str]:
        wanted = set(warehouses)
        return [location for location, warehouse in self.locations.items() if warehouse in wanted]


@dataclass(frozen=True)
class StockContext:
    shopify: ShopifyAdmin
    back_office: BackOffice
    store: Store
    clock: Clock
    policy: StockPolicy


@dataclass
class StockPass:
    """What one pass did: levels read, writes applied, drift found, what it could not do."""

    levels_read: int = 0
    written: list[StockWrite] = field(default_factory=list)
    still_stale: list[StockWrite] = field(default_factory=list)
    drift: list[Drift] = field(default_factory=list)
    issues: list[StockIssue] = field(default_factory=list)


def run_stock_pass(step: Callable[[StockContext], StockPass], ctx: StockContext) -> StockPass | None:
    """Run a sync or a reconciliation as a job does: a structural problem (Shopify refusing a write for an
    item not stocked at a location, say) is logged with what to do and left to the next pass; transient
    errors propagate (the job is retried)."""
    try:
        return step(ctx)
    except StructuralError as problem:
        log.warning(
            "stock_pass_failed",
            shop=ctx.shopify.shop,
            cause=str(problem.cause),
            detail=problem.detail,
            what_to_do=problem.what_to_do,
        )
        return None


# --- start-up check -----------------------------------------------------------------------------------
def location_problems(shop: str, locations: Sequence[ShopLocation], configured: Iterable[str]) -> list[str]:
    """What is wrong with the configured locations (gids): each one not in the shop or deactivated."""
    known = {location.location_id: location for location in locations}
    problems = []
    for location_id in configured:
        location = known.get(location_id)
        if location is None:
            problems.append(f"{location_id} is not a location of {shop}")
        elif not location.is_active:
            problems.append(f"{location_id} ({location.name}) is deactivated in {shop}")
    return problems


def check_locations(shopify: ShopifyAdmin, policy: StockPolicy) -> None:
    """Every configured location must exist in the shop and be active; BadInput names each that is not."""
    problems = location_problems(shopify.shop, shopify.locations(), policy.locations)
    if problems:
        raise BadInput("shops.locations: " + "; ".join(problems) + " (see the shop's Settings > Locations)")


# --- triggered updates --------------------------------------------------------------------------------
def sync_changes(ctx: StockContext) -> StockPass:
    """Recompute and write what changed: products the ERP moved since the cursor, SKUs whose demand changed.
    Without a cursor it only takes one, unless the reconciliation at start (which brings everything to target)
    has taken it first: that one is kept, as it was taken before the reconciliation read the ERP."""
    shop = ctx.shopify.shop
    cursor = ctx.store.cursor(shop, CHANGES_CURSOR)
    changes, moved = ctx.back_office.stock_changes(cursor)
    dirty = ctx.store.stock_dirty(shop)
    affected: dict[str, set[str]] = defaultdict(set)  # warehouse → SKUs
    for change in changes:
        affected[change.warehouse].add(change.sku)
    for sku in dirty:
        for warehouse in set(ctx.policy.locations.values()):
            affected[warehouse].add(sku)
    outcome = StockPass()
    if affected and cursor is not None:
        outcome = _update(ctx, _with_bundles(ctx, affected))
    if moved is not None and moved != cursor and (cursor is not None or ctx.store.cursor(shop, CHANGES_CURSOR) is None):
        ctx.store.set_cursor(shop, CHANGES_CURSOR, moved)  # a first cursor the reconciliation took is kept
    if dirty:
        ctx.store.clear_stock_dirty(shop, dirty)
    if outcome.written or outcome.still_stale:
        log.info("stock_synced", shop=shop, written=len(outcome.written), stale=len(outcome.still_stale))
    return outcome


def _with_bundles(ctx: StockContext, affected: Mapping[str, set[str]]) -> dict[str, set[str]]:
    """The affected SKUs plus the bundles any of them is a component of."""
    bundles = known_bundles(ctx)
    result = {}
    for warehouse, skus in affected.items():
        containing = {bundle for bundle, parts in bundles.items() if any(c.sku in skus for c in parts)}
        result[warehouse] = skus | containing
    return result


def _update(ctx: StockContext, affected: Mapping[str, set[str]]) -> StockPass:
    locations = set(ctx.policy.locations_of(affected))
    skus = set().union(*affected.values()) if affected else set()
    if not locations or not skus:
        return StockPass()
    outcome = StockPass()
    read = read_levels(ctx, skus)
    outcome.levels_read = len(read)
    _converge(ctx, [level for level in read if level.location_id in locations and level.sku in skus], outcome, read)
    return outcome


def read_levels(ctx: StockContext, skus: set[str]) -> list[InventoryLevel]:
    """The levels of `skus` at every mapped location, with the bundles holding them and their components:
    every `committed` quantity their targets depend on, read at once."""
    containing = {bundle for bundle, parts in known_bundles(ctx).items() if any(c.sku in skus for c in parts)}
    components = {c.sku for parts in bundles_of(ctx, skus | containing).values() for c in parts}
    wanted = skus | containing | components
    return ctx.shopify.inventory_levels(sorted(ctx.policy.locations), sorted(wanted))


def _converge(
    ctx: StockContext, levels: list[InventoryLevel], outcome: StockPass, read: Sequence[InventoryLevel]
) -> None:
    """Write the differences of `levels` (their committed units are taken from `read`, the levels read with
    them); re-read and recompute the stale ones, a few rounds at most."""
    for round_ in range(ctx.policy.stale_rounds + 1):
        targets = level_targets(ctx, levels, read, outcome)
        writes = plan_writes(levels, targets)
        if not writes:
            return
        stale = _write(ctx, writes, outcome)
        if not stale:
            return
        if round_ == ctx.policy.stale_rounds:
            outcome.still_stale.extend(stale)
            log.info("stock_still_stale", shop=ctx.shopify.shop, writes=len(stale))
            return
        log.info("stock_write_stale", shop=ctx.shopify.shop, writes=len(stale), round=round_ + 1)
        keys = {(w.sku, w.location_id) for w in stale}
        read = read_levels(ctx, {w.sku for w in stale})
        levels = [level for level in read if (level.sku, level.location_id) in keys]


def _write(ctx: StockContext, writes: Sequence[StockWrite], outcome: StockPass) -> list[StockWrite]:
    """Send `writes` through the coalescing queue (one write per item and location, 250 per call, each call's
    idempotency key derived from this pass and its content); returns the stale ones."""
    queue, run_id = StockWriteQueue(), uuid.uuid4().hex
    queue.put_all(writes)
    stale: list[StockWrite] = []
    while len(queue):
        report = flush(ctx.shopify, queue, run_id, max_calls=1)
        if report.applied:
            ctx.store.record_levels_set(ctx.shopify.shop, report.applied)
        outcome.written.extend(report.applied)
        stale.extend(report.stale)
    return stale


def level_targets(
    ctx: StockContext, levels: Sequence[InventoryLevel], read: Sequence[InventoryLevel], outcome: StockPass
) -> dict[tuple[str, str], int]:
    policy = ctx.policy
    bundles = bundles_of(ctx, {level.sku for level in [*levels, *read]})
    wanted: dict[str, set[str]] = defaultdict(set)
    for level in levels:
        warehouse = policy.locations.get(level.location_id)
        if warehouse is not None:
            parts = bundles.get(level.sku)
            wanted[warehouse].update([c.sku for c in parts] if parts else [level.sku])
    committed = committed_by_warehouse(read, policy.locations, bundles, policy.posting_warehouse)
    needs = _needs(ctx, {warehouse: sorted(skus) for warehouse, skus in wanted.items()}, committed, outcome)
    return stock_targets(levels, policy.locations, needs, bundles, policy.buffers)


def _needs(
    ctx: StockContext,
    wanted: Mapping[str, Sequence[str] | None],
    committed: Mapping[tuple[str, str], int],
    outcome: StockPass,
) -> dict[tuple[str, str], StockNeed]:
    """The ERP's available and on hand, the unposted demand and Shopify's committed units, by (sku, warehouse),
    for the SKUs wanted (None: all)."""
    demand = ctx.store.unposted_demand(ctx.shopify.shop)
    needs: dict[tuple[str, str], StockNeed] = {}
    for warehouse, skus in wanted.items():
        try:
            stock = ctx.back_office.warehouse_stock(warehouse, skus)
        except StructuralError as problem:  # a warehouse mapped in the configuration the ERP does not have
            outcome.issues.append(StockIssue(str(problem.cause), "", warehouse, problem.detail))
            continue
        for row in stock:
            taken = demand.get((row.sku, warehouse), 0) + demand.get((row.sku, UNKNOWN_WAREHOUSE), 0)
            on_hand = None if row.on_hand is None else math.floor(row.on_hand)
            needs[(row.sku, warehouse)] = StockNeed(
                math.floor(row.available), taken, on_hand, committed.get((row.sku, warehouse), 0)
            )
    return needs


# --- bundles ------------------------------------------------------------------------------------------
def bundles_of(ctx: StockContext, skus: set[str]) -> dict[str, list[KitComponent]]:
    """The bundles among `skus` (see service_layer/bundles.py); stock needs no weights."""
    return bundles_among(ctx.back_office, ctx.policy.bundles, skus, weighted=False)


def known_bundles(ctx: StockContext) -> dict[str, list[KitComponent]]:
    """Configured bundles, and the ERP kits Shopify stocked at the last reconciliation."""
    raw = ctx.store.cursor(ctx.shopify.shop, BUNDLES_CURSOR)
    stored = (
        {sku: [KitComponent(c, Decimal(q), Decimal(0)) for c, q in parts] for sku, parts in json.loads(raw).items()}
        if raw
        else {}
    )
    return {**stored, **{sku: list(parts) for sku, parts in ctx.policy.bundles.items()}}


def _remember_bundles(ctx: StockContext, bundles: Mapping[str, Sequence[KitComponent]]) -> None:
    value = {sku: [[c.sku, str(c.quantity)] for c in parts] for sku, parts in sorted(bundles.items())}
    ctx.store.set_cursor(ctx.shopify.shop, BUNDLES_CURSOR, json.dumps(value))


# --- full reconciliation --------------------------------------------------------------------------------
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
    and record the drift still open and the stock issues found (replacing the previous ones)."""
    shop, policy, now = ctx.shopify.shop, ctx.policy, ctx.clock.now()
    take_first_cursor(ctx)
    outcome = StockPass()
    levels = ctx.shopify.inventory_levels(sorted(policy.locations), None)
    outcome.levels_read = len(levels)
    bundles = bundles_of(ctx, {level.sku for level in levels})
    _remember_bundles(ctx, bundles)
    committed = committed_by_warehouse(levels, policy.locations, bundles, policy.posting_warehouse)
    needs = _needs(ctx, dict.fromkeys(sorted(set(policy.locations.values()))), committed, outcome)
    targets = stock_targets(levels, policy.locations, needs, bundles, policy.buffers)
    known = {(d.sku, d.location_id): d.since for d in ctx.store.open_drift(shop)}
    outcome.drift = find_drift(levels, targets, known, now)
    if write and outcome.drift:
        drifted = {(d.sku, d.location_id) for d in outcome.drift}
        _converge(ctx, [level for level in levels if (level.sku, level.location_id) in drifted], outcome, levels)
    fixed = {(w.sku, w.location_id) for w in outcome.written}
    ctx.store.replace_drift(shop, [d for d in outcome.drift if (d.sku, d.location_id) not in fixed])
    outcome.issues.extend(_issues(ctx, levels, needs, bundles))
    ctx.store.replace_stock_issues(shop, outcome.issues)
    log.info(
        "stock_reconciled",
        shop=shop,
        levels=len(levels),
        drift=len(outcome.drift),
        written=len(outcome.written),
        issues=len(outcome.issues),
    )
    return outcome


def _issues(
    ctx: StockContext,
    levels: Sequence[InventoryLevel],
    needs: Mapping[tuple[str, str], StockNeed],
    bundles: Mapping[str, Sequence[KitComponent]],
) -> list[StockIssue]:
    policy = ctx.policy
    issues = []
    shop_locations = {location.location_id: location for location in ctx.shopify.locations()}
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
