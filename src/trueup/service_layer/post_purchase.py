"""After posting: Shopify-side edits, address changes and cancellations reach the ERP sale before the cut-off.

The order is mapped again exactly as it was posted and compared with the ERP sale as it stands: no difference,
nothing to do (a duplicated or reordered webhook converges); a difference before the cut-off amends the sale,
a cancellation cancels it; at or after the cut-off each becomes an exception for a person, the difference
spelled out. Partial cancellations are edits (units removed) or refunds with a CANCEL restock (refunds.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

import structlog

from trueup.domain.errors import Cause, StructuralError
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.domain.orders import ShopifyOrder
from trueup.domain.post_purchase import (
    CANCELLED_IN_SHOPIFY,
    accepted_as,
    changed_after_cut_off,
    cut_off_reached,
    sale_changes,
)
from trueup.domain.posting import build_sales_order, check_posted_totals
from trueup.domain.sales import SaleProgress, SalesOrderRequest
from trueup.service_layer.bundles import bundles_among
from trueup.service_layer.jobs import SyncOrder, request
from trueup.service_layer.order_context import OrderContext
from trueup.service_layer.ports import Store
from trueup.service_layer.tax_variances import record_tax_variances

log = structlog.get_logger(__name__)

# Exceptions of an order already in the ERP that its first posting's checks raised (the ERP's totals differ):
# a replay checks the sale again as posted. Any other exception of a sale in the ERP (a change after the
# cut-off, an SKU added by an edit, the ERP refusing a change) is looked at again through this flow.
POSTING_CHECKS = frozenset({Cause.TOTALS_MISMATCH, Cause.TAX_MISMATCH})


def follows_changes(entry: LedgerEntry) -> bool:
    """Whether the order is in the ERP and its changes are this flow's business (not a first posting)."""
    if entry.erp_sale_id is None:
        return False
    if entry.state in (OrderState.POSTED, OrderState.CANCELLED):
        return True
    return entry.state == OrderState.EXCEPTION and entry.cause not in POSTING_CHECKS


def apply_changes(ctx: OrderContext, order: ShopifyOrder, entry: LedgerEntry) -> LedgerEntry:
    """Bring the posted ERP sale in line with the order as Shopify holds it now (see the module docstring).

    Raises StructuralError for a person (a change after the cut-off, a sale cancelled in the ERP alone)."""
    if entry.erp_sale_id is None:
        return entry
    now = ctx.clock.now()
    progress = ctx.back_office.sale_progress(entry.erp_sale_id)
    if order.cancelled_at is not None:
        return _cancel(ctx, order, entry, progress, now)
    if progress.is_cancelled:
        raise StructuralError(
            Cause.CANCELLED_IN_ERP_ONLY,
            f"the ERP sale {progress.number} is cancelled but {order.name} is not cancelled in Shopify",
        )
    wanted = sales_order_again(ctx, order)
    changes = sale_changes(progress, wanted)
    if changes.is_empty:
        return entry if entry.state == OrderState.POSTED else entry.moved_to(OrderState.POSTED, now)
    cut_off = ctx.post_purchase.cut_off
    if cut_off_reached(progress, cut_off):
        if entry.accepted_changes == changes.describe():
            return entry.moved_to(OrderState.POSTED, now)
        raise changed_after_cut_off(order.name, progress, changes, cut_off)
    return _amend(ctx, order, entry, wanted, now, changes.describe())


def sales_order_again(ctx: OrderContext, order: ShopifyOrder) -> SalesOrderRequest:
    """The sales order for the order as it is now, built as it was posted (kits as their components)."""
    skus = {line.sku for line in order.lines if line.quantity > 0 and line.sku}
    kits = bundles_among(ctx.back_office, ctx.policy.bundles, skus)
    return build_sales_order(order, ctx.policy, kits)


def _amend(
    ctx: OrderContext, order: ShopifyOrder, entry: LedgerEntry, wanted: SalesOrderRequest, now: datetime, what: str
) -> LedgerEntry:
    assert entry.erp_sale_id is not None
    sale = ctx.back_office.amend_sale(entry.erp_sale_id, wanted)  # checks SKUs (one added), taxes, ... first
    log.info("sale_amended", shop=order.shop, order=order.name, sale=sale.number, changes=what)
    record_tax_variances(ctx.store, ctx.clock, order, sale, amended=True)
    erp = {"erp_number": sale.number, "erp_total": sale.total, "accepted_changes": None}
    try:
        check_posted_totals(order, sale)
    except StructuralError as problem:
        return entry.moved_to(
            OrderState.EXCEPTION, now, cause=problem.cause, detail=problem.detail, needs=problem.needs, **erp
        )
    return entry.moved_to(OrderState.POSTED, now, **erp)


def _cancel(
    ctx: OrderContext, order: ShopifyOrder, entry: LedgerEntry, progress: SaleProgress, now: datetime
) -> LedgerEntry:
    assert entry.erp_sale_id is not None
    if progress.is_cancelled:
        return entry if entry.state == OrderState.CANCELLED else entry.moved_to(OrderState.CANCELLED, now)
    cut_off = ctx.post_purchase.cut_off
    if cut_off_reached(progress, cut_off):
        if entry.accepted_changes == CANCELLED_IN_SHOPIFY:
            return entry.moved_to(OrderState.POSTED, now)
        raise changed_after_cut_off(order.name, progress, None, cut_off)
    sale = ctx.back_office.cancel_sale(entry.erp_sale_id)
    log.info("sale_cancelled", shop=order.shop, order=order.name, sale=sale.number)
    return entry.moved_to(OrderState.CANCELLED, now, erp_number=sale.number, erp_total=sale.total)


def accept_changes(store: Store, order: str, shop: str | None = None) -> list[LedgerEntry]:
    """A person accepts the change after the cut-off of `order` (Shopify id or name) as it stands, e.g. the parcel
    went anyway: the order goes back to posted and this same difference is not raised again (a new one is).
    Returns the orders accepted (with the same name, one per shop that has it)."""
    chosen = [
        entry
        for entry in store.ledger_entries(OrderState.EXCEPTION, shop=shop)
        if order in (entry.order_id, entry.name, entry.order_id.rsplit("/", 1)[-1])
    ]
    return accept_entries(store, chosen)


def accept_entries(store: Store, entries: Iterable[LedgerEntry]) -> list[LedgerEntry]:
    """Accept the changes after the cut-off of these entries (those parked for another cause are left as they
    are); the orders accepted."""
    accepted = []
    for entry in entries:
        if entry.state != OrderState.EXCEPTION or entry.cause != Cause.CHANGED_AFTER_CUT_OFF:
            continue
        store.save_ledger_entry(replace(entry, accepted_changes=accepted_as(entry.needs)))
        store.enqueue(request(SyncOrder(entry.shop, entry.order_id)))  # the sync moves it on, in the order's turn
        accepted.append(entry)
    return accepted
