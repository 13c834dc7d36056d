"""The hold window: a new order waits a while before it goes to the ERP (and so to the warehouse), so that most
edits and cancellations land before anything is picked.

Meanwhile its fulfilment orders are held in Shopify under trueup's own hold, and one sync job of the order
waits for the end of the window (the queueing lock folds every webhook of the order into it). Edits and
cancellations inside the window need nothing special: the order is read again when it posts. `release_now`
makes that waiting job due at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import structlog

from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.domain.orders import ShopifyOrder
from trueup.domain.posting import order_reference
from trueup.service_layer.jobs import SyncOrder, request
from trueup.service_layer.order_context import OrderContext
from trueup.service_layer.ports import Clock, Store

log = structlog.get_logger(__name__)

# States from which a new order enters the hold window (not an order parked or already in the ERP).
_NEW = frozenset({OrderState.RECEIVED, OrderState.WAITING_FOR_PAYMENT})


def keeps_holding(ctx: OrderContext, order: ShopifyOrder, entry: LedgerEntry, now: datetime, release: bool) -> bool:
    """Whether the order waits in (or now enters) the hold window instead of posting."""
    window = ctx.post_purchase.hold_minutes
    if window <= 0 or order.cancelled_at is not None or not order.is_postable:
        return False
    if entry.state == OrderState.HELD:
        return not release and entry.held_until is not None and now < entry.held_until
    # An earlier attempt may have posted it before timing out: such an order is not held again.
    return entry.state in _NEW and ctx.back_office.find_sales_order(order_reference(order)) is None


def hold(ctx: OrderContext, order: ShopifyOrder, entry: LedgerEntry, now: datetime) -> LedgerEntry:
    """Hold the order's fulfilment in Shopify and queue its sync for the end of the window (idempotent)."""
    held = entry.state == OrderState.HELD and entry.held_until is not None
    until = entry.held_until if held and entry.held_until else now + timedelta(minutes=ctx.post_purchase.hold_minutes)
    notes = f"trueup hold window: goes to the warehouse at {until:%Y-%m-%d %H:%M} UTC, or when released"
    ctx.shopify.hold_fulfilment(order.order_id, notes)  # again each time: an edit may add a fulfilment order
    ctx.store.enqueue(request(SyncOrder(order.shop, order.order_id, release=True), until))
    if not held:
        log.info("order_held", shop=order.shop, order=order.name, until=until.isoformat())
    return entry.moved_to(OrderState.HELD, now, held_until=until)


def end_hold(ctx: OrderContext, order: ShopifyOrder, entry: LedgerEntry) -> LedgerEntry:
    """The window is over (or released early): release trueup's holds in Shopify; the order posts next."""
    released = ctx.shopify.release_fulfilment_holds(order.order_id)
    log.info("order_released", shop=order.shop, order=order.name, fulfilment_orders=released)
    return replace(entry, held_until=None)


@dataclass(frozen=True)
class Released:
    order: str  # the order's name
    shop: str
    queued: bool  # False: its sync could not be queued (one is running: it will queue the release again)


def release_now(store: Store, clock: Clock, order: str, shop: str | None = None) -> list[Released]:
    """Release held orders named `order` (Shopify id or name, e.g. "#1042") from their hold window now: the
    sync waiting for the end of the window is made due at once, and posts the order."""
    chosen = [
        entry
        for entry in store.ledger_entries(OrderState.HELD, shop=shop)
        if order in (entry.order_id, entry.name, entry.order_id.rsplit("/", 1)[-1])
    ]
    return release_entries(store, clock, chosen)


def release_entries(store: Store, clock: Clock, entries: Iterable[LedgerEntry]) -> list[Released]:
    """Release these entries from their hold window now (those not held are left as they are)."""
    released = []
    for entry in entries:
        if entry.state != OrderState.HELD:
            continue
        release = SyncOrder(entry.shop, entry.order_id, release=True)
        queued = store.run_now(release.kind, release.key, clock.now())
        if not queued:  # none waiting (one is running, or the job was lost): queue the release itself
            queued = store.enqueue(request(release))
        released.append(Released(entry.name, entry.shop, queued))
    return released
