"""FakeBackOffice: the BackOffice port in memory, held to Tryton's semantics by
tests/contract/test_back_office_contract.py.

Same rules as TrytonBackOffice: sales found by their external reference; every SKU, tax and warehouse is
checked before anything is created; one party per customer (the domain's party code, else Shopify id, then
e-mail), its addresses reused; the payment term looked up by name; tax rounded per line; kits (`add_kit`)
read back by `kit_components`. Knobs for engine tests:
- `down = True`: every call raises TransientError;
- `commit_then_timeout_next = True`: the next create commits the sale, then raises TransientError (a timeout
  after the ERP committed);
- `reject_next = True` (or a message): the next create raises StructuralError(BACK_OFFICE_REJECTED).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal

from tests.fakes import back_office_stock as _stock
from tests.fakes import posted_sales as _posted
from tests.fakes.back_office_stock import SERVICE_PRODUCTS
from tests.fakes.erp_tax import erp_line_tax
from trueup.domain.bundles import KitComponent
from trueup.domain.credit_notes import CreditNoteRequest, PostedCreditNote, RestockRequest
from trueup.domain.errors import Cause, StructuralError, TransientError
from trueup.domain.fulfilment import Shipment, ShipmentLine
from trueup.domain.inventory import StockChange, WarehouseStock
from trueup.domain.money import Money, total
from trueup.domain.orders import Address, Customer
from trueup.domain.party_fields import PartyField
from trueup.domain.posting_checks import ErpReferenceData, check_sales_order
from trueup.domain.sales import PostedSale, SaleProgress, SalesOrderRequest, ShipmentStage
from trueup.domain.tax_rounding import TaxVariance, check_tax_variance, taxes_as_charged

DEFAULT_TAX_RATES = {"VAT20": Decimal("0.20"), "VAT5.5": Decimal("0.055")}
DEFAULT_PAYMENT_TERMS = frozenset({"Immediate", "Net 15", "Net 30", "Net 60"})  # as in the demo Tryton business
# The countries of the demo Tryton business.
DEFAULT_COUNTRIES = frozenset(
    {
        "AT",
        "AU",
        "BE",
        "CA",
        "CH",
        "CZ",
        "DE",
        "DK",
        "ES",
        "FI",
        "FR",
        "GB",
        "GR",
        "IE",
        "IT",
        "JP",
        "LU",
        "NL",
        "NO",
        "NZ",
        "PL",
        "PT",
        "SE",
        "US",
    }
)


@dataclass(frozen=True)
class SaleRecord:
    """What the fake keeps of a sale besides its totals (Tryton's party, payment_term, comment, addresses)."""

    party_id: int
    payment_term: str | None
    comment: str | None
    invoice_address: Address | None
    shipment_address: Address | None


@dataclass
class FakeBackOffice:
    # The item master: the service products of the demo Tryton business (shipping, tax rounding) to begin with.
    skus: set[str] = field(default_factory=lambda: set(SERVICE_PRODUCTS))
    tax_rates: dict[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_TAX_RATES))
    warehouses: set[str] = field(default_factory=lambda: {"WH1", "WH2"})
    currencies: set[str] = field(default_factory=lambda: {"EUR", "USD", "GBP"})
    payment_terms: set[str] = field(default_factory=lambda: set(DEFAULT_PAYMENT_TERMS))
    countries: set[str] = field(default_factory=lambda: set(DEFAULT_COUNTRIES))
    stock: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (sku, warehouse) → units
    kits: dict[str, list[KitComponent]] = field(default_factory=dict)  # kit SKU → its components
    prices: dict[str, Decimal] = field(default_factory=dict)  # SKU → list price (unset: none read back)
    down: bool = False
    invoice_taxes: dict[str, dict[str, Money]] = field(default_factory=dict)  # sale reference → tax → amount
    commit_then_timeout_next: bool = False
    # The ERP stops right after the next confirm: the sale is left confirmed (never processed), the call fails.
    crash_after_confirm_next: bool = False
    # As the Tryton adapter does, a sale found confirmed is processed then; False: a back-office that cannot.
    processes_found_sales: bool = True
    reject_next: bool | str = False
    sales: dict[str, PostedSale] = field(default_factory=dict)  # by reference
    # erp_id → reference as last found (checked against `sales` on each use: tests may change `sales` freely).
    sale_references: dict[str, str] = field(default_factory=dict, repr=False)
    requests: dict[str, SalesOrderRequest] = field(default_factory=dict)  # what each sale was posted from
    sale_parties: dict[str, int] = field(default_factory=dict)  # reference → party id
    parties: dict[int, Customer] = field(default_factory=dict)
    party_addresses: dict[int, list[Address]] = field(default_factory=dict)  # each address once per party
    # party id → its fields taken from metafields, by target ("party.identifier", …) → value
    party_fields: dict[int, dict[str, str]] = field(default_factory=dict)
    sale_records: dict[str, SaleRecord] = field(default_factory=dict)  # by reference
    # Despatched shipments as (write sequence, shipment), in write order: Tryton's write_date, as a counter.
    shipments: list[tuple[int, Shipment]] = field(default_factory=list)
    shipment_written_at: dict[int, datetime] = field(default_factory=dict)  # write sequence → when
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), repr=False)
    calls: list[str] = field(default_factory=list)
    batches: list[int] = field(default_factory=list)  # the size of each create_sales_orders call
    # After the sale (tests/fakes/posted_sales.py): shipments, invoices, credit notes and stock returned.
    posted: _posted.PostedSalesBook = field(default_factory=_posted.PostedSalesBook)
    # Stock (tests/fakes/back_office_stock.py): every movement in order, and the goods of posted sales due out.
    stock_log: list[StockChange] = field(default_factory=list)
    due_out: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # --- test set-up ----------------------------------------------------------------------------
    def add_products(self, *skus: str) -> None:
        self.skus.update(skus)

    def add_kit(self, sku: str, components: list[KitComponent]) -> None:
        """A kit sold under `sku`, made of `components` (which become products too)."""
        self.skus.update([sku, *(c.sku for c in components)])
        self.kits[sku] = list(components)

    def despatch(
        self,
        reference: str,
        lines: Iterable[tuple[str, int]],
        tracking_number: str | None = None,
        *,
        carrier: str | None = None,
        warehouse: str | None = None,
    ) -> Shipment:
        """A customer shipment of the sale `reference` despatched now (as a warehouse would ship it), from
        `warehouse` (by default the sale's, else WH1)."""
        posted = self.requests.get(reference)
        sequence = max((seq for seq, _ in self.shipments), default=0) + 1
        shipment = Shipment(
            f"stock.shipment.out,{sequence}",
            reference,
            tuple(ShipmentLine(sku, q) for sku, q in lines),
            carrier=carrier,
            tracking_number=tracking_number,
            warehouse=warehouse or (posted.warehouse if posted else None) or "WH1",
        )
        self.shipments.append((sequence, shipment))
        self.shipment_written_at[sequence] = self.clock()
        return shipment

    def rewrite_shipment(self, shipment: Shipment, **changes: str | None) -> Shipment:
        """The warehouse writes a despatched shipment again (a tracking number added, say): it comes back
        in the next read, as Tryton's write_date moves."""
        changed = replace(shipment, **changes)  # type: ignore[arg-type]
        sequence = max((seq for seq, _ in self.shipments), default=0) + 1
        self.shipments = [(seq, s) for seq, s in self.shipments if s.shipment_id != shipment.shipment_id]
        self.shipments.append((sequence, changed))
        self.shipment_written_at[sequence] = self.clock()
        return changed

    def parties_of(self, customer: Customer) -> int:
        """How many parties `customer` matches (by Shopify id or e-mail): 1 when nothing was duplicated."""
        return sum(1 for known in self.parties.values() if _same_customer(known, customer))

    # --- the port -------------------------------------------------------------------------------
    def find_sales_order(self, reference: str) -> PostedSale | None:
        self._enter("find_sales_order")
        sale = self.sales.get(reference)
        if sale is not None and sale.state == "confirmed" and self.processes_found_sales:  # as the adapter does
            sale = self.sales[reference] = replace(sale, state="processing")
        return sale

    def confirm_without_processing(self, order: SalesOrderRequest) -> PostedSale:
        """A sale confirmed whose processing never ran (the ERP stopped in between): left "confirmed", its tax
        the ERP's own (Shopify's is set on the invoice after the processing)."""
        with self._lock:
            posted = self._post(order)
            own = self.erp_taxes(order)
            self.invoice_taxes[order.reference] = own
            tax = total(list(own.values()), order.currency)
            sale = replace(posted, state="confirmed", tax=tax, total=posted.untaxed + tax, tax_variances=())
            self.sales[order.reference] = sale
            _stock.note_sale(self, order)
        return sale

    def unknown_skus(self, skus: Iterable[str]) -> set[str]:
        self._enter("unknown_skus")
        return set(skus) - self.skus

    def unknown_taxes(self, codes: Iterable[str]) -> set[str]:
        self._enter("unknown_taxes")
        return set(codes) - set(self.tax_rates)

    def kit_components(self, skus: Iterable[str]) -> dict[str, list[KitComponent]]:
        self._enter("kit_components")
        return {sku: list(self.kits[sku]) for sku in sorted(set(skus)) if self.kits.get(sku)}

    def list_prices(self, skus: Iterable[str]) -> dict[str, Decimal]:
        self._enter("list_prices")
        return {sku: self.prices[sku] for sku in sorted(set(skus) & self.skus) if sku in self.prices}

    def despatched_shipments(self, since_cursor: str | None) -> tuple[list[Shipment], str | None]:
        self._enter("despatched_shipments")
        start = int(since_cursor) if since_cursor else 0
        batch = [(seq, shipment) for seq, shipment in self.shipments if seq >= start][:200]
        if not batch:
            return [], since_cursor
        return [shipment for _, shipment in batch], str(batch[-1][0])

    def shipments_cursor_at(self, moment: datetime) -> str:
        self._enter("shipments_cursor_at")
        later = [seq for seq, at in self.shipment_written_at.items() if at >= moment]
        return str(min(later, default=max(self.shipment_written_at, default=0) + 1))

    def create_sales_order(self, order: SalesOrderRequest) -> PostedSale:
        self._enter("create_sales_order")
        check_sales_order(order, self.reference_data())
        if self.reject_next:
            message = self.reject_next if isinstance(self.reject_next, str) else "rejected by the fake back-office"
            self.reject_next = False
            raise StructuralError(Cause.BACK_OFFICE_REJECTED, message)
        if self.crash_after_confirm_next:
            self.crash_after_confirm_next = False
            self.confirm_without_processing(order)
            raise TransientError("the back-office stopped right after confirming")
        with self._lock:
            sale = self._post(order)
            _stock.note_sale(self, order)
        if self.commit_then_timeout_next:
            self.commit_then_timeout_next = False
            raise TransientError("timed out after the back-office committed")
        return sale

    def create_sales_orders(self, orders: Sequence[SalesOrderRequest]) -> list[PostedSale | StructuralError]:
        self.batches.append(len(orders))
        results: list[PostedSale | StructuralError] = []
        for order in orders:
            try:
                results.append(self.create_sales_order(order))
            except StructuralError as error:
                results.append(error)
        return results

    def settle_sale_taxes(self, erp_sale_id: str, order: SalesOrderRequest) -> PostedSale:
        self._enter("settle_sale_taxes")
        with self._lock:
            (reference,) = [ref for ref, sale in self.sales.items() if sale.erp_id == erp_sale_id]
            sale = self.sales[reference]
            if sale.state not in ("processing", "done"):
                return sale  # no invoice yet: nothing to set
            tax, variances = self.sale_taxes(order)
            sale = self.sales[reference] = replace(sale, tax=tax, total=sale.untaxed + tax)
            return replace(sale, tax_variances=variances)

    # --- after the sale (edits, cancellations, credit notes): tests/fakes/posted_sales.py ------------
    def sale_progress(self, erp_sale_id: str) -> SaleProgress:
        self._enter("sale_progress")
        return _posted.sale_progress(self, erp_sale_id)

    def sale_invoice_taxes(self, erp_sale_id: str) -> dict[str, Money]:
        self._enter("sale_invoice_taxes")
        return _posted.sale_invoice_taxes(self, erp_sale_id)

    def amend_sale(self, erp_sale_id: str, order: SalesOrderRequest) -> PostedSale:
        self._enter("amend_sale")
        with self._lock:
            return _posted.amend_sale(self, erp_sale_id, order)

    def cancel_sale(self, erp_sale_id: str) -> PostedSale:
        self._enter("cancel_sale")
        with self._lock:
            return _posted.cancel_sale(self, erp_sale_id)

    def check_restock(self, request: RestockRequest) -> None:
        self._enter("check_restock")
        _posted.check_restock(self, request)

    def restock(self, request: RestockRequest) -> None:
        self._enter("restock")
        with self._lock:
            _posted.restock(self, request)

    def find_credit_note(self, reference: str) -> PostedCreditNote | None:
        self._enter("find_credit_note")
        return _posted.find_credit_note(self, reference)

    def create_credit_note(self, request: CreditNoteRequest) -> PostedCreditNote:
        self._enter("create_credit_note")
        with self._lock:
            return _posted.create_credit_note(self, request)

    def returned_units(self, reference: str) -> dict[str, Decimal]:
        self._enter("returned_units")
        return _posted.returned_units(self, reference)

    def set_shipment_stage(self, reference_or_id: str, stage: ShipmentStage) -> None:
        """Test helper: the warehouse moves the sale's latest shipment on to `stage` (DONE: the units left)."""
        _posted.set_shipment_stage(self, reference_or_id, stage)

    def returned_stock(self, sku: str, warehouse: str) -> Decimal:
        """Test helper: units of `sku` received back at `warehouse` by credit notes (RETURN restocks)."""
        return self.posted.returned.get((sku, warehouse), Decimal(0))

    # --- stock: tests/fakes/back_office_stock.py ----------------------------------------------------
    def stock_changes(self, since_cursor: str | None) -> tuple[list[StockChange], str | None]:
        self._enter("stock_changes")
        return _stock.stock_changes(self, since_cursor)

    def warehouse_stock(self, warehouse: str, skus: Iterable[str] | None = None) -> list[WarehouseStock]:
        self._enter("warehouse_stock")
        return _stock.warehouse_stock(self, warehouse, skus)

    def receive(self, sku: str, warehouse: str, quantity: int | Decimal) -> None:
        """Test helper: a goods receipt of `quantity` units at `warehouse` (a stock change)."""
        _stock.move(self, sku, warehouse, Decimal(quantity))

    def issue(self, sku: str, warehouse: str, quantity: int | Decimal) -> None:
        """Test helper: `quantity` units leave `warehouse` (a shipment, a stock count; a stock change)."""
        _stock.move(self, sku, warehouse, -Decimal(quantity))

    # --- internals ------------------------------------------------------------------------------
    def _enter(self, name: str) -> None:
        self.calls.append(name)
        if self.down:
            raise TransientError("fake back-office is down")

    def reference_data(self) -> ErpReferenceData:
        """What this ERP holds, for the domain's pre-posting checks (domain/posting_checks.py)."""
        return ErpReferenceData(
            skus=self.skus,
            taxes=set(self.tax_rates),
            currencies=self.currencies,
            warehouses=self.warehouses,
            payment_terms=self.payment_terms,
            countries=self.countries,
        )

    def _post(self, order: SalesOrderRequest) -> PostedSale:
        untaxed, (tax, variances) = self.sale_totals(order)[0], self.sale_taxes(order)
        party_id = self._party(order.customer)
        self.party_fields.setdefault(party_id, {}).update({str(f.target): f.value for f in order.party_fields})
        number = len(self.sales) + 1
        sale = PostedSale(str(number), f"SO{number}", order.reference, "processing", untaxed, tax, untaxed + tax)
        self.sales[order.reference] = sale
        self.requests[order.reference] = order
        self.sale_parties[order.reference] = party_id
        invoice = order.invoice_address or order.shipment_address
        shipment = order.shipment_address or order.invoice_address
        self.keep_addresses(party_id, [a for a in (invoice, shipment) if a is not None])
        comment = (
            order.note if order.note is not None else (f"PO number: {order.po_number}" if order.po_number else None)
        )
        # As Tryton does: without Shopify terms, the sale takes the party's credit term from its metafield.
        party_terms = [f.value for f in order.party_fields if f.target.field is PartyField.CUSTOMER_PAYMENT_TERM]
        term = order.payment_term or next(iter(party_terms), None)
        self.sale_records[order.reference] = SaleRecord(party_id, term, comment, invoice, shipment)
        return replace(sale, tax_variances=variances)

    def keep_addresses(self, party_id: int, addresses: list[Address]) -> None:
        known = self.party_addresses.setdefault(party_id, [])
        known.extend(a for a in dict.fromkeys(addresses) if a not in known)

    def sale_totals(self, order: SalesOrderRequest) -> tuple[Money, Money]:
        """Untaxed and tax of a sale of `order` as the ERP's invoice books them (see sale_taxes)."""
        untaxed = total([line.amount.rounded() for line in order.lines], order.currency)
        return untaxed, self.sale_taxes(order)[0]

    def sale_taxes(self, order: SalesOrderRequest) -> tuple[Money, tuple[TaxVariance, ...]]:
        """As the Tryton adapter does: the tax computed per line and per tax, half to even, as Tryton does;
        then Shopify's tax per tax on the invoice, as domain/tax_rounding.py decides (parking first for a
        brand that parks on a variance)."""
        by_tax = self.erp_taxes(order)
        computed = total(list(by_tax.values()), order.currency)
        if order.park_on_tax_variance:
            check_tax_variance(order.expected_tax, computed, order.tax_rounding_tolerance)
        if not order.expected_taxes:
            self.invoice_taxes[order.reference] = by_tax
            return computed, ()
        settled = taxes_as_charged(
            order.reference,
            dict(order.expected_taxes),
            by_tax,
            order.tax_rounding_tolerance,
            rates=dict(order.tax_rates),
        )
        # As on Tryton's invoice: a tax carried only where the ERP taxed something with it (it has a row).
        self.invoice_taxes[order.reference] = {code: m for code, m in settled.amounts.items() if code in by_tax}
        return total(list(self.invoice_taxes[order.reference].values()), order.currency), settled.variances

    def erp_taxes(self, order: SalesOrderRequest) -> dict[str, Money]:
        """The tax per tax the ERP computes on `order`'s lines, half to even, as Tryton does."""
        by_tax: dict[str, Money] = {}
        for line in order.lines:
            for code in line.tax_codes:
                tax = erp_line_tax(replace(line, tax_codes=(code,)), self.tax_rates)
                by_tax[code] = by_tax.get(code, Money.zero(order.currency)) + tax
        return by_tax

    def _party(self, customer: Customer) -> int:
        if customer.erp_code:  # the domain chose the party (a company, the shared guest party): by code only
            for party_id, known in self.parties.items():
                if known.erp_code == customer.erp_code:
                    return party_id
        for party_id, known in self.parties.items():
            if customer.shopify_id and known.shopify_id == customer.shopify_id and not known.erp_code:
                return party_id
        for party_id, known in self.parties.items():
            if customer.email and known.email.lower() == customer.email.lower():
                return party_id
        party_id = len(self.parties) + 1
        self.parties[party_id] = customer
        return party_id


def _same_customer(a: Customer, b: Customer) -> bool:
    if a.erp_code or b.erp_code:
        return a.erp_code == b.erp_code
    if a.shopify_id and a.shopify_id == b.shopify_id:
        return True
    return bool(a.email) and a.email.lower() == b.email.lower()
