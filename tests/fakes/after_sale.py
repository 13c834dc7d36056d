"""The after-sale half of FakeBackOffice (progress, amendments, cancellations, credit notes), held to Tryton's
semantics by tests/contract/test_back_office_after_sale_contract.py.

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
from trueup.domain.after_sale import (
    CreditNoteRequest,
    PostedCreditNote,
    RestockType,
    SaleLineProgress,
    SaleProgress,
    ShipmentProgress,
    ShipmentStage,
)
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.inventory import StockChange
from trueup.domain.money import Money, total
from trueup.domain.sales import PostedSale, SalesLine, SalesOrderRequest

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
class AfterSale:
    """What the fake keeps of one sale after it was posted."""

    shipments: list[FakeShipmentOut]
    invoices: list[str]  # posted invoice numbers
    line_ids: list[int]  # ids of the request's goods lines, in order
    draft_invoice: bool = True  # the sale's invoice, not yet posted
    cancelled: bool = False


@dataclass
class FakeAfterSaleBook:
    sales: dict[str, AfterSale] = field(default_factory=dict)  # by sale reference
    credit_notes: dict[str, PostedCreditNote] = field(default_factory=dict)  # by reference
    credit_requests: dict[str, CreditNoteRequest] = field(default_factory=dict)  # what each note was made from
    returned: dict[tuple[str, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))  # (sku, wh)
    counter: int = 0

    def next_id(self) -> int:
        self.counter += 1
        return self.counter


def after_sale(office: FakeBackOffice, reference: str) -> AfterSale:
    """The sale's after-sale record, made as Tryton makes it at confirmation: one waiting shipment of every
    goods line at the sale's warehouse, and its invoice (a draft)."""
    book = office.after_sale
    if reference not in book.sales:
        order = office.requests[reference]
        goods = [line for line in order.lines if not line.is_shipping]
        n = book.next_id()
        shipment = FakeShipmentOut(n, f"CS{n}", order.warehouse or DEFAULT_WAREHOUSE, ShipmentStage.WAITING, {})
        shipment.lines = _quantities(goods)
        line_ids = [book.next_id() for _ in goods]
        book.sales[reference] = AfterSale([shipment], [], line_ids)
    return book.sales[reference]


def reference_of(office: FakeBackOffice, erp_sale_id: int) -> str:
    for reference, sale in office.sales.items():
        if sale.erp_id == erp_sale_id:
            return reference
    raise StructuralError(Cause.BACK_OFFICE_REJECTED, f"no sale with id {erp_sale_id}")


def sale_progress(office: FakeBackOffice, erp_sale_id: int) -> SaleProgress:
    reference = reference_of(office, erp_sale_id)
    record, sale, order = after_sale(office, reference), office.sales[reference], office.requests[reference]
    shipped = _shipped(record)
    lines = []
    for line_id, line in zip(record.line_ids, [x for x in order.lines if not x.is_shipping], strict=True):
        if record.cancelled:  # as in the ERP, whose cancelled sale keeps its lines at 0: left out
            break
        quantity = line.quantity
        done = min(quantity, shipped[line.sku])
        shipped[line.sku] -= done
        lines.append(SaleLineProgress(line_id, line.sku, quantity, done))
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


def amend_sale(office: FakeBackOffice, erp_sale_id: int, order: SalesOrderRequest) -> PostedSale:
    reference = reference_of(office, erp_sale_id)
    office._check(order)
    record, before = after_sale(office, reference), office.requests[reference]
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
    untaxed = total([line.amount.rounded() for line in order.lines], order.currency)
    tax = total([office._line_tax(line) for line in order.lines], order.currency)
    untaxed = untaxed + office._tax_rounding(order, tax)
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
        n = office.after_sale.next_id()
        shipment = FakeShipmentOut(n, f"CS{n}", record.shipments[0].warehouse, ShipmentStage.WAITING, {})
        shipment.lines = {sku: q for sku, q in moving.items() if q > 0}
        record.shipments.append(shipment)
    sale_record = office.sale_records[reference]
    invoice = order.invoice_address or sale_record.invoice_address
    shipment_address = order.shipment_address or sale_record.shipment_address
    office.sale_records[reference] = replace(sale_record, invoice_address=invoice, shipment_address=shipment_address)
    office._keep_addresses(sale_record.party_id, [a for a in (invoice, shipment_address) if a is not None])
    _follow_due(office, record, due)
    return sale


def cancel_sale(office: FakeBackOffice, erp_sale_id: int) -> PostedSale:
    reference = reference_of(office, erp_sale_id)
    record, sale = after_sale(office, reference), office.sales[reference]
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
    return office.after_sale.credit_notes.get(reference)


def create_credit_note(office: FakeBackOffice, request: CreditNoteRequest) -> PostedCreditNote:
    reference = reference_of(office, request.sale_erp_id)
    record = after_sale(office, reference)
    skus = sorted({line.sku for line in request.lines if line.sku} | {r.sku for r in request.restocks})
    unknown = sorted(set(skus) - office.skus)
    if unknown:
        raise StructuralError(
            Cause.SKU_NOT_IN_ITEM_MASTER, "SKU(s) unknown: " + ", ".join(unknown), needs={"skus": unknown}
        )
    unmapped = sorted({code for line in request.lines for code in line.tax_codes} - set(office.tax_rates))
    if unmapped:
        raise StructuralError(Cause.UNMAPPED_TAX, "taxes unknown: " + ", ".join(unmapped), needs={"taxes": unmapped})
    erp_tax = total(
        [
            office._line_tax(SalesLine(line.sku or "", "", Decimal(1), line.net, line.tax_codes))
            for line in request.lines
        ],
        request.currency,
    )
    difference = request.expected_tax - erp_tax
    tolerance = request.tax_rounding_tolerance
    if not difference.is_zero() and (tolerance is None or abs(difference.amount) > tolerance.amount):
        raise StructuralError(
            Cause.TAX_MISMATCH, f"Shopify refunded {request.expected_tax} of tax, the ERP computes {erp_tax}"
        )
    _restock(office, record, request)
    if record.draft_invoice and not record.cancelled:  # a refund: the sale is invoiced at the latest now
        record.draft_invoice = False
        record.invoices.append(f"INV{office.after_sale.next_id()}")
    book = office.after_sale
    n = book.next_id()
    note = PostedCreditNote(n, f"CN{n}", request.reference, request.expected_total, "posted")
    book.credit_notes[request.reference] = note
    book.credit_requests[request.reference] = request
    return note


def set_shipment_stage(office: FakeBackOffice, reference_or_id: str | int, stage: ShipmentStage) -> None:
    """The warehouse moves the sale's latest shipment to `stage` (DONE: its units have left)."""
    reference = reference_or_id if isinstance(reference_or_id, str) else reference_of(office, reference_or_id)
    record = after_sale(office, reference)
    live = [s for s in record.shipments if s.stage != ShipmentStage.CANCELLED]
    shipment, due = (live or record.shipments)[-1], _due_now(record)
    if stage == ShipmentStage.DONE and shipment.stage != ShipmentStage.DONE:
        for sku, quantity in shipment.lines.items():  # the goods leave the warehouse
            _stock.move(office, sku, shipment.warehouse, -quantity)
    shipment.stage = stage
    _follow_due(office, record, due)


# --- internals ----------------------------------------------------------------------------------
def _restock(office: FakeBackOffice, record: AfterSale, request: CreditNoteRequest) -> None:
    """Checks every restock before moving anything, as the ERP's transaction would."""
    default = record.shipments[0].warehouse
    cancels = [r for r in request.restocks if r.kind is RestockType.CANCEL]
    for restock in cancels:
        pending = [s for s in record.shipments if s.stage in _BEFORE_PICKING and s.lines.get(restock.sku)]
        if sum((s.lines[restock.sku] for s in pending), Decimal(0)) < restock.quantity:
            raise StructuralError(
                Cause.ALREADY_DESPATCHED,
                f"{restock.quantity} x {restock.sku} are not on a shipment still to pick: they cannot be taken off",
            )
    due = _due_now(record)
    for restock in cancels:
        left = restock.quantity
        for shipment in (s for s in record.shipments if s.stage in _BEFORE_PICKING):
            taken = min(left, shipment.lines.get(restock.sku, Decimal(0)))
            shipment.lines[restock.sku] -= taken
            left -= taken
        for shipment in record.shipments:
            if shipment.stage in _BEFORE_PICKING and not any(shipment.lines.values()):
                shipment.stage = ShipmentStage.CANCELLED
    _follow_due(office, record, due)
    for restock in request.restocks:
        if restock.kind in (RestockType.RETURN, RestockType.LEGACY_RESTOCK):
            key = (restock.sku, restock.warehouse or default)
            office.after_sale.returned[key] += restock.quantity
            _stock.move(office, restock.sku, key[1], restock.quantity)


def _due_now(record: AfterSale) -> dict[tuple[str, str], Decimal]:
    """What the sale's shipments not done yet still take out of stock, by (SKU, warehouse)."""
    due: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for shipment in record.shipments:
        if shipment.stage not in (ShipmentStage.DONE, ShipmentStage.CANCELLED):
            for sku, quantity in shipment.lines.items():
                due[(sku, shipment.warehouse)] += quantity
    return due


def _follow_due(office: FakeBackOffice, record: AfterSale, before: dict[tuple[str, str], Decimal]) -> None:
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


def _shipped(record: AfterSale) -> dict[str, Decimal]:
    result: dict[str, Decimal] = defaultdict(Decimal)
    for shipment in record.shipments:
        if shipment.stage == ShipmentStage.DONE:
            for sku, quantity in shipment.lines.items():
                result[sku] += quantity
    return result


def _outstanding(record: AfterSale, wanted: dict[str, Decimal]) -> dict[str, Decimal]:
    """Per SKU, what is still to ship once the shipments picked or later have gone, and the units a CANCEL
    restock took off are left off."""
    on_the_way: dict[str, Decimal] = defaultdict(Decimal)
    for shipment in record.shipments:
        if shipment.stage not in _BEFORE_PICKING and shipment.stage != ShipmentStage.CANCELLED:
            for sku, quantity in shipment.lines.items():
                on_the_way[sku] += quantity
    skus = set(wanted) | set(on_the_way)
    return {sku: wanted.get(sku, Decimal(0)) - on_the_way[sku] for sku in skus}


def _pending_changes(record: AfterSale, moving: dict[str, Decimal]) -> bool:
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
        free[line.sku].pop(0) if free[line.sku] else office.after_sale.next_id()
        for line in after
        if not line.is_shipping
    ]
