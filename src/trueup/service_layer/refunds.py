"""Refunds and returns: each Shopify refund becomes one credit note against the order's ERP sale.

The order's refunds are read with it (oldest first). Each one the ERP does not hold yet is looked up by its
reference before anything is created, so a create that timed out after the ERP committed is found, never
repeated; duplicated or reordered webhooks all converge on one note per refund. A refund of an order not yet
in the ERP is recorded as waiting and credited by the sync that posts the order. A problem with one refund
(an unmapped tax, an unknown SKU, a tax the ERP computes otherwise) parks that refund with its cause, not the
order; the next sync of the order tries it again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import structlog

from trueup.domain.credit_notes import PostedCreditNote, build_credit_note, build_restock
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.domain.money import Money, total
from trueup.domain.orders import ShopifyOrder
from trueup.domain.refunds import Refund, RefundRecord, RefundState, refund_reference
from trueup.service_layer.bundles import bundles_among
from trueup.service_layer.order_context import OrderContext
from trueup.service_layer.tax_variances import record_credit_note_tax_variances

log = structlog.get_logger(__name__)

# Refunds in these states are done with: the next sync leaves them alone.
SETTLED = frozenset({RefundState.CREDITED, RefundState.COVERED_BY_CANCELLATION, RefundState.NOTHING_TO_CREDIT})


def credit_refunds(ctx: OrderContext, order: ShopifyOrder, entry: LedgerEntry) -> LedgerEntry:
    """Post a credit note for each refund of `order` the ERP does not have yet, oldest first; then check the
    order is still accounted for (ERP sale − credit notes = Shopify's current total)."""
    if not order.refunds or entry.erp_sale_id is None:
        return entry
    now = ctx.clock.now()
    covered = _sale_cancelled_without_invoice(ctx, order, entry)
    records = []
    for ordinal, refund in enumerate(order.refunds, start=1):
        record = _record(ctx, order, refund, ordinal, now)
        if record.state not in SETTLED:
            record = _credit(ctx, order, entry.erp_sale_id, refund, record, covered, now)
            ctx.store.save_refund_record(record)
        records.append(record)
    return _accounted(order, entry, records, now)


def note_waiting_refunds(ctx: OrderContext, order: ShopifyOrder, entry: LedgerEntry) -> None:
    """Record the refunds of an order the ERP has no sale for: waiting for it, or, for an order cancelled
    before it ever was a sale, covered by that cancellation."""
    if not order.refunds:
        return
    now = ctx.clock.now()
    cancelled = entry.state == OrderState.CANCELLED_UNPOSTED
    state = RefundState.COVERED_BY_CANCELLATION if cancelled else RefundState.WAITING_FOR_SALE
    for ordinal, refund in enumerate(order.refunds, start=1):
        kept = ctx.store.refund_record(order.shop, refund.refund_id)
        if kept is not None and (kept.state in SETTLED or kept.state == state):
            continue
        record = _record(ctx, order, refund, ordinal, now)
        ctx.store.save_refund_record(_moved(record, state, now))
        log.info("refund_waiting_for_sale", shop=order.shop, order=order.name, refund=ordinal, state=str(state))


def _record(ctx: OrderContext, order: ShopifyOrder, refund: Refund, ordinal: int, now: datetime) -> RefundRecord:
    kept = ctx.store.refund_record(order.shop, refund.refund_id)
    if kept is not None:
        return replace(kept, order_name=order.name, ordinal=ordinal)
    return RefundRecord(
        shop=order.shop,
        order_id=order.order_id,
        refund_id=refund.refund_id,
        order_name=order.name,
        ordinal=ordinal,
        state=RefundState.WAITING_FOR_SALE,
        first_seen_at=now,
        updated_at=now,
    )


def _moved(record: RefundRecord, state: RefundState, now: datetime, **changes: object) -> RefundRecord:
    cleared: dict[str, object] = {} if state == RefundState.EXCEPTION else {"cause": None, "detail": None, "needs": {}}
    return replace(record, state=state, updated_at=now, **{**cleared, **changes})  # type: ignore[arg-type]


def _credit(
    ctx: OrderContext,
    order: ShopifyOrder,
    sale_id: str,
    refund: Refund,
    record: RefundRecord,
    covered: bool,
    now: datetime,
) -> RefundRecord:
    """The refund's credit note (the sales ledger's) and its restock (the warehouse's), each idempotent by
    the refund's reference. The restock is checked before the note is made, so that a refund whose units can
    no longer be taken off creates nothing; an attempt cut short between the two finishes on the next sync."""
    try:
        note = ctx.back_office.find_credit_note(refund_reference(order.shop, refund))
        if note is None and covered:
            log.info("refund_covered_by_cancellation", shop=order.shop, order=order.name, refund=record.ordinal)
            return _moved(record, RefundState.COVERED_BY_CANCELLATION, now)
        skus = {line.sku for line in refund.lines if line.sku}
        kits = bundles_among(ctx.back_office, ctx.policy.bundles, skus) if skus else {}
        restock = build_restock(refund, shop=order.shop, sale_id=sale_id, kits=kits, locations=ctx.policy.locations)
        if note is None:
            request = build_credit_note(
                refund,
                shop=order.shop,
                ordinal=record.ordinal,
                order_name=order.name,
                sale_id=sale_id,
                taxes_included=order.taxes_included,
                policy=ctx.policy,
                kits=kits,
            )
            if request is None:
                return _moved(record, RefundState.NOTHING_TO_CREDIT, now)
            if restock is not None:
                ctx.back_office.check_restock(restock)
            note = ctx.back_office.create_credit_note(request)
            log.info(
                "refund_credited",
                shop=order.shop,
                order=order.name,
                refund=record.ordinal,
                note=note.number,
                total=str(note.total),
            )
            record_credit_note_tax_variances(ctx.store, ctx.clock, order, note)
        if restock is not None:
            ctx.back_office.restock(restock)
    except StructuralError as problem:
        log.info("refund_parked", shop=order.shop, order=order.name, refund=record.ordinal, cause=str(problem.cause))
        return _moved(
            record, RefundState.EXCEPTION, now, cause=problem.cause, detail=problem.detail, needs=problem.needs
        )
    return _credited(record, note, now)


def _credited(record: RefundRecord, note: PostedCreditNote, now: datetime) -> RefundRecord:
    return _moved(record, RefundState.CREDITED, now, credit_note_number=note.number, amount=note.total)


def _sale_cancelled_without_invoice(ctx: OrderContext, order: ShopifyOrder, entry: LedgerEntry) -> bool:
    """Whether the ERP sale was cancelled with nothing invoiced: its refunds are covered by the cancellation."""
    if entry.erp_sale_id is None or (order.cancelled_at is None and entry.state != OrderState.CANCELLED):
        return False
    progress = ctx.back_office.sale_progress(entry.erp_sale_id)
    return progress.is_cancelled and not progress.invoice_numbers


def _accounted(order: ShopifyOrder, entry: LedgerEntry, records: list[RefundRecord], now: datetime) -> LedgerEntry:
    """A posted order whose refunds are all credited is accounted for when the ERP's sale less its credit notes
    is Shopify's current total (money-only adjustments aside, which Shopify leaves in its current total)."""
    if entry.state != OrderState.POSTED or entry.erp_total is None or order.current_total is None:
        return entry
    if any(r.state != RefundState.CREDITED for r in records):
        return entry
    credited = total([r.amount for r in records if r.amount is not None], order.currency)
    adjustments = total([a.amount + a.tax for r in order.refunds for a in r.adjustments], order.currency)
    erp = (entry.erp_total - credited + adjustments).rounded()
    shopify = order.current_total.rounded()
    if erp == shopify:
        return entry
    problem = StructuralError(
        Cause.TOTALS_MISMATCH,
        f"the ERP's sale {entry.erp_number} less its credit notes ({credited}) comes to {erp} but Shopify's "
        f"total after refunds is {shopify} (difference {shopify - erp})",
    )
    log.warning("refunds_do_not_balance", shop=order.shop, order=order.name, sale=entry.erp_number)
    return entry.moved_to(OrderState.EXCEPTION, now, cause=problem.cause, detail=problem.detail, needs={})


def credited_on(records: list[RefundRecord], currency: str) -> Money:
    """What the credit notes of these refund records credit altogether."""
    return total([r.amount for r in records if r.state == RefundState.CREDITED and r.amount], currency)
