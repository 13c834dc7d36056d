"""Tryton 8.2 as trueup's back-office, over JSON-RPC, with explicit values and few calls.

A sales order carries the external reference in `sale.sale.reference`: it is Tryton's field for the
customer-side identification of a sale (searchable, shown in the sale list, free text), whereas `number`
is Tryton's own sequence and `description` holds the human name ("#1001"). The sale's `comment` holds
the buyer's PO number ("PO number: …", first line) and, for an order paid in another currency, what was
charged in it; Tryton copies neither to the invoice by itself. Taxes are matched by their
*name* (account.tax has no code field in 8.2), products by `code` (= SKU), warehouses by location code.

Posting an order costs 6 to 8 calls: products and taxes (1 each), party (1–3), sale with its lines (1),
quote (1), confirm (1, which also runs the processing task Tryton queues), read back (1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from decimal import Decimal
from typing import Any

from trueup.adapters.tryton import after_sale, credit_notes
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.adapters.tryton.kits import read_kit_components
from trueup.adapters.tryton.parties import PartyBook
from trueup.adapters.tryton.party_fields import check_party_fields, party_payment_term
from trueup.adapters.tryton.sale_lines import priced_parts
from trueup.adapters.tryton.shipments import read_despatched_shipments, shipments_cursor_at
from trueup.adapters.tryton.stock import TrytonStock
from trueup.domain.after_sale import CreditNoteRequest, PostedCreditNote, SaleProgress
from trueup.domain.bundles import KitComponent
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.fulfilment import Shipment
from trueup.domain.inventory import StockChange, WarehouseStock
from trueup.domain.money import Money
from trueup.domain.party_fields import PartyField
from trueup.domain.sales import PostedSale, SalesLine, SalesOrderRequest
from trueup.service_layer.ports import StockLevel

SHIPPING_PRODUCT = "SHIPPING"
ROUNDING_PRODUCT = "TAX-ROUNDING"  # a service product with no tax, booked to the rounding account
_SALE_FIELDS = ["number", "reference", "state", "currency", "untaxed_amount", "tax_amount", "total_amount", "comment"]
_UNFINISHED = ("draft", "quotation")


class TrytonBackOffice:
    """The BackOffice port on a Tryton database. Reference data (currencies, taxes, …) is read once."""

    def __init__(self, client: TrytonClient) -> None:
        self._client = client
        self._lookups: dict[str, dict[str, int]] = {}
        self._stock = TrytonStock(client)

    # --- reads ----------------------------------------------------------------------------------
    def find_sales_order(self, reference: str) -> PostedSale | None:
        """The sale with this reference, a cancelled one included (it exists: posting again would
        duplicate it). One left unquoted or unconfirmed (a crash between our calls) is finished first,
        so that a sale found is never a draft; if it cannot be finished, it is discarded and None is
        returned, so that the order is created again from the current request."""
        rows = self._client.call(
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
        return self._read_sale(row["id"])

    def unknown_skus(self, skus: Iterable[str]) -> set[str]:
        """The SKUs no active Tryton product has as its code."""
        wanted = set(skus)
        return wanted - set(self._product_rows(wanted))

    def stock_levels(self, skus: Iterable[str], warehouse: str) -> list[StockLevel]:
        """What can be promised today at `warehouse`: on hand, less what is already due out (never more than
        on hand). Kits count as many as their scarcest component allows. Unknown SKUs are left out."""
        warehouse_id = self._lookup("warehouses", {warehouse}).get(warehouse)
        if warehouse_id is None:
            raise StructuralError(Cause.UNMAPPED_LOCATION, f"no Tryton warehouse with code {warehouse}",
                                  needs={"warehouses": [warehouse]})  # fmt: skip
        context = {"locations": [warehouse_id], "stock_date_end": dt.date.today(), "with_childs": True}
        rows = self._client.call(
            "product.product", "search_read", [("code", "in", sorted(set(skus)))], 0, None, None,
            ["code", "quantity", "forecast_quantity"], context=context,
        )  # fmt: skip
        return [
            StockLevel(row["code"], warehouse, _quantity(min(row["quantity"], row["forecast_quantity"])))
            for row in rows
        ]

    def kit_components(self, skus: Iterable[str]) -> dict[str, list[KitComponent]]:
        """The components of the kits among `skus` (product_kit), with their list prices (see kits.py)."""
        return read_kit_components(self._client, skus)

    def list_prices(self, skus: Iterable[str]) -> dict[str, Decimal]:
        """The list prices Tryton uses for those of `skus` it has (by product code)."""
        wanted = sorted(set(skus))
        if not wanted:
            return {}
        rows = self._client.call(
            "product.product", "search_read", [("code", "in", wanted)], 0, None, None, ["code", "list_price_used"]
        )
        return {row["code"]: Decimal(row["list_price_used"] or 0) for row in rows}

    def despatched_shipments(self, since_cursor: str | None) -> tuple[list[Shipment], str | None]:
        """Customer shipments shipped or done since the cursor (see shipments.py for how they are read)."""
        return read_despatched_shipments(self._client, since_cursor)

    def shipments_cursor_at(self, moment: dt.datetime) -> str:
        return shipments_cursor_at(moment)

    # --- after the sale: after_sale.py (progress, amendments, cancellations), credit_notes.py ------------
    def sale_progress(self, erp_sale_id: int) -> SaleProgress:
        return after_sale.sale_progress(self, erp_sale_id)

    def amend_sale(self, erp_sale_id: int, order: SalesOrderRequest) -> PostedSale:
        return after_sale.amend_sale(self, erp_sale_id, order)

    def cancel_sale(self, erp_sale_id: int) -> PostedSale:
        return after_sale.cancel_sale(self, erp_sale_id)

    def find_credit_note(self, reference: str) -> PostedCreditNote | None:
        return credit_notes.find_credit_note(self, reference)

    def create_credit_note(self, request: CreditNoteRequest) -> PostedCreditNote:
        return credit_notes.create_credit_note(self, request)

    # --- stock (see stock.py) -------------------------------------------------------------------------
    def stock_changes(self, since_cursor: str | None) -> tuple[list[StockChange], str | None]:
        """Products whose stock moved at a warehouse since the cursor (stock moves written or created)."""
        return self._stock.changes(since_cursor)

    def warehouse_stock(self, warehouse: str, skus: Iterable[str] | None = None) -> list[WarehouseStock]:
        """What `warehouse` can promise of `skus` (None: every stockable product), kits included."""
        return self._stock.warehouse_stock(warehouse, skus)

    # --- create ---------------------------------------------------------------------------------
    def create_sales_order(self, order: SalesOrderRequest) -> PostedSale:
        """Create, quote and confirm the sale. Checks every SKU, tax, currency and warehouse first, so that
        an order that cannot post creates nothing (not even its customer)."""
        wanted = {line.sku for line in order.lines if not line.is_shipping} | {SHIPPING_PRODUCT, ROUNDING_PRODUCT}
        products = self._product_rows(wanted)
        self._check_item_master(order, products)
        values = self._sale_values(order, products)
        (sale_id,) = self._client.call("sale.sale", "create", [values])
        try:
            self._settle_tax_rounding(sale_id, order, products)
            self._quote_and_confirm(sale_id, "draft")
        except StructuralError:
            self._discard(sale_id)  # a replay must start from the request, not from a stale draft
            raise
        return self._read_sale(sale_id)

    def _settle_tax_rounding(self, sale_id: int, order: SalesOrderRequest, products: dict[str, dict[str, Any]]) -> None:
        """Make the draft's total Shopify's: a tax that differs by rounding (Tryton rounds half to even per
        line, Shopify half up) is booked as an explicit untaxed rounding line; a larger difference is a
        mismatch for a person, with both figures, and nothing is posted."""
        (row,) = self._client.call("sale.sale", "read", [sale_id], ["tax_amount"])
        erp_tax = Money(row["tax_amount"], order.currency)
        difference = order.expected_tax - erp_tax
        if difference.is_zero():
            return
        tolerance = order.tax_rounding_tolerance
        if tolerance is None or abs(difference.amount) > tolerance.amount:
            raise StructuralError(Cause.TAX_MISMATCH, f"Shopify charged {order.expected_tax} of tax, the ERP "
                                  f"computes {erp_tax} (difference {difference})")  # fmt: skip
        if ROUNDING_PRODUCT not in products:
            raise StructuralError(Cause.SKU_NOT_IN_ITEM_MASTER, f"no {ROUNDING_PRODUCT} product in Tryton to book "
                                  f"a tax rounding of {difference}", needs={"skus": [ROUNDING_PRODUCT]})  # fmt: skip
        product = products[ROUNDING_PRODUCT]
        line = {"sale": sale_id, "type": "line", "product": product["id"], "quantity": 1.0, "unit": product["sale_uom"],
                "unit_price": difference.amount, "description": f"Tax rounding: Shopify {order.expected_tax}, "
                f"ERP {erp_tax}"}  # fmt: skip
        self._client.call("sale.line", "create", [line])

    def create_sales_orders(self, orders: Sequence[SalesOrderRequest]) -> list[PostedSale | StructuralError]:
        """Several orders in a few calls (create, quote, confirm and read are each one call for the batch):
        the way to post a backlog fast. It does not settle tax rounding yet, so the engine posts one by one.
        Per order, the posted sale or why it cannot post. A TransientError
        fails the whole batch; some sales may have committed, so callers look references up before retrying."""
        products = self._product_rows(
            {line.sku for order in orders for line in order.lines if not line.is_shipping} | {SHIPPING_PRODUCT}
        )
        results: dict[int, PostedSale | StructuralError] = {}
        ready: list[tuple[int, dict[str, Any]]] = []
        for index, order in enumerate(orders):
            try:
                self._check_item_master(order, products)
                ready.append((index, self._sale_values(order, products)))
            except StructuralError as error:
                results[index] = error
        if ready:
            sale_ids = self._client.call("sale.sale", "create", [values for _, values in ready])
            failures = self._confirm_all(sale_ids)
            posted = self._read_sales([i for i in sale_ids if i not in failures])
            for (index, _), sale_id in zip(ready, sale_ids, strict=True):
                results[index] = failures.get(sale_id) or posted[sale_id]
        return [results[index] for index in range(len(orders))]

    def _confirm_all(self, sale_ids: list[int]) -> dict[int, StructuralError]:
        try:
            self._client.call("sale.sale", "quote", sale_ids)
            self._client.call("sale.sale", "confirm", sale_ids)
            return {}
        except StructuralError:
            pass  # one sale spoiled the batch: find which, one by one
        states = {row["id"]: row["state"] for row in self._client.call("sale.sale", "read", sale_ids, ["state"])}
        failures: dict[int, StructuralError] = {}
        for sale_id in sale_ids:
            try:
                if states[sale_id] in _UNFINISHED:
                    self._quote_and_confirm(sale_id, states[sale_id])
            except StructuralError as error:
                self._discard(sale_id)
                failures[sale_id] = error
        return failures

    def _check_item_master(self, order: SalesOrderRequest, products: dict[str, dict[str, Any]]) -> None:
        unknown = sorted(set(order.skus) - set(products) - {ROUNDING_PRODUCT})
        if unknown:
            raise StructuralError(Cause.SKU_NOT_IN_ITEM_MASTER, f"{len(unknown)} SKU(s) unknown to Tryton: "
                                  + ", ".join(unknown), needs={"skus": unknown})  # fmt: skip
        if SHIPPING_PRODUCT not in products and any(line.is_shipping for line in order.lines):
            raise StructuralError(Cause.SKU_NOT_IN_ITEM_MASTER, "no shipping product in Tryton",
                                  needs={"skus": [SHIPPING_PRODUCT]})  # fmt: skip
        taxes = self._lookup("taxes", {code for line in order.lines for code in line.tax_codes})
        unmapped = sorted({code for line in order.lines for code in line.tax_codes} - set(taxes))
        if unmapped:
            raise StructuralError(Cause.UNMAPPED_TAX, "taxes unknown to Tryton: " + ", ".join(unmapped),
                                  needs={"taxes": unmapped})  # fmt: skip
        if order.currency not in self._lookup("currencies", {order.currency}):
            raise StructuralError(Cause.BACK_OFFICE_REJECTED, f"currency {order.currency} is not in Tryton")
        if order.warehouse is not None and order.warehouse not in self._lookup("warehouses", {order.warehouse}):
            raise StructuralError(Cause.UNMAPPED_LOCATION, f"no Tryton warehouse with code {order.warehouse}",
                                  needs={"warehouses": [order.warehouse]})  # fmt: skip
        terms = self._lookup("payment_terms", {order.payment_term} - {None})
        if order.payment_term is not None and order.payment_term not in terms:
            raise StructuralError(Cause.UNMAPPED_PAYMENT_TERM, f"no Tryton payment term named {order.payment_term}")
        party_terms = {f.value for f in order.party_fields if f.target.field is PartyField.CUSTOMER_PAYMENT_TERM}
        check_party_fields(order.party_fields, self._lookup("payment_terms", party_terms))

    def _sale_values(self, order: SalesOrderRequest, products: dict[str, dict[str, Any]]) -> dict[str, Any]:
        invoice = order.invoice_address or order.shipment_address
        shipment = order.shipment_address or order.invoice_address
        addresses = [a for a in (invoice, shipment) if a is not None]
        book = PartyBook(self._client, self._lookup("countries"), self._lookup("payment_terms"))
        party_id, address_ids = book.find_or_create(order.customer, addresses, order.party_fields)
        invoice_id, shipment_id = (address_ids * 2)[:2] if len(address_ids) == 1 else address_ids[:2]
        return {
            "company": self._client.context["company"],
            "party": party_id,
            "invoice_address": invoice_id,
            "shipment_address": shipment_id,
            "currency": self._lookup("currencies")[order.currency],
            "warehouse": self._warehouse_id(order.warehouse),
            "payment_term": self._payment_term_id(order.payment_term or party_payment_term(order.party_fields)),
            "reference": order.reference,
            "description": order.description,
            "comment": _comment(order),
            "lines": [("create", [v for line in order.lines for v in self._line_values(line, products)])],
        }

    def _line_values(self, line: SalesLine, products: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        product = products[SHIPPING_PRODUCT if line.is_shipping else line.sku]
        taxes = [self._lookup("taxes")[code] for code in line.tax_codes]
        return [
            {
                "type": "line",
                "product": product["id"],
                "description": line.description,
                "quantity": float(quantity),  # a Float field in Tryton; quantities are whole numbers here
                "unit": product["sale_uom"],
                "unit_price": price,
                "taxes": [("add", taxes)],
            }
            for quantity, price in priced_parts(line)
        ]

    def _warehouse_id(self, code: str | None) -> int:
        warehouses = self._lookup("warehouses")
        return warehouses[code] if code is not None else warehouses[min(warehouses)]

    def _payment_term_id(self, name: str | None) -> int | None:
        if name is not None:
            return self._lookup("payment_terms")[name]
        return self._lookup("defaults").get("payment_term")

    def _quote_and_confirm(self, sale_id: int, state: str) -> None:
        if state == "draft":
            self._client.call("sale.sale", "quote", [sale_id])
        self._client.call("sale.sale", "confirm", [sale_id])

    def _discard(self, sale_id: int) -> None:
        (row,) = self._client.call("sale.sale", "read", [sale_id], ["state"])
        if row["state"] != "draft":  # Tryton deletes drafts only, and refuses draft → draft
            self._client.call("sale.sale", "draft", [sale_id])
        self._client.call("sale.sale", "delete", [sale_id])

    def _read_sale(self, sale_id: int) -> PostedSale:
        return self._read_sales([sale_id])[sale_id]

    def _read_sales(self, sale_ids: list[int]) -> dict[int, PostedSale]:
        rows = self._client.call("sale.sale", "read", sale_ids, _SALE_FIELDS) if sale_ids else []
        return {row["id"]: self._posted(row) for row in rows}

    def _posted(self, row: dict[str, Any]) -> PostedSale:
        currency = {v: k for k, v in self._lookup("currencies").items()}[row["currency"]]
        return PostedSale(
            erp_id=row["id"],
            number=row["number"] or "",
            reference=row["reference"] or "",
            state=after_sale.state_of(row),  # "cancelled" for a sale cancel_sale cancelled
            untaxed=Money(row["untaxed_amount"], currency),
            tax=Money(row["tax_amount"], currency),
            total=Money(row["total_amount"], currency),
        )

    # --- reference data -------------------------------------------------------------------------
    def _product_rows(self, skus: set[str]) -> dict[str, dict[str, Any]]:
        if not skus:
            return {}
        rows = self._client.call(
            "product.product", "search_read", [("code", "in", sorted(skus)), ("salable", "=", True)],
            0, None, None, ["code", "sale_uom"],
        )  # fmt: skip
        return {row["code"]: row for row in rows}

    def _lookup(self, kind: str, wanted: AbstractSet[Any] = frozenset()) -> dict[str, int]:
        """Reference data by key, read once and again when a wanted key is missing (it may have been
        created since: an order parked for it must post by itself once it exists)."""
        cached = self._lookups.get(kind)
        if cached is None or not wanted <= set(cached):
            cached = self._lookups[kind] = self._read_lookup(kind)
        return cached

    def _read_lookup(self, kind: str) -> dict[str, Any]:
        if kind == "defaults":
            (config,) = self._client.call("account.configuration", "read", [1], ["default_customer_payment_term"])
            return {"payment_term": config["default_customer_payment_term"]}
        model, key, domain = _LOOKUPS[kind]
        rows = self._client.call(model, "search_read", domain, 0, None, [("id", "ASC")], [key])
        return {row[key]: row["id"] for row in rows if row[key]}


# kind → (model, key field, domain)
_LOOKUPS: dict[str, tuple[str, str, list[Any]]] = {
    "currencies": ("currency.currency", "code", []),
    "countries": ("country.country", "code", []),
    "taxes": ("account.tax", "name", []),
    "warehouses": ("stock.location", "code", [("type", "=", "warehouse")]),
    "payment_terms": ("account.invoice.payment_term", "name", []),
}


def _comment(order: SalesOrderRequest) -> str | None:
    if order.note is not None:
        return order.note
    return f"PO number: {order.po_number}" if order.po_number else None  # a request built without a note


def _quantity(value: float | Decimal) -> Decimal:
    # Tryton quantities are floats; stock is counted in whole units here.
    return Decimal(str(value)).normalize() if value else Decimal(0)
