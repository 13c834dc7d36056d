"""Sales orders in Tryton: found by their external reference, created and confirmed with explicit values.

A sales order carries the external reference in `sale.sale.reference`: it is Tryton's field for the
customer-side identification of a sale (searchable, shown in the sale list, free text), whereas `number`
is Tryton's own sequence and `description` holds the human name ("#1001"). The sale's `comment` holds
the buyer's PO number ("PO number: …", first line) and, for an order paid in another currency, what was
charged in it; Tryton copies neither to the invoice by itself. Taxes are matched by their *name*
(account.tax has no code field in 8.2), products by `code` (= SKU), warehouses by location code.

Posting an order costs 9 to 11 calls: products and taxes (1 each), party (1–3), sale with its lines (1), quote
(1), confirm (1, which queues Tryton's processing task), its state (1), Shopify's tax on its invoice (3 to 4),
read back (2). `create_many` posts several orders with the same calls, each made once for the whole batch (the
customers too: 2 to 4 calls for the batch's parties and addresses, parties.py `batch_sale_parties`), and sets each
order's tax exactly as `create` does.

Confirming a sale only queues its processing (`ir.queue`; creating its shipment and invoice). A Tryton with a
queue worker runs it moments later; one without runs it after the commit, unless it dies first. A sale is
never left `confirmed`: one that is still confirmed once its confirm call answered, or that is found so
again (a crash in between), is processed here by Tryton's own public `process` button, which is idempotent
(it makes only the shipment and invoice lines still missing), so the queued task running later is harmless.
When the queue worker is processing that sale at that very moment, it holds the sale's row and Tryton refuses
the button (HTTP 503, "could not obtain lock"): the sale is then waited for, a few seconds, until the worker's
processing is committed, and only a sale still confirmed after that wait fails the call (retried by the job).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

import structlog

from trueup.adapters.tryton.database import TrytonDatabase
from trueup.adapters.tryton.invoice_taxes import charge_taxes_as_shopify, invoice_tax_rows, sale_invoices
from trueup.adapters.tryton.parties import batch_sale_parties, sale_parties
from trueup.adapters.tryton.party_fields import party_payment_term
from trueup.adapters.tryton.sale_lines import sale_line_values
from trueup.adapters.tryton.sale_reads import read_one_posted, read_posted
from trueup.domain.errors import StructuralError, TransientError
from trueup.domain.money import Money
from trueup.domain.posting_checks import ErpReferenceData, check_sales_order
from trueup.domain.sales import PostedSale, SalesOrderRequest
from trueup.domain.tax_rounding import TaxVariance, check_tax_variance

log = structlog.get_logger(__name__)

_UNFINISHED = ("draft", "quotation")
_UNPROCESSED = "confirmed"
QUEUE_WAIT_SECONDS = 10.0  # how long a sale Tryton's queue worker holds is waited for (see the module docstring)


class TrytonSalesOrders:
    """Finding and creating sales orders on one Tryton database."""

    def __init__(self, db: TrytonDatabase) -> None:
        self._db = db

    def find(self, reference: str) -> PostedSale | None:
        """The sale with this reference, a cancelled one included (it exists: posting again would
        duplicate it). One left unquoted or unconfirmed (a crash between our calls) is finished first,
        so that a sale found is never a draft; if it cannot be finished, it is discarded and None is
        returned, so that the order is created again from the current request."""
        rows = self._db.call(
            "sale.sale", "search_read", [("reference", "=", reference)], 0, 10, [("id", "ASC")], ["state"]
        )
        if not rows:
            return None
        row = next((r for r in rows if r["state"] != "cancelled"), rows[0])
        if row["state"] in _UNFINISHED:
            try:
                self._quote_and_confirm(row["id"], row["state"])
            except StructuralError:
                self._discard(row["id"])
                return None
        elif row["state"] == _UNPROCESSED:
            log.warning("erp_sale_found_unprocessed", reference=reference, sale_id=row["id"])
            self._process([row["id"]])
        return read_one_posted(self._db, row["id"])

    def create(self, order: SalesOrderRequest) -> PostedSale:
        """Create, quote and confirm the sale. The domain's checks (SKUs, taxes, currency, warehouse, payment
        terms, countries) run first, so that an order that cannot post creates nothing (not even its
        customer). Once processed, its draft invoice carries Shopify's tax per tax (invoice_taxes.py); a brand that
        parks on a tax variance has it checked on the draft, before the confirm."""
        products = self._db.product_rows({line.sku for line in order.lines})
        check_sales_order(order, sale_reference_data(self._db, order, products))
        values = self._sale_values(order, products)
        (sale_id,) = self._db.call("sale.sale", "create", [values])
        try:
            self._check_tax_variances({sale_id: order}, on_error=_raise)
            self._quote_and_confirm(sale_id, "draft")
        except StructuralError:
            self._discard(sale_id)  # a replay must start from the request, not from a stale draft
            raise
        variances = charge_sale_taxes(self._db, sale_id, order)
        return replace(read_one_posted(self._db, sale_id), tax_variances=variances)

    def settle_taxes(self, sale_id: int, order: SalesOrderRequest) -> PostedSale:
        """Shopify's tax on the sale's draft invoice, as `create` sets it (a sale found again after a crash or
        an outage between its confirm and that step keeps Tryton's own tax otherwise)."""
        variances = charge_sale_taxes(self._db, sale_id, order)
        return replace(read_one_posted(self._db, sale_id), tax_variances=variances)

    def create_many(self, orders: Sequence[SalesOrderRequest]) -> list[PostedSale | StructuralError]:
        """Several orders in a few calls (create, quote, confirm, process and read are each one call for the
        batch; Shopify's tax is set on each invoice as `create` does): the way to post a backlog fast. Per
        order, the posted sale or why it cannot post (its draft discarded). A TransientError fails the whole
        batch; some sales may have committed, so callers look references up before retrying."""
        products = self._db.product_rows({line.sku for order in orders for line in order.lines})
        reference_data = batch_reference_data(self._db, orders, products)
        results: dict[int, PostedSale | StructuralError] = {}
        checked: list[tuple[int, SalesOrderRequest]] = []
        for index, order in enumerate(orders):
            try:
                check_sales_order(order, reference_data)
                checked.append((index, order))
            except StructuralError as error:
                results[index] = error
        customers = batch_sale_parties(self._db, [order for _, order in checked])
        ready: list[tuple[int, SalesOrderRequest, dict[str, Any]]] = []
        for (index, order), customer in zip(checked, customers, strict=True):
            if isinstance(customer, StructuralError):
                results[index] = customer
                continue
            try:
                ready.append((index, order, self._sale_values(order, products, customer)))
            except StructuralError as error:
                results[index] = error
        if ready:
            sale_ids = self._db.call("sale.sale", "create", [values for _, _, values in ready])
            failures: dict[int, StructuralError] = {}
            drafts = {sale_id: order for (_, order, _), sale_id in zip(ready, sale_ids, strict=True)}
            self._check_tax_variances(drafts, on_error=failures.__setitem__)
            for sale_id in failures:
                self._discard(sale_id)
            failures |= self._confirm_all([i for i in sale_ids if i not in failures])
            variances = charge_sales_taxes(self._db, {i: drafts[i] for i in sale_ids if i not in failures})
            posted = read_posted(self._db, [i for i in sale_ids if i not in failures])
            for (index, _, _), sale_id in zip(ready, sale_ids, strict=True):
                failure = failures.get(sale_id)
                results[index] = failure or replace(posted[sale_id], tax_variances=variances[sale_id])
        return [results[index] for index in range(len(orders))]

    # --- internals ----------------------------------------------------------------------------------
    def _check_tax_variances(
        self, drafts: dict[int, SalesOrderRequest], on_error: Callable[[int, StructuralError], None]
    ) -> None:
        """Parking brands only (`park_on_tax_variance`): Tryton's tax on each draft against Shopify's, before
        anything is confirmed (one read for all); a mismatch is handed to `on_error` with the sale's id."""
        parking = [sale_id for sale_id, order in drafts.items() if order.park_on_tax_variance]
        for row in self._db.call("sale.sale", "read", parking, ["tax_amount"]) if parking else []:
            order = drafts[row["id"]]
            try:
                check_tax_variance(
                    order.expected_tax, Money(row["tax_amount"], order.currency), order.tax_rounding_tolerance
                )
            except StructuralError as error:
                on_error(row["id"], error)

    def _sale_values(
        self,
        order: SalesOrderRequest,
        products: dict[str, dict[str, Any]],
        parties: tuple[int, int, int] | None = None,
    ) -> dict[str, Any]:
        """The sale's values; `parties` (party, invoice and shipment address) found for it already, or found or
        created here (parties.py)."""
        reference = self._db.reference
        party_id, invoice_id, shipment_id = parties or sale_parties(self._db, order)
        taxes = reference.lookup("taxes")
        return {
            "company": self._db.company,
            "party": party_id,
            "invoice_address": invoice_id,
            "shipment_address": shipment_id,
            "currency": reference.lookup("currencies")[order.currency],
            "warehouse": reference.warehouse_id(order.warehouse),
            "payment_term": reference.payment_term_id(order.payment_term or party_payment_term(order.party_fields)),
            "reference": order.reference,
            "description": order.description,
            "comment": _comment(order),
            "lines": [("create", [v for line in order.lines for v in sale_line_values(line, products, taxes)])],
        }

    def _confirm_all(self, sale_ids: list[int]) -> dict[int, StructuralError]:
        try:
            self._db.call("sale.sale", "quote", sale_ids)
            self._db.call("sale.sale", "confirm", sale_ids)
            self._process_confirmed(sale_ids)
            return {}
        except StructuralError:
            pass  # one sale spoiled the batch: find which, one by one
        states = {row["id"]: row["state"] for row in self._db.call("sale.sale", "read", sale_ids, ["state"])}
        failures: dict[int, StructuralError] = {}
        for sale_id in sale_ids:
            try:
                if states[sale_id] in _UNFINISHED:
                    self._quote_and_confirm(sale_id, states[sale_id])
            except StructuralError as error:
                self._discard(sale_id)
                failures[sale_id] = error
        return failures

    def _quote_and_confirm(self, sale_id: int, state: str) -> None:
        if state == "draft":
            self._db.call("sale.sale", "quote", [sale_id])
        self._db.call("sale.sale", "confirm", [sale_id])
        self._process_confirmed([sale_id])

    def _process_confirmed(self, sale_ids: list[int]) -> None:
        """Process those of `sale_ids` Tryton's queue has not processed yet (see the module's docstring)."""
        rows = self._db.call("sale.sale", "read", sale_ids, ["state"])
        self._process([row["id"] for row in rows if row["state"] == _UNPROCESSED])

    def _process(self, sale_ids: list[int]) -> None:
        if not sale_ids:
            return
        try:
            self._db.call("sale.sale", "process", sale_ids)
        except TransientError:
            if not self._processed_by_the_queue(sale_ids):
                raise

    def _processed_by_the_queue(self, sale_ids: list[int]) -> bool:
        """Whether Tryton's queue worker, holding these sales when `process` was refused, has processed them all
        within QUEUE_WAIT_SECONDS."""
        deadline = time.monotonic() + QUEUE_WAIT_SECONDS
        while True:
            rows = self._db.call("sale.sale", "read", sale_ids, ["state"])
            if all(row["state"] != _UNPROCESSED for row in rows):
                log.info("erp_sales_processed_by_queue", sales=len(sale_ids))
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)

    def _discard(self, sale_id: int) -> None:
        (row,) = self._db.call("sale.sale", "read", [sale_id], ["state"])
        if row["state"] != "draft":  # Tryton deletes drafts only, and refuses draft → draft
            self._db.call("sale.sale", "draft", [sale_id])
        self._db.call("sale.sale", "delete", [sale_id])


def sale_reference_data(
    db: TrytonDatabase, order: SalesOrderRequest, products: dict[str, dict[str, Any]]
) -> ErpReferenceData:
    """What this Tryton holds of what `order` needs (its products as read for it): for the domain's checks."""
    return batch_reference_data(db, [order], products)


def batch_reference_data(
    db: TrytonDatabase, orders: Sequence[SalesOrderRequest], products: dict[str, dict[str, Any]]
) -> ErpReferenceData:
    """`sale_reference_data` for several orders at once: each kind read again at most once for the batch when
    something one of them needs is missing (the sets hold all this Tryton has of each kind, so one answer
    serves every order of the batch)."""
    reference = db.reference
    terms = {o.payment_term for o in orders} - {None} | {f.value for o in orders for f in o.party_fields}
    addresses = [a for o in orders for a in (o.invoice_address, o.shipment_address) if a]
    return ErpReferenceData(
        skus=set(products),
        taxes=set(reference.lookup("taxes", {code for o in orders for line in o.lines for code in line.tax_codes})),
        currencies=set(reference.lookup("currencies", {o.currency for o in orders})),
        warehouses=set(reference.lookup("warehouses", {o.warehouse for o in orders} - {None})),
        payment_terms=set(reference.lookup("payment_terms", terms)),
        countries=set(reference.lookup("countries", {a.country_code.upper() for a in addresses})),
    )


def charge_sale_taxes(db: TrytonDatabase, sale_id: int, order: SalesOrderRequest) -> tuple[TaxVariance, ...]:
    """Shopify's tax per tax on the sale's draft invoice (invoice_taxes.py); the variances for finance."""
    return charge_sales_taxes(db, {sale_id: order})[sale_id]


def charge_sales_taxes(
    db: TrytonDatabase, orders: Mapping[int, SalesOrderRequest]
) -> dict[int, tuple[TaxVariance, ...]]:
    """`charge_sale_taxes` for several sales (sale id -> its order), their sales, invoices and tax rows each
    read in one call for all of them."""
    variances: dict[int, tuple[TaxVariance, ...]] = dict.fromkeys(orders, ())
    named = [sale_id for sale_id, order in orders.items() if order.expected_taxes]  # none named: Tryton's stand
    sales = db.call("sale.sale", "read", named, ["invoices"]) if named else []
    live = {i["id"]: i for i in sale_invoices(db, [i for sale in sales for i in sale["invoices"]])}
    draft_of: dict[int, int] = {}
    earlier_of: dict[int, list[int]] = {}
    for sale in sales:
        drafts = [i for i in sale["invoices"] if i in live and live[i]["state"] == "draft"]
        if drafts:
            draft_of[sale["id"]] = drafts[-1]
            earlier_of[sale["id"]] = [i for i in sale["invoices"] if i in live and i != drafts[-1]]
    wanted = list(draft_of.values()) + [i for ids in earlier_of.values() for i in ids]
    tax_rows = invoice_tax_rows(db, wanted) if draft_of else {}
    for sale_id, invoice_id in draft_of.items():
        order = orders[sale_id]
        variances[sale_id] = charge_taxes_as_shopify(
            db,
            invoice_id,
            order.reference,
            still_to_charge(db, dict(order.expected_taxes), [tax_rows[i] for i in earlier_of[sale_id]]),
            order.tax_rounding_tolerance,
            dict(order.tax_rates),
            rows=tax_rows[invoice_id],
        )
    return variances


def still_to_charge(
    db: TrytonDatabase, shopify: Mapping[str, Money], earlier: list[list[dict[str, Any]]]
) -> dict[str, Money]:
    """Shopify's tax per tax less what the sale's earlier invoices (posted before an amendment) already charge:
    the draft an amendment leaves beside a posted invoice carries only the difference."""
    names = {tax_id: name for name, tax_id in db.reference.lookup("taxes").items()}
    charged: dict[str, Decimal] = {}
    for rows in earlier:
        for row in rows:
            if row["tax"] is not None:
                name = names.get(row["tax"], str(row["tax"]))
                charged[name] = charged.get(name, Decimal(0)) + Decimal(str(row["amount"]))
    return {name: Money(due.amount - charged.get(name, Decimal(0)), due.currency) for name, due in shopify.items()}


def _raise(_sale_id: int, error: StructuralError) -> None:
    raise error


def _comment(order: SalesOrderRequest) -> str | None:
    if order.note is not None:
        return order.note
    return f"PO number: {order.po_number}" if order.po_number else None  # a request built without a note
