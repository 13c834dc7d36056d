"""`trueup verify`: every posted Shopify order of a shop in scope, its ERP documents read from the ERP and compared
with what the order requires (domain/completeness.py); the mechanical fixes applied and reported.

The order comes from Shopify (with its refunds), the documents from the back-office; trueup's ledger only says
which orders were posted and under which ERP sale. A sale left confirmed is processed (the back-office's
`find_sales_order` does it, as at posting) and reported as fixed. Where payments are booked, each payout trueup
recorded is checked too: its entry (and a returned payout's reversal) posted in the ERP.

Each check keeps its order's (or payout's) open findings in the store, replacing what an earlier check kept, so
a finding put right is gone at the next check; a run over a shop also re-checks the orders and payouts with open
findings outside its `since`, and marks when it ran (`CHECKED_AT`): the console, the alerts and `trueup status`
read them (service_layer/completeness_findings.py).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

import structlog

from trueup.domain.completeness import (
    Finding,
    FindingKind,
    add_period_figures,
    check_order,
    expected_notes,
    expected_payout_entries,
    payment_findings,
    payout_findings,
    payout_name,
    restock_findings,
)
from trueup.domain.credit_notes import PostedCreditNote, RestockRequest, build_restock
from trueup.domain.errors import StructuralError, TransientError
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.domain.orders import ShopifyOrder
from trueup.domain.payments import Payment, payments_to_book
from trueup.domain.posting import order_reference
from trueup.domain.refunds import refund_reference
from trueup.domain.sales import SaleProgress
from trueup.domain.tax_variances import TaxVarianceRecord
from trueup.service_layer.bundles import bundles_among
from trueup.service_layer.completeness_findings import CHECKED_AT
from trueup.service_layer.order_context import OrderContext

log = structlog.get_logger(__name__)

VERIFIED_STATES = frozenset({OrderState.POSTED, OrderState.CANCELLED})


@dataclass
class VerifyReport:
    """What one run checked and found."""

    orders: int = 0  # orders checked
    documents: int = 0  # ERP documents expected (sales and credit notes)
    findings: list[Finding] = field(default_factory=list)
    gone_from_shopify: list[str] = field(default_factory=list)  # posted orders Shopify no longer has
    # Per day and per month: Shopify's sales, tax by rate, shipping, discounts and refunds; the ERP's sales, tax
    # per ERP tax (its invoices') and credit notes; tax variances per ERP tax (domain/completeness.add_period_figures).
    periods: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    @property
    def fixed(self) -> int:
        return sum(1 for f in self.findings if f.fixed)

    @property
    def open(self) -> list[Finding]:
        return [f for f in self.findings if not f.fixed]

    @property
    def equal_documents(self) -> int:
        """Documents with no open finding."""
        return self.documents - len({(f.order, f.document) for f in self.open})


def in_scope(ctx: OrderContext, shop: str, since: datetime | None, also: Collection[str] = ()) -> list[LedgerEntry]:
    """The shop's posted (and since cancelled) orders first seen at or after `since`, and those named in `also`
    (orders with open findings, checked again until they are put right)."""
    entries = [e for e in ctx.store.ledger_entries(shop=shop) if e.state in VERIFIED_STATES]
    return [e for e in entries if since is None or e.first_seen_at >= since or e.name in also]


def verify_shop(
    ctx: OrderContext,
    shop: str,
    since: datetime | None = None,
    *,
    fix: bool = True,
    progress: Callable[[int, int], None] | None = None,
    figures: bool = True,
) -> VerifyReport:
    """Check every order in scope (see the module's docstring); `progress(done, of)` after each. Without
    `figures` (the workers' sweep, which only logs findings) no period figures are made, nor the ERP's invoice
    taxes read for them."""
    report = VerifyReport()
    kept = {o.finding.order for o in ctx.store.open_findings(shop)}
    entries = in_scope(ctx, shop, since, also=kept)
    variances: dict[str, list[TaxVarianceRecord]] = {}
    for variance in ctx.store.tax_variances(shop) if figures else ():
        variances.setdefault(variance.order_id, []).append(variance)
    for done, entry in enumerate(entries, 1):
        order = ctx.shopify.fetch_order(entry.order_id)
        if order is None:
            report.gone_from_shopify.append(entry.name)  # reported by `trueup verify`; nothing left to check
            _keep(ctx, shop, entry.name, [], kept)
        else:
            report.orders += 1
            findings, documents = verify_order(
                ctx,
                order,
                entry,
                fix=fix,
                periods=report.periods if figures else None,
                tax_variances=variances.get(order.order_id, ()),
            )
            report.findings += findings
            report.documents += documents
            _keep(ctx, shop, order.name, findings, kept)
        if progress is not None:
            progress(done, len(entries))
    _verify_payouts(ctx, shop, since, report, kept)
    ctx.store.set_cursor(shop, CHECKED_AT, ctx.clock.now().isoformat())
    for finding in report.findings:
        log.warning("verify_finding", shop=shop, order=finding.order, kind=str(finding.kind), fixed=finding.fixed)
    return report


def _keep(ctx: OrderContext, shop: str, order: str, findings: Sequence[Finding], kept: Collection[str]) -> None:
    """The order's open findings kept in the store: written only where there are some now or were before."""
    still_open = [f for f in findings if not f.fixed]
    if still_open or order in kept:
        ctx.store.replace_order_findings(shop, order, still_open, ctx.clock.now())


def _verify_payouts(
    ctx: OrderContext, shop: str, since: datetime | None, report: VerifyReport, kept: Collection[str] = ()
) -> None:
    """Where payments are booked ([payments] on): each payout trueup recorded (issued at or after `since`, or
    with open findings) and its entries read from the ERP, one lookup per entry (payouts are few: a few a week
    per shop)."""
    if ctx.payments is None:
        return
    for record in ctx.store.payout_records(shop):
        name = payout_name(record.payout_id)
        if since is not None and record.issued_at < since and name not in kept:
            continue
        references = expected_payout_entries(record)
        findings = payout_findings(record, {ref: ctx.payments.accounting.find_entry(ref) for ref in references})
        report.findings += findings
        report.documents += len(references)
        _keep(ctx, shop, name, findings, kept)


def check_synced_order(ctx: OrderContext, order: ShopifyOrder, entry: LedgerEntry) -> list[Finding]:
    """The check of one order right after its sync changed its ERP documents: the order as the sync just read
    it from Shopify (not read again), its documents read from the ERP (its sale's progress, a credit note per
    refund, its payments and returns where due); each finding logged as the sweep logs it. Nothing is fixed
    here (the sync itself retries a sale left confirmed), and an ERP that fails to answer leaves it to the
    periodic sweep: the sync has done its work. Its findings are kept in the store, replacing the order's: one
    write."""
    try:
        findings, _ = verify_order(ctx, order, entry, fix=False)
    except TransientError as problem:
        log.info("verify_order_deferred", shop=order.shop, order=order.name, reason=str(problem))
        return []
    ctx.store.replace_order_findings(order.shop, order.name, findings, ctx.clock.now())
    for finding in findings:
        log.warning(
            "verify_finding",
            shop=order.shop,
            order=finding.order,
            kind=str(finding.kind),
            document=finding.document,
            fixed=False,
            on="sync",
        )
    return findings


def verify_order(
    ctx: OrderContext,
    order: ShopifyOrder,
    entry: LedgerEntry,
    *,
    fix: bool = True,
    periods: dict[str, dict[str, Decimal]] | None = None,
    tax_variances: Sequence[TaxVarianceRecord] = (),
) -> tuple[list[Finding], int]:
    """The findings of one posted order, the mechanical ones fixed when `fix`, and how many ERP documents were
    checked (its sale, credit notes and payments); its figures (with its recorded `tax_variances`) added to
    `periods`."""
    sale = _read_sale(ctx, entry)
    notes: dict[str, PostedCreditNote | None] = {
        ref: ctx.back_office.find_credit_note(ref) for ref in expected_notes(order, sale)
    }
    if periods is not None:
        credited = sum((n.total.amount for n in notes.values() if n is not None), Decimal(0))
        erp_taxes = ctx.back_office.sale_invoice_taxes(sale.erp_id) if sale is not None else {}
        add_period_figures(
            periods, order, sale.total.amount if sale else None, credited, tax_variances, erp_taxes=erp_taxes
        )
    findings = check_order(order, sale, notes)
    due = _due_payments(ctx, order, sale, notes) if entry.state == OrderState.POSTED else []  # as the sync books
    if due and ctx.payments is not None:
        findings += payment_findings(order, due, ctx.payments.accounting.booked_payments(p.reference for p in due))
    returns = _due_returns(ctx, order, sale, notes)
    for request in returns:
        findings += restock_findings(order, request, ctx.back_office.returned_units(request.reference))
    documents = 1 + len(notes) + len(due) + len(returns)
    if not fix:
        return findings, documents
    return [_fixed(ctx, order, f) if f.kind is FindingKind.SALE_NOT_PROCESSING else f for f in findings], documents


def _due_returns(
    ctx: OrderContext, order: ShopifyOrder, sale: SaleProgress | None, notes: Mapping[str, PostedCreditNote | None]
) -> list[RestockRequest]:
    """The stock side of each refund credited in the ERP that brings units back (RETURN restocks), as the refunds
    flow builds it (a bundle as its components); none for a refund whose location maps to no warehouse."""
    if sale is None:
        return []
    requests = []
    for refund in order.refunds:
        if notes.get(refund_reference(order.shop, refund)) is None:
            continue  # no note (its own finding), or none due: nothing was restocked for it either
        skus = {line.sku for line in refund.lines if line.sku}
        kits = bundles_among(ctx.back_office, ctx.policy.bundles, skus) if skus else {}
        try:
            request = build_restock(
                refund, shop=order.shop, sale_id=sale.erp_id, kits=kits, locations=ctx.policy.locations
            )
        except StructuralError:
            continue
        if request is not None and request.returns:
            requests.append(request)
    return requests


def _due_payments(
    ctx: OrderContext, order: ShopifyOrder, sale: SaleProgress | None, notes: Mapping[str, PostedCreditNote | None]
) -> list[Payment]:
    """The payments the order's transactions call for where payments are booked ([payments] on): each capture
    against the sale, each refund against its credit note where the ERP holds one (a note missing is its own
    finding). None for a sale the ERP does not hold, nor for a gateway with no account (the order is parked);
    the caller asks only for posted orders, whose payments the sync books (a cancelled order's are not)."""
    if ctx.payments is None or sale is None:
        return []
    note_of = {
        tx: reference
        for refund in order.refunds
        for reference in [refund_reference(order.shop, refund)]
        if notes.get(reference) is not None
        for tx in refund.transaction_ids
    }
    transactions = [replace(tx, refund_reference=note_of.get(tx.transaction_id)) for tx in order.transactions]
    try:
        return payments_to_book(order.shop, order.name, sale.erp_id, transactions, ctx.payments.accounts)
    except StructuralError:
        return []


def _read_sale(ctx: OrderContext, entry: LedgerEntry) -> SaleProgress | None:
    if entry.erp_sale_id is None:
        return None
    try:
        return ctx.back_office.sale_progress(entry.erp_sale_id)
    except StructuralError:  # the ERP has no such sale any more
        return None


def _fixed(ctx: OrderContext, order: ShopifyOrder, finding: Finding) -> Finding:
    """A sale left confirmed, processed now (finding it again processes it)."""
    sale = ctx.back_office.find_sales_order(order_reference(order))
    if sale is None or sale.state not in ("processing", "done"):
        return finding
    log.info("verify_fixed", shop=order.shop, order=order.name, kind=str(finding.kind), sale=sale.number)
    return replace(finding, fixed=True, detail=f"{finding.detail}: processed now")
