"""Stock from the ERP/WMS to Shopify: what each mapped location should show, sent as differences only.

Target per (SKU, location) = the lesser of (the ERP's available at the location's warehouse − orders Shopify
took that the ERP does not have yet) and (the ERP's on hand there − Shopify's committed units), less the
buffer, never below zero; a bundle from its components (see domain/inventory.py). Shopify's `committed` is read
with `available`, so an order Shopify took that trueup has not heard of yet is never offered again.

- `sync_changes`, every few seconds: the products the ERP reports moved since a cursor, and the SKUs whose
  unposted demand changed, are recomputed at the locations concerned (bundles with their components).
- `reconcile` (stock_reconcile.py), on a schedule and on command: every mapped level is read in bulk and
  compared with its target; the drift is reported (which SKU, where, by how much, since when) and only the
  differences are written.

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
from trueup.domain.errors import BadInput, StructuralError
from trueup.domain.inventory import (
    BufferRules,
    Drift,
    InventoryLevel,
    ShopLocation,
    StockIssue,
    StockNeed,
    StockWrite,
    committed_by_warehouse,
    plan_writes,
)
from trueup.domain.stock_sharing import ShopLevels, WarehouseSharing, shared_stock_targets
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
    # The other shops selling from a warehouse this shop's locations map to (directly or through one another):
    # their holds count here too, and one pass computes and writes every shop's levels.
    shares_with: tuple[str, ...] = ()
    sharing: Mapping[str, WarehouseSharing] = field(default_factory=dict)  # by ERP warehouse code

    def locations_of(self, warehouses: Iterable[str]) -> list[str]:
        wanted = set(warehouses)
        return [location for location, warehouse in self.locations.items() if warehouse in wanted]


@dataclass(frozen=True)
class StockMember:
    """One shop of the pass: its Admin API and its policy."""

    shopify: ShopifyAdmin
    policy: StockPolicy

    @property
    def shop(self) -> str:
        return self.shopify.shop


@dataclass(frozen=True)
class StockContext:
    """What a stock pass needs: the shop it runs for and, in `others`, the shops sharing its warehouses (the pass
    computes and writes their levels too, so that one pass at a time decides what every shop offers)."""

    shopify: ShopifyAdmin
    back_office: BackOffice
    store: Store
    clock: Clock
    policy: StockPolicy
    others: tuple[StockMember, ...] = ()

    @property
    def members(self) -> tuple[StockMember, ...]:
        return (StockMember(self.shopify, self.policy), *self.others)


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
    """Recompute and write what changed: products the ERP moved since the cursor, SKUs whose demand changed in
    any shop of the pass. Without a cursor it only takes one, unless the reconciliation at start (which brings
    everything to target) has taken it first: that one is kept, as it was taken before the reconciliation read
    the ERP."""
    shop = ctx.shopify.shop
    cursor = ctx.store.cursor(shop, CHANGES_CURSOR)
    changes, moved = ctx.back_office.stock_changes(cursor)
    dirty = {member.shop: ctx.store.stock_dirty(member.shop) for member in ctx.members}
    affected: dict[str, set[str]] = defaultdict(set)  # warehouse → SKUs
    for change in changes:
        affected[change.warehouse].add(change.sku)
    warehouses = {warehouse for member in ctx.members for warehouse in member.policy.locations.values()}
    for sku in set().union(*dirty.values()):
        for warehouse in warehouses:
            affected[warehouse].add(sku)
    outcome = StockPass()
    if affected and cursor is not None:
        outcome = _update(ctx, _with_bundles(ctx, affected))
    if moved is not None and moved != cursor and (cursor is not None or ctx.store.cursor(shop, CHANGES_CURSOR) is None):
        ctx.store.set_cursor(shop, CHANGES_CURSOR, moved)  # a first cursor the reconciliation took is kept
    for member, marks in dirty.items():
        if marks:
            ctx.store.clear_stock_dirty(member, marks)
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
    skus = set().union(*affected.values()) if affected else set()
    if not skus:
        return StockPass()
    outcome = StockPass()
    read = read_group(ctx, skus)
    outcome.levels_read = sum(len(levels) for levels in read.values())
    wanted = {
        member.shop: [
            level
            for level in read[member.shop]
            if level.sku in skus and level.location_id in set(member.policy.locations_of(affected))
        ]
        for member in ctx.members
    }
    converge(ctx, wanted, outcome, read)
    return outcome


def read_levels(ctx: StockContext, skus: set[str], member: StockMember | None = None) -> list[InventoryLevel]:
    """The levels of `skus` at every mapped location of `member` (the pass's own shop by default), with the
    bundles holding them and their components: every `committed` quantity their targets depend on, read at
    once."""
    member = member or ctx.members[0]
    containing = {bundle for bundle, parts in known_bundles(ctx).items() if any(c.sku in skus for c in parts)}
    components = {c.sku for parts in bundles_of(ctx, skus | containing).values() for c in parts}
    wanted = skus | containing | components
    return member.shopify.inventory_levels(sorted(member.policy.locations), sorted(wanted))


def read_group(ctx: StockContext, skus: set[str]) -> dict[str, list[InventoryLevel]]:
    """`read_levels` in every shop of the pass, by shop."""
    return {member.shop: read_levels(ctx, skus, member) for member in ctx.members}


def converge(
    ctx: StockContext,
    levels: Mapping[str, list[InventoryLevel]],
    outcome: StockPass,
    read: Mapping[str, Sequence[InventoryLevel]],
    by_shop: Mapping[str, StockPass] | None = None,
) -> None:
    """Write the differences of `levels` (by shop; their committed units are taken from `read`, the levels read
    with them); re-read and recompute the stale ones, a few rounds at most. What is written (or left stale) goes
    to `by_shop`'s pass of its shop when given, else to `outcome`.

    With several shops, every level lowered is lowered before any is raised, and a raise is sent only once every
    lowering of the round went through: when a shop has just sold, another's offer comes down before the seller's
    share goes back up, so the offers never add up to more than was sellable at the read."""
    members = {member.shop: member for member in ctx.members}
    passes = by_shop or {}
    for round_ in range(ctx.policy.stale_rounds + 1):
        targets = group_targets(ctx, levels, read, outcome)
        writes = {shop: plan_writes(levels[shop], targets.get(shop, {})) for shop in levels}
        # One shop alone needs no order: every write goes in one batch.
        lower = {shop: [w for w in ws if w.quantity < w.expected or not ctx.others] for shop, ws in writes.items()}
        raise_ = {shop: [w for w in ws if w.quantity >= w.expected and ctx.others] for shop, ws in writes.items()}
        stale = {shop: _write(ctx, members[shop], ws, passes.get(shop, outcome)) for shop, ws in lower.items() if ws}
        if not any(stale.values()):
            stale = {
                shop: _write(ctx, members[shop], ws, passes.get(shop, outcome)) for shop, ws in raise_.items() if ws
            }
            if not any(stale.values()):
                return
        if round_ == ctx.policy.stale_rounds:
            for shop, ws in stale.items():
                passes.get(shop, outcome).still_stale.extend(ws)
            log.info("stock_still_stale", shop=ctx.shopify.shop, writes=sum(map(len, stale.values())))
            return
        log.info("stock_write_stale", shop=ctx.shopify.shop, writes=sum(map(len, stale.values())), round=round_ + 1)
        keys = {(shop, w.sku, w.location_id) for shop, ws in writes.items() for w in ws}
        read = read_group(ctx, {w.sku for ws in writes.values() for w in ws})
        levels = {
            shop: [level for level in read[shop] if (shop, level.sku, level.location_id) in keys] for shop in levels
        }


def _write(
    ctx: StockContext, member: StockMember, writes: Sequence[StockWrite], outcome: StockPass
) -> list[StockWrite]:
    """Send `writes` to `member`'s shop through the coalescing queue (one write per item and location, 250 per
    call, each call's idempotency key derived from this pass and its content); returns the stale ones."""
    queue, run_id = StockWriteQueue(), uuid.uuid4().hex
    queue.put_all(writes)
    stale: list[StockWrite] = []
    while len(queue):
        report = flush(member.shopify, queue, run_id, max_calls=1)
        if report.applied:
            ctx.store.record_levels_set(member.shop, report.applied)
        outcome.written.extend(report.applied)
        stale.extend(report.stale)
    return stale


def group_targets(
    ctx: StockContext,
    levels: Mapping[str, Sequence[InventoryLevel]],
    read: Mapping[str, Sequence[InventoryLevel]],
    outcome: StockPass,
) -> dict[str, dict[tuple[str, str], int]]:
    """The targets of `levels` (by shop), every shop's holds counted: Shopify's committed units from `read`, the
    unposted demand of every shop of the pass; shared out per warehouse as the policy says."""
    return targets_and_needs(ctx, levels, read, outcome)[0]


def targets_and_needs(
    ctx: StockContext,
    levels: Mapping[str, Sequence[InventoryLevel]],
    read: Mapping[str, Sequence[InventoryLevel]],
    outcome: StockPass,
    every_sku: bool = False,
) -> tuple[dict[str, dict[tuple[str, str], int]], dict[tuple[str, str], StockNeed]]:
    policy, members = ctx.policy, {member.shop: member for member in ctx.members}
    # Every level read takes part, not only those to write: who sells a SKU decides how it is shared out.
    targeted = {
        shop: list({(lv.sku, lv.location_id): lv for lv in [*read.get(shop, ()), *levels.get(shop, ())]}.values())
        for shop in {*read, *levels}
    }
    bundles = bundles_of(ctx, {level.sku for own in targeted.values() for level in own})
    wanted: dict[str, set[str]] = defaultdict(set)
    committed: dict[tuple[str, str], int] = defaultdict(int)
    for shop, own in targeted.items():
        for level in own:
            warehouse = members[shop].policy.locations.get(level.location_id)
            if warehouse is not None:
                parts = bundles.get(level.sku)
                wanted[warehouse].update([c.sku for c in parts] if parts else [level.sku])
    for shop, seen in read.items():
        member = members[shop].policy
        for key, units in committed_by_warehouse(seen, member.locations, bundles, member.posting_warehouse).items():
            committed[key] += units
    asked: dict[str, Sequence[str] | None] = {warehouse: sorted(skus) for warehouse, skus in wanted.items()}
    if every_sku:  # every product of every mapped warehouse (a reconciliation looks for what Shopify lacks)
        asked = dict.fromkeys(sorted({w for m in ctx.members for w in m.policy.locations.values()}))
    needs = _needs(ctx, asked, committed, outcome)
    shops = {shop: ShopLevels(own, members[shop].policy.locations) for shop, own in targeted.items()}
    return shared_stock_targets(shops, needs, bundles, policy.buffers, policy.sharing), needs


def level_targets(
    ctx: StockContext, levels: Sequence[InventoryLevel], read: Sequence[InventoryLevel], outcome: StockPass
) -> dict[tuple[str, str], int]:
    """The targets of the pass's own shop's `levels`, the other shops' levels read again for their holds."""
    shop = ctx.shopify.shop
    others = read_group(ctx, {level.sku for level in levels}) if ctx.others else {}
    return group_targets(ctx, {shop: levels}, {**others, shop: read}, outcome).get(shop, {})


def group_demand(ctx: StockContext) -> dict[tuple[str, str], int]:
    """The unposted demand of every shop of the pass, by (sku, warehouse)."""
    demand: dict[tuple[str, str], int] = defaultdict(int)
    for member in ctx.members:
        for key, units in ctx.store.unposted_demand(member.shop).items():
            demand[key] += units
    return dict(demand)


def _needs(
    ctx: StockContext,
    wanted: Mapping[str, Sequence[str] | None],
    committed: Mapping[tuple[str, str], int],
    outcome: StockPass,
) -> dict[tuple[str, str], StockNeed]:
    """The ERP's available and on hand, the unposted demand and Shopify's committed units, by (sku, warehouse),
    for the SKUs wanted (None: all); demand and committed units of every shop of the pass."""
    demand = group_demand(ctx)
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
    """Configured bundles, and the ERP kits any shop of the pass stocked at the last reconciliation."""
    stored: dict[str, list[KitComponent]] = {}
    for member in ctx.members:
        raw = ctx.store.cursor(member.shop, BUNDLES_CURSOR)
        for sku, parts in json.loads(raw).items() if raw else ():
            stored[sku] = [KitComponent(c, Decimal(q), Decimal(0)) for c, q in parts]
    return {**stored, **{sku: list(parts) for sku, parts in ctx.policy.bundles.items()}}


def remember_bundles(ctx: StockContext, shop: str, bundles: Mapping[str, Sequence[KitComponent]]) -> None:
    value = {sku: [[c.sku, str(c.quantity)] for c in parts] for sku, parts in sorted(bundles.items())}
    ctx.store.set_cursor(shop, BUNDLES_CURSOR, json.dumps(value))
