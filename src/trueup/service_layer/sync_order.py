"""The use case at the heart of trueup: bring one Shopify order to where it belongs in the ERP.

It reads the order as Shopify holds it now (webhooks only say that something changed), so duplicated,
reordered or late deliveries all converge on the same result. Posting is idempotent: the ERP is asked
for the order's reference before anything is created, so a create that timed out after the ERP
committed is found, never repeated.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import structlog

from trueup.domain.email_index import email_hash
from trueup.domain.errors import StructuralError, TransientError
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.domain.money import Money
from trueup.domain.orders import ShopifyOrder
from trueup.domain.posting import build_sales_order, check_posted_totals, order_reference
from trueup.domain.sales import UNPROCESSED_SALE_STATES, PostedSale, SalesOrderRequest
from trueup.service_layer.bundles import bundles_among
from trueup.service_layer.hold_window import end_hold, hold, keeps_holding
from trueup.service_layer.inventory_demand import note_demand
from trueup.service_layer.order_context import OrderContext
from trueup.service_layer.payments import book_order_payments
from trueup.service_layer.post_purchase import apply_changes, follows_changes
from trueup.service_layer.refunds import credit_refunds, note_waiting_refunds
from trueup.service_layer.tax_variances import record_tax_variances
from trueup.service_layer.verify import VERIFIED_STATES, check_synced_order

log = structlog.get_logger(__name__)


def sync_order(ctx: OrderContext, order_id: str, *, release: bool = False) -> LedgerEntry | None:
    """Apply the current Shopify state of `order_id`; returns its ledger entry (None if Shopify lost it).
    `release`: this sync ends the order's hold window (it is due, or a person released it early).

    Raises TransientError to be retried later; StructuralError is recorded on the ledger, not raised.
    """
    order = ctx.shopify.fetch_order(order_id)
    if order is None:
        log.warning("order_not_in_shopify", shop=ctx.shopify.shop, order_id=order_id)
        return None
    entry = before = ctx.store.ledger_entry(order.shop, order.order_id) or _new_entry(ctx, order)
    _index_email(ctx, order)
    try:
        entry = _advance(ctx, order, entry, release)
    except StructuralError as problem:
        entry = entry.moved_to(
            OrderState.EXCEPTION,
            ctx.clock.now(),
            cause=problem.cause,
            detail=problem.detail,
            needs=problem.needs,
        )
        log.info("order_parked", shop=order.shop, order=order.name, cause=str(problem.cause))
    entry = _seen(entry, order)
    ctx.store.save_ledger_entry(entry)
    note_demand(ctx, order, entry)
    if ctx.check_each_sync and _erp_changed(before, entry):
        check_synced_order(ctx, order, entry)  # read back from the ERP at once, not only at the next sweep
    return entry


def _erp_changed(before: LedgerEntry, after: LedgerEntry) -> bool:
    """Whether this sync may have changed the order's ERP documents: it posted or cancelled the sale (the entry
    moved, or its ERP figures), or applied a newer version of a posted order (an edit, a refund, a cancellation).
    A repeated notification of a version already applied checks nothing."""
    if after.state not in VERIFIED_STATES:
        return False
    erp = (after.state, after.erp_sale_id, after.erp_number, after.erp_total, after.shopify_updated_at)
    return erp != (before.state, before.erp_sale_id, before.erp_number, before.erp_total, before.shopify_updated_at)


def _index_email(ctx: OrderContext, order: ShopifyOrder) -> None:
    """Keep the keyed hash of the customer's e-mail, so the console can find the order by it (never the e-mail)."""
    if ctx.email_key is None or order.customer is None:
        return
    hashed = email_hash(ctx.email_key, order.customer.email)
    if hashed is not None:
        ctx.store.index_order_email(order.shop, order.order_id, hashed)


def _new_entry(ctx: OrderContext, order: ShopifyOrder) -> LedgerEntry:
    return LedgerEntry.received(order.shop, order.order_id, order.name, ctx.clock.now())


def _seen(entry: LedgerEntry, order: ShopifyOrder) -> LedgerEntry:
    return replace(
        entry,
        name=order.name,
        shopify_total=order.total_price,
        shopify_updated_at=order.updated_at,
        presentment_total=_foreign_presentment_total(order),
    )


def _foreign_presentment_total(order: ShopifyOrder) -> Money | None:
    """What the customer was charged in their own currency, when that is not the shop's."""
    presented = order.presentment_total
    return presented if presented is not None and presented.currency != order.currency else None


def _advance(ctx: OrderContext, order: ShopifyOrder, entry: LedgerEntry, release: bool = False) -> LedgerEntry:
    now = ctx.clock.now()
    if follows_changes(entry):
        entry = apply_changes(ctx, order, entry)  # edits, address changes, cancellations, the cut-off
    elif keeps_holding(ctx, order, entry, now, release):
        entry = hold(ctx, order, entry, now)  # the hold window: posted when it ends
    else:
        if entry.state == OrderState.HELD:
            entry = end_hold(ctx, order, entry)
        entry = _post_if_ready(ctx, order, entry, now)
        if entry.state == OrderState.POSTED and order.cancelled_at is not None:
            entry = apply_changes(ctx, order, entry)  # in the ERP already, and cancelled since
    if entry.erp_sale_id is not None:
        entry = credit_refunds(ctx, order, entry)  # refunds become credit memos once the sale exists
        if ctx.payments is not None and entry.state == OrderState.POSTED and entry.erp_sale_id is not None:
            book_order_payments(ctx.payments, ctx.store, order, entry.erp_sale_id)  # captures and refunds
    else:
        note_waiting_refunds(ctx, order, entry)  # recorded as waiting for the sale (or covered by a cancel)
    return entry


def _post_if_ready(ctx: OrderContext, order: ShopifyOrder, entry: LedgerEntry, now: datetime) -> LedgerEntry:
    # Asked first, whatever Shopify says: an earlier attempt may have posted it before timing out.
    existing = ctx.back_office.find_sales_order(order_reference(order))
    if existing is None:
        if order.cancelled_at is not None:
            return entry.moved_to(OrderState.CANCELLED_UNPOSTED, now)  # cancelled before it ever was a sale
        if not order.is_postable:
            return entry.moved_to(OrderState.WAITING_FOR_PAYMENT, now)
        existing = _post(ctx, order)
    else:
        log.info("order_sale_found_again", shop=order.shop, order=order.name, sale=existing.number)
        existing = _settle_found(ctx, order, existing)
    return _checked(order, entry, existing, now)


def _settle_found(ctx: OrderContext, order: ShopifyOrder, sale: PostedSale) -> PostedSale:
    """A sale found again may be one an earlier attempt left before Shopify's tax was set on its invoice (a
    crash, an ERP outage between the calls): set it now, as a new sale gets it. Only for a sale of the order as
    Shopify holds it now (same lines, so same untaxed); one of an older version is for the amendment to follow."""
    if order.cancelled_at is not None or sale.state in UNPROCESSED_SALE_STATES:
        return sale
    request = _request(ctx, order)
    if request.booked_untaxed != sale.untaxed:
        return sale
    settled = ctx.back_office.settle_sale_taxes(sale.erp_id, request)
    if settled.tax != sale.tax:
        log.info("erp_sale_tax_set_again", shop=order.shop, order=order.name, sale=sale.number)
    record_tax_variances(ctx.store, ctx.clock, order, settled)
    return settled


def _checked(order: ShopifyOrder, entry: LedgerEntry, sale: PostedSale, now: datetime) -> LedgerEntry:
    """Posted if the ERP's sale totals what Shopify charged; otherwise parked, the sale kept on the entry so
    both figures are shown (and a replay checks again once a person has put the sale right)."""
    if sale.state in UNPROCESSED_SALE_STATES:  # no shipment nor invoice yet: not posted, whatever the totals
        raise TransientError(f"the ERP's sale {sale.number} is {sale.state}, not yet processing")
    erp = {"erp_sale_id": sale.erp_id, "erp_number": sale.number, "erp_total": sale.total}
    if order.cancelled_at is not None:
        return entry.moved_to(OrderState.POSTED, now, **erp)  # cancelled since: the post-purchase flow's
    try:
        check_posted_totals(order, sale)
    except StructuralError as problem:
        log.warning("posted_totals_differ", shop=order.shop, order=order.name, sale=sale.number)
        return entry.moved_to(
            OrderState.EXCEPTION, now, cause=problem.cause, detail=problem.detail, needs=problem.needs, **erp
        )
    return entry.moved_to(OrderState.POSTED, now, **erp)


def _request(ctx: OrderContext, order: ShopifyOrder) -> SalesOrderRequest:
    # A SKU the ERP (or the configuration) defines as a kit posts as its components.
    skus = {line.sku for line in order.lines if line.quantity > 0 and line.sku}
    kits = bundles_among(ctx.back_office, ctx.policy.bundles, skus)
    return build_sales_order(order, ctx.policy, kits)


def _post(ctx: OrderContext, order: ShopifyOrder) -> PostedSale:
    request = _request(ctx, order)
    sale = ctx.back_office.create_sales_order(request)  # checks SKUs, taxes, ... first (domain/posting_checks.py)
    log.info("order_posted", shop=order.shop, order=order.name, sale=sale.number, total=str(sale.total))
    record_tax_variances(ctx.store, ctx.clock, order, sale)  # posted with Shopify's tax, told to finance
    return sale
