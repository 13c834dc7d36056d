"""The after-sale half of FakeBackOffice (progress, amendments, cancellations, credit notes), held to Tryton's
semantics by tests/contract/test_sales_ledger_contract.py.

As the Tryton adapter does: the sale's invoice stays a draft (following amendments) until the first credit
note, which posts it; a cancellation cancels the shipments not yet despatched and the draft invoice, and
leaves the sale "cancelled" with nothing sold. Each sale ships from one warehouse in one shipment;
`set_shipment_stage` moves it on as the warehouse would. A change touching a shipment picked or later raises
StructuralError(ALREADY_DESPATCHED).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from tests.fakes import back_office_stock as _stock
from tests.fakes.erp_tax import erp_line_tax
from trueup.domain.credit_notes import CreditNoteRequest, PostedCreditNote, RestockRequest
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.inventory import StockChange
from trueup.domain.money import Money, total
from trueup.domain.posting_checks import check_credit_note, check_restocks, check_sales_order
from trueup.domain.sales import (
    PostedSale,
    SaleLineProgress,
    SaleProgress,
    SalesLine,
    SalesOrderRequest,
    ShipmentProgress,
    ShipmentStage,
)
from trueup.domain.tax_rounding import TaxVariance, settle_tax_rounding, taxes_as_charged

if TYPE_CHECKING:
    from tests.fakes.back_office import FakeBackOffice

DEFAULT_WAREHOUSE = "WH1"  # the demo Tryton business's default warehouse
_BEFORE_PICKING = frozenset({ShipmentStage.WAITING, ShipmentStage.ASSIGNED})
_DESPATCHED = frozenset({ShipmentStage.SHIPPED, ShipmentStage.DONE})


@dataclass
class FakeShipmentOut:
    id: int
    number: str
    warehouse: str
    stage: ShipmentStage
    lines: dict[str, Decimal]  # SKU → units


@dataclass
class PostedSaleRecord:
    """What the fake keeps of one sale after it was posted."""

    shipments: list[FakeShipmentOut]
    invoices: list[str]  # posted invoice numbers
    line_ids: list[int]  # ids of the request's goods lines, in order
    draft_invoice: bool = True  # the sale's invoice, not yet posted
    cancelled: bool = False


@dataclass
class PostedSalesBook:
    sales: dict[str, PostedSaleRecord] = field(default_factory=dict)  # by sale reference
    credit_notes: dict[str, PostedCreditNote] = field(default_factory=dict)  # by reference
    credit_requests: dict[str, CreditNoteRequest] = field(default_factory=dict)  # what each note was made from
    returned: dict[tuple[str, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))  # (sku, wh)
    restocked: dict[str, RestockRequest] = field(default_factory=dict)  # what each refund moved, by reference
    counter: int = 0

    def next_id(self) -> int:
        self.counter += 1
        return self.counter


def posted_record(office: FakeBackOffice, reference: str) -> PostedSaleRecord:
    """The sale's after-sale record, made as Tryton makes it at confirmation: one waiting shipment of every
    goods line at the sale's warehouse, and its invoice (a draft)."""
    book = office.posted
    if reference not in book.sales:
        order = office.requests[reference]
        goods = [line for line in order.lines if not line.is_shipping]
        n = book.next_id()
        shipment = FakeShipmentOut(n, f"CS{n}", order.warehouse or DEFAULT_WAREHOUSE, ShipmentStage.WAITING, {})
        shipment.lines = _quantities(goods)
        line_ids = [book.next_id() for _ in goods]
        book.sales[reference] = PostedSaleRecord([shipment], [], line_ids)
    return book.sales[reference]


def reference_of(office: FakeBackOffice, erp_sale_id: str) -> str:
    """The reference of the sale with `erp_sale_id`: as last found if still so, else searched newest first (a
    sale just posted is the one asked for most), so that a long run does not slow down with its sales."""
    known = office.sale_references.get(erp_sale_id)
    if known is not None and known in office.sales and office.sales[known].erp_id == erp_sale_id:
        return known
    for reference in reversed(office.sales):
        if office.sales[reference].erp_id == erp_sale_id:
            office.sale_references[erp_sale_id] = reference
            return reference
    raise StructuralError(Cause.BACK_OFFICE_REJECTED, f"no sale with id {erp_sale_id}")


def sale_progress(office: FakeBackOffice, erp_sale_id: str) -> SaleProgress:
    reference = reference_of(office, erp_sale_id)
    record, sale, order = posted_record(office, reference), office.sales[reference], office.requests[reference]
    shipped, pending = _shipped(record), _pending(record)
    lines = []
    for line_id, line in zip(record.line_ids, [x for x in order.lines if not x.is_shipping], strict=True):
        if record.cancelled:  # as in the ERP, whose cancelled sale keeps its lines at 0: left out
            break
        quantity = line.quantity
        done = min(quantity, shipped[line.sku])
        shipped[line.sku] -= done
        on_the_way = min(quantity - done, pending[line.sku])
        pending[line.sku] -= on_the_way
        lines.append(SaleLineProgress(str(line_id), line.sku, quantity, done, on_the_way))
    shipments = tuple(
        ShipmentProgress(f"stock.shipment.out,{s.id}", s.number, s.warehouse, s.stage) for s in record.shipments
    )
    return SaleProgress(
        sale.erp_id,
        sale.number,
        sale.reference,
        sale.state,
        sale.total,
        tuple(lines),
        shipments,
        office.sale_records[reference].shipment_address,
        tuple(record.invoices),
    )


def sale_invoice_taxes(office: FakeBackOffice, erp_sale_id: str) -> dict[str, Money]:
    """As Tryton's: the tax of the sale's invoice per ERP tax, non-zero sums; none once the sale is cancelled with
    nothing invoiced (its draft invoice cancelled with it)."""
    reference = reference_of(office, erp_sale_id)
    record = posted_record(office, reference)
    if record.cancelled and not record.invoices:
        return {}
    taxes = office.invoice_taxes.get(reference, {})
    return {code: amount for code, amount in sorted(taxes.items()) if not amount.is_zero()}


def amend_sale(office: FakeBackOffice, erp_sale_id: str, order: SalesOrderRequest) -> PostedSale:
    reference = reference_of(office, erp_sale_id)
    check_sales_order(order, office.reference_data())
    record, before = posted_record(office, reference), office.requests[reference]
    if record.cancelled:
        raise StructuralError(Cause.BACK_OFFICE_REJECTED, "the sale is cancelled: it cannot be amended")
    due = _due_now(record)
    wanted = _quantities([line for line in order.lines if not line.is_shipping])
    moving = _outstanding(record, wanted)  # what the shipments still to pick must hold
    started = [s for s in record.shipments if s.stage not in _BEFORE_PICKING and s.stage != ShipmentStage.CANCELLED]
    address_changes = order.shipment_address is not None and order.shipment_address != (
        office.sale_records[reference].shipment_address
    )
    if started and (any(q < 0 for q in moving.values()) or _pending_changes(record, moving) or address_changes):
        raise StructuralError(
            Cause.ALREADY_DESPATCHED, f"{started[0].number} is {started[0].stage}: the sale's shipment cannot change"
        )
    old = office.sales[reference]
    untaxed, (tax, variances) = office.sale_totals(order)[0], office.sale_taxes(order)
    sale = replace(old, untaxed=untaxed, tax=tax, total=untaxed + tax)
    office.sales[reference] = sale
    office.requests[reference] = replace(order, reference=reference)
    record.line_ids = _line_ids(office, before.lines, order.lines, record.line_ids)
    if record.invoices and _quantities(before.lines) != _quantities(order.lines):
        # As Tryton invoices "on order": once invoiced, a change of quantities is invoiced on its own (a draft
        # until the next credit note posts it); a change of price alone is not invoiced again.
        record.draft_invoice = True
    waiting = [s for s in record.shipments if s.stage in _BEFORE_PICKING]
    if waiting:
        waiting[0].lines = {sku: q for sku, q in moving.items() if q > 0}
    elif any(q > 0 for q in moving.values()):
        n = office.posted.next_id()
        shipment = FakeShipmentOut(n, f"CS{n}", record.shipments[0].warehouse, ShipmentStage.WAITING, {})
        shipment.lines = {sku: q for sku, q in moving.items() if q > 0}
        record.shipments.append(shipment)
    sale_record = office.sale_records[reference]
    invoice = order.invoice_address or sale_record.invoice_address
    shipment_address = order.shipment_address or sale_record.shipment_address
    office.sale_records[reference] = replace(sale_record, invoice_address=invoice, shipment_address=shipment_address)
    office.keep_addresses(sale_record.party_id, [a for a in (invoice, shipment_address) if a is not None])
    _follow_due(office, record, due)
    return replace(sale, tax_variances=variances)


def cancel_sale(office: FakeBackOffice, erp_sale_id: str) -> PostedSale:
    reference = reference_of(office, erp_sale_id)
    record, sale = posted_record(office, reference), office.sales[reference]
    if record.cancelled:
        return sale
    despatched = [s for s in record.shipments if s.stage in _DESPATCHED]
    if despatched:
        raise StructuralError(
            Cause.ALREADY_DESPATCHED, f"{despatched[0].number} is {despatched[0].stage}: the sale cannot be cancelled"
        )
    due = _due_now(record)
    for shipment in record.shipments:
        shipment.stage = ShipmentStage.CANCELLED
    _follow_due(office, record, due)
    record.draft_invoice = False  # a draft is cancelled; a posted invoice stays (its credit notes balance it)
    record.cancelled = True
    zero = Money.zero(sale.total.currency)
    cancelled = replace(sale, state="cancelled", untaxed=zero, tax=zero, total=zero)
    office.sales[reference] = cancelled
    return cancelled


def find_credit_note(office: FakeBackOffice, reference: str) -> PostedCreditNote | None:
    return office.posted.credit_notes.get(reference)


def create_credit_note(office: FakeBackOffice, request: CreditNoteRequest) -> PostedCreditNote:
    """As Tryton's: checked first, idempotent by reference, the sale's draft invoice posted first."""
    book = office.posted
    if request.reference in book.credit_notes:
        return book.credit_notes[request.reference]
    record = posted_record(office, reference_of(office, request.sale_id))
    check_credit_note(request, office.reference_data())
    erp_tax = total(
        [
            erp_line_tax(SalesLine(line.sku or "", "", Decimal(1), line.net, line.tax_codes), office.tax_rates)
            for line in request.lines
        ],
        request.currency,
    )
    variances: tuple[TaxVariance, ...] = ()
    if request.expected_taxes:  # as the adapter: Shopify's tax per tax; only tax no ERP tax holds is checked
        variances = credit_note_variances(office, request)
        settle_tax_rounding(
            request.uncarried_tax, Money.zero(request.currency), request.tax_rounding_tolerance, refunded=True
        )
    else:
        settle_tax_rounding(request.expected_tax, erp_tax, request.tax_rounding_tolerance, refunded=True)
    if record.draft_invoice and not record.cancelled:  # a refund: the sale is invoiced at the latest now
        record.draft_invoice = False
        record.invoices.append(f"INV{book.next_id()}")
    n = book.next_id()
    note = PostedCreditNote(str(n), f"CN{n}", request.reference, request.expected_total, "posted")
    book.credit_notes[request.reference] = note
    book.credit_requests[request.reference] = request
    return replace(note, tax_variances=variances)  # as Tryton's: only on the answer that made the note


def credit_note_variances(office: FakeBackOffice, request: CreditNoteRequest) -> tuple[TaxVariance, ...]:
    """As the adapter: the note's tax per ERP tax at the ERP's rate (negative, credited) against Shopify's
    refunded tax; the variances beyond the tolerance."""
    by_tax: dict[str, Money] = {}
    for line in request.lines:
        for code in line.tax_codes:
            tax = erp_line_tax(SalesLine(line.sku or "", "", Decimal(1), line.net, (code,)), office.tax_rates)
            by_tax[code] = by_tax.get(code, Money.zero(request.currency)) - tax
    refunded = {code: -amount for code, amount in request.expected_taxes}
    settled = taxes_as_charged(
        request.reference, refunded, by_tax, request.tax_rounding_tolerance, rates=dict(request.tax_rates)
    )
    return settled.variances


def check_restock(office: FakeBackOffice, request: RestockRequest) -> None:
    """As Tryton's: products and warehouses known, CANCEL units still on a shipment to pick; moves nothing."""
    if request.reference in office.posted.restocked:
        return
    check_restocks(request.restocks, office.reference_data())
    record = posted_record(office, reference_of(office, request.sale_id))
    if record.cancelled:  # as Tryton's: its shipments were cancelled with it, nothing left to take off
        return
    for restock in request.cancels:
        pending = [s for s in record.shipments if s.stage in _BEFORE_PICKING and s.lines.get(restock.sku)]
        if sum((s.lines[restock.sku] for s in pending), Decimal(0)) < restock.quantity:
            raise StructuralError(
                Cause.ALREADY_DESPATCHED,
                f"{restock.quantity} x {restock.sku} are not on a shipment still to pick: they cannot be taken off",
            )


def restock(office: FakeBackOffice, request: RestockRequest) -> None:
    """RETURN units back in stock, CANCEL units off the shipment still to pick; once per reference."""
    book = office.posted
    if request.reference in book.restocked:
        return
    check_restock(office, request)
    record = posted_record(office, reference_of(office, request.sale_id))
    default = record.shipments[0].warehouse
    due = _due_now(record)
    for cancel in request.cancels if not record.cancelled else ():
        left = cancel.quantity
        for shipment in (s for s in record.shipments if s.stage in _BEFORE_PICKING):
            taken = min(left, shipment.lines.get(cancel.sku, Decimal(0)))
            shipment.lines[cancel.sku] -= taken
            left -= taken
        for shipment in record.shipments:
            if shipment.stage in _BEFORE_PICKING and not any(shipment.lines.values()):
                shipment.stage = ShipmentStage.CANCELLED
    _follow_due(office, record, due)
    for returned in request.returns:
        key = (returned.sku, returned.warehouse or default)
        book.returned[key] += returned.quantity
        _stock.move(office, returned.sku, key[1], returned.quantity)
    book.restocked[request.reference] = request


def returned_units(office: FakeBackOffice, reference: str) -> dict[str, Decimal]:
    """As Tryton's returns done for the refund: its RETURN units per SKU, once it has moved them."""
    request = office.posted.restocked.get(reference)
    units: dict[str, Decimal] = {}
    for returned in request.returns if request is not None else ():
        units[returned.sku] = units.get(returned.sku, Decimal(0)) + returned.quantity
    return units


def set_shipment_stage(office: FakeBackOffice, reference_or_id: str, stage: ShipmentStage) -> None:
    """The warehouse moves the sale's latest shipment to `stage` (DONE: its units have left)."""
    reference = reference_or_id if reference_or_id in office.sales else reference_of(office, reference_or_id)
    record = posted_record(office, reference)
    live = [s for s in record.shipments if s.stage != ShipmentStage.CANCELLED]
    shipment, due = (live or record.shipments)[-1], _due_now(record)
    if stage == ShipmentStage.DONE and shipment.stage != ShipmentStage.DONE:
        for sku, quantity in shipment.lines.items():  # the goods leave the warehouse
            _stock.move(office, sku, shipment.warehouse, -quantity)
    shipment.stage = stage
    _follow_due(office, record, due)


# --- internals ----------------------------------------------------------------------------------
def _due_now(record: PostedSaleRecord) -> dict[tuple[str, str], Decimal]:
    """What the sale's shipments not done yet still take out of stock, by (SKU, warehouse)."""
    due: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for shipment in record.shipments:
        if shipment.stage not in (ShipmentStage.DONE, ShipmentStage.CANCELLED):
            for sku, quantity in shipment.lines.items():
                due[(sku, shipment.warehouse)] += quantity
    return due


def _follow_due(office: FakeBackOffice, record: PostedSaleRecord, before: dict[tuple[str, str], Decimal]) -> None:
    """The stock side (tests/fakes/back_office_stock.py) follows what the sale still takes out, as Tryton's
    forecast follows its moves."""
    after = _due_now(record)
    for key in sorted(set(before) | set(after)):
        delta = after.get(key, Decimal(0)) - before.get(key, Decimal(0))
        if delta:
            office.due_out[key] = office.due_out.get(key, Decimal(0)) + delta
            office.stock_log.append(StockChange(*key))


def _quantities(lines: list[SalesLine] | tuple[SalesLine, ...]) -> dict[str, Decimal]:
    result: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        result[line.sku] += line.quantity
    return dict(result)


def _shipped(record: PostedSaleRecord) -> dict[str, Decimal]:
    result: dict[str, Decimal] = defaultdict(Decimal)
    for shipment in record.shipments:
        if shipment.stage == ShipmentStage.DONE:
            for sku, quantity in shipment.lines.items():
                result[sku] += quantity
    return result


def _pending(record: PostedSaleRecord) -> dict[str, Decimal]:
    """Per SKU, the units on shipments neither done nor cancelled (Tryton's moves still to deliver)."""
    result: dict[str, Decimal] = defaultdict(Decimal)
    for shipment in record.shipments:
        if shipment.stage not in (ShipmentStage.DONE, ShipmentStage.CANCELLED):
            for sku, quantity in shipment.lines.items():
                result[sku] += quantity
    return result


def _outstanding(record: PostedSaleRecord, wanted: dict[str, Decimal]) -> dict[str, Decimal]:
    """Per SKU, what is still to ship once the shipments picked or later have gone, and the units a CANCEL
    restock took off are left off."""
    on_the_way: dict[str, Decimal] = defaultdict(Decimal)
    for shipment in record.shipments:
        if shipment.stage not in _BEFORE_PICKING and shipment.stage != ShipmentStage.CANCELLED:
            for sku, quantity in shipment.lines.items():
                on_the_way[sku] += quantity
    skus = set(wanted) | set(on_the_way)
    return {sku: wanted.get(sku, Decimal(0)) - on_the_way[sku] for sku in skus}


def _pending_changes(record: PostedSaleRecord, moving: dict[str, Decimal]) -> bool:
    pending: dict[str, Decimal] = defaultdict(Decimal)
    for shipment in record.shipments:
        if shipment.stage in _BEFORE_PICKING:
            for sku, quantity in shipment.lines.items():
                pending[sku] += quantity
    return any(pending[sku] != max(q, Decimal(0)) for sku, q in moving.items())


def _line_ids(
    office: FakeBackOffice, before: tuple[SalesLine, ...], after: tuple[SalesLine, ...], ids: list[int]
) -> list[int]:
    """Lines of the same SKU keep their id (as amended Tryton lines do); new ones get a new id."""
    free: dict[str, list[int]] = defaultdict(list)
    for line_id, line in zip(ids, [x for x in before if not x.is_shipping], strict=True):
        free[line.sku].append(line_id)
    return [
        free[line.sku].pop(0) if free[line.sku] else office.posted.next_id() for line in after if not line.is_shipping
    ]
