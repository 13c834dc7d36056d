"""Refunds as Tryton credit notes, with the stock they put back.

A credit note is what Tryton's own credit wizard makes, for part of a sale: a customer invoice with negative
quantities (numbered from the credit-note sequence), copied from the sale's invoice (party, addresses,
receivable account, journal), each line pointing at the invoice line it credits (`origin`, as the wizard
does, which also keeps the sale from invoicing the units again). The sale's invoice is posted first if it
is still a draft: a refund means the money was taken, so the sale is invoiced at the latest then. The note
carries the refund's reference in `reference` (how it is found again), Shopify's lines, shipping and
adjustments with the mapped taxes, and — where Tryton's tax differs from Shopify's within tolerance — a
TAX-ROUNDING line, so that its total is the refund's to the cent; then it is posted.

Restocks: RETURN (and LEGACY_RESTOCK) is a customer return shipment at the warehouse, received and done, so
the units are back in stock; CANCEL takes the units off the sale's shipment still to pick (the move is split
and the part cancelled; a kit's units off its components' moves), and refuses when that shipment is picked or
later; NO_RESTOCK moves nothing. A retry after a cut-short attempt resumes (see create_credit_note); only a cut
between taking CANCEL units off and noting it could take them off twice.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from trueup.adapters.tryton.after_sale import (
    ROUNDING_PRODUCT,
    SHIPPING_PRODUCT,
    SaleSnapshot,
)
from trueup.adapters.tryton.sale_lines import priced_parts
from trueup.domain.after_sale import CreditLine, CreditNoteRequest, PostedCreditNote, Restock, RestockType
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.sales import SalesLine

if TYPE_CHECKING:
    from trueup.adapters.tryton.back_office import TrytonBackOffice

_NOTE_FIELDS = ["number", "reference", "total_amount", "state", "currency"]
STOCK_MOVED = "Stock moved for this refund."  # the draft note's comment once its restocks are done
_BEFORE_PICKING = ("draft", "waiting", "assigned")


def find_credit_note(office: TrytonBackOffice, reference: str) -> PostedCreditNote | None:
    rows = office._client.call(
        "account.invoice",
        "search_read",
        [("reference", "=", reference), ("type", "=", "out"), ("state", "in", ["posted", "paid"])],
        0,
        1,
        [("id", "ASC")],
        _NOTE_FIELDS,
    )
    return _posted(office, rows[0]) if rows else None


def create_credit_note(office: TrytonBackOffice, request: CreditNoteRequest) -> PostedCreditNote:
    """Made in steps a retry resumes: the note as a draft, the stock moved, STOCK_MOVED noted on the draft,
    then posted. A draft left by an attempt cut short is posted if its stock had moved, else made again (a
    return shipment already made for the refund is not made twice)."""
    client = office._client
    snapshot = SaleSnapshot(office, request.sale_erp_id)
    products = _products(office, request)
    taxes = _taxes(office, request)
    note_id = _resume(office, request.reference)
    if note_id is None:
        cancels = _cancellations(office, snapshot, products, request.restocks)
        note_id = _draft_note(office, snapshot, request, products, taxes)
        _return_goods(office, snapshot, products, request)  # made once per refund (by its reference)
        _take_off(office, cancels)
        client.call("account.invoice", "write", [note_id], {"comment": STOCK_MOVED})
    post_invoice(office, note_id)
    (row,) = client.call("account.invoice", "read", [note_id], _NOTE_FIELDS)
    return _posted(office, row)


def _resume(office: TrytonBackOffice, reference: str) -> int | None:
    """The draft note of an attempt cut short once its stock had moved; other drafts are deleted."""
    drafts = office._client.call(
        "account.invoice",
        "search_read",
        [("reference", "=", reference), ("type", "=", "out"), ("state", "=", "draft")],
        0,
        None,
        [("id", "ASC")],
        ["comment"],
    )
    ready = [row["id"] for row in drafts if row["comment"] == STOCK_MOVED]
    stale = [row["id"] for row in drafts if row["id"] not in ready[:1]]
    if stale:
        office._client.call("account.invoice", "delete", stale)
    return ready[0] if ready else None


def _draft_note(
    office: TrytonBackOffice,
    snapshot: SaleSnapshot,
    request: CreditNoteRequest,
    products: dict[str, dict[str, Any]],
    taxes: dict[str, int],
) -> int:
    invoice = _sale_invoice(office, snapshot)
    header = _header(office, snapshot, invoice, request)
    origins: dict[int, dict[str, Any]] = {}
    for line in (invoice or {}).get("lines.", []):
        origins.setdefault(line["product"], line)
    # Tryton checks each line's company, currency and party against the note's: given, not left to defaults.
    common = {key: header[key] for key in ("company", "currency", "party")}
    lines = [{**common, **v} for line in request.lines for v in _line_values(line, products, taxes, origins)]
    (note_id,) = office._client.call("account.invoice", "create", [{**header, "lines": [("create", lines)]}])
    try:
        _settle_rounding(office, note_id, request, products, common)
    except StructuralError:
        office._client.call("account.invoice", "delete", [note_id])
        raise
    return int(note_id)


# --- checks ----------------------------------------------------------------------------------------
def _products(office: TrytonBackOffice, request: CreditNoteRequest) -> dict[str, dict[str, Any]]:
    skus = {line.sku for line in request.lines if line.sku and not line.is_shipping} | {r.sku for r in request.restocks}
    rows = office._client.call(
        "product.product",
        "search_read",
        [("code", "in", sorted(skus | {SHIPPING_PRODUCT, ROUNDING_PRODUCT}))],
        0,
        None,
        None,
        ["code", "sale_uom", "default_uom", "account_category.account_revenue"],
    )
    products = {
        row["code"]: {**row, "account_revenue": (row.get("account_category.") or {}).get("account_revenue")}
        for row in rows
    }
    unknown = sorted(skus - set(products))
    if unknown:
        raise StructuralError(
            Cause.SKU_NOT_IN_ITEM_MASTER,
            f"{len(unknown)} SKU(s) unknown to Tryton: " + ", ".join(unknown),
            needs={"skus": unknown},
        )
    for needed in (SHIPPING_PRODUCT, ROUNDING_PRODUCT):
        if needed not in products:
            raise StructuralError(
                Cause.SKU_NOT_IN_ITEM_MASTER, f"no {needed} product in Tryton", needs={"skus": [needed]}
            )
    return products


def _taxes(office: TrytonBackOffice, request: CreditNoteRequest) -> dict[str, int]:
    codes = {code for line in request.lines for code in line.tax_codes}
    taxes = office._lookup("taxes", codes)
    unmapped = sorted(codes - set(taxes))
    if unmapped:
        raise StructuralError(
            Cause.UNMAPPED_TAX, "taxes unknown to Tryton: " + ", ".join(unmapped), needs={"taxes": unmapped}
        )
    return taxes


def _cancellations(
    office: TrytonBackOffice, snapshot: SaleSnapshot, products: dict[str, dict[str, Any]], restocks: Sequence[Restock]
) -> list[tuple[int, int, Decimal]]:
    """(shipment, move, units) to take off the sale's outgoing moves still to pick, checked before anything is
    made. A kit's units are taken off its components' moves."""
    shipment_states = {f"stock.shipment.out,{s['id']}": s["state"] for s in snapshot.shipments}
    left = {
        move_id: Decimal(str(move["quantity"]))
        for move_id, move in snapshot.moves.items()
        if shipment_states.get(move["shipment"] or "") in _BEFORE_PICKING
        and move["state"] in ("draft", "assigned")
        and (move.get("to_location.") or {}).get("type") == "customer"
    }
    result: list[tuple[int, int, Decimal]] = []
    for restock in (r for r in restocks if r.kind is RestockType.CANCEL):
        for move_ids, needed in _sources(snapshot, products[restock.sku]["id"], restock.quantity):
            for move_id in (m for m in move_ids if left.get(m)):
                taken = min(needed, left[move_id])
                result.append((int(snapshot.moves[move_id]["shipment"].split(",")[1]), move_id, taken))
                left[move_id] -= taken
                needed -= taken
            if needed > 0:
                started = [s for s in snapshot.shipments if s["state"] not in (*_BEFORE_PICKING, "cancelled")]
                where = f" (shipment {started[0]['number']} is {started[0]['state']})" if started else ""
                raise StructuralError(
                    Cause.ALREADY_DESPATCHED,
                    f"{restock.quantity} x {restock.sku} are not on a shipment still to pick{where}: they cannot be "
                    "taken off",
                )
    return result


def _sources(snapshot: SaleSnapshot, product_id: int, units: Decimal) -> list[tuple[list[int], Decimal]]:
    """Where `units` of a product sold on the sale leave from: its lines' moves, or for a kit each component's
    moves with the component units those kits hold."""
    lines = [line for line in snapshot.lines if line["product"] == product_id and line["quantity"]]
    components = [c for c in snapshot.components if c["line"] in {line["id"] for line in lines}]
    if not components:
        return [([m for line in lines for m in line["moves"]], units)]
    sold = {line["id"]: Decimal(str(line["quantity"])) for line in lines}
    by_product: dict[int, tuple[list[int], Decimal]] = {}
    for component in components:
        moves, per_kit = by_product.get(component["product"], ([], Decimal(0)))
        per_kit = per_kit or Decimal(str(component["quantity"])) / sold[component["line"]]
        by_product[component["product"]] = ([*moves, *component["moves"]], per_kit)
    return [(moves, units * per_kit) for moves, per_kit in by_product.values()]


# --- the note --------------------------------------------------------------------------------------
def _sale_invoice(office: TrytonBackOffice, snapshot: SaleSnapshot) -> dict[str, Any] | None:
    """The sale's first live customer invoice with the lines of all of them (`lines.`), every draft among them
    posted first (the sale's own, and those amendments made for a difference)."""
    live = sorted((i for i in snapshot.invoices if i["state"] != "cancelled"), key=lambda i: i["id"])
    if not live:
        return None
    for invoice in live:
        if invoice["state"] == "draft":
            post_invoice(office, invoice["id"])
    fields = ["party", "invoice_address", "account", "journal", "payment_term", "currency", "company", "lines"]
    rows = office._client.call("account.invoice", "read", [i["id"] for i in live], fields)
    first = dict(min(rows, key=lambda r: r["id"]))
    lines = office._client.call(
        "account.invoice.line", "read", [x for r in rows for x in r["lines"]], ["product", "account", "quantity"]
    )
    first["lines."] = sorted((x for x in lines if (x["quantity"] or 0) > 0), key=lambda x: x["id"])
    return first


def _header(
    office: TrytonBackOffice, snapshot: SaleSnapshot, invoice: dict[str, Any] | None, request: CreditNoteRequest
) -> dict[str, Any]:
    if invoice is None:  # nothing invoiced (the sale was cancelled): against the sale's party
        sale = snapshot.sale
        (party,) = office._client.call("party.party", "read", [sale["party"]], ["account_receivable"])
        if not party["account_receivable"]:
            (config,) = office._client.call("account.configuration", "read", [1], ["default_account_receivable"])
            party["account_receivable"] = config["default_account_receivable"]
        journals = office._client.call("account.journal", "search", [("type", "=", "revenue")], 0, 1)
        invoice = {
            "party": sale["party"],
            "invoice_address": sale["invoice_address"],
            "account": party["account_receivable"],
            "journal": journals[0],
            "payment_term": None,
            "currency": sale["currency"],
            "company": sale["company"],
        }
    header = {
        key: invoice[key]
        for key in ("party", "invoice_address", "account", "journal", "payment_term", "currency", "company")
    }
    return {**header, "type": "out", "reference": request.reference, "description": request.description}


def _line_values(
    line: CreditLine, products: dict[str, dict[str, Any]], taxes: dict[str, int], origins: dict[int, dict[str, Any]]
) -> list[dict[str, Any]]:
    code = SHIPPING_PRODUCT if line.is_shipping else (line.sku or ROUNDING_PRODUCT)
    product = products[code]
    origin = origins.get(product["id"])
    quantity = line.quantity if line.quantity > 0 else Decimal(1)
    priced = SalesLine(
        code, line.description, quantity, Money(line.net.amount / quantity, line.net.currency), net_amount=line.net
    )
    return [
        {
            "type": "line",
            "product": product["id"],
            "description": line.description,
            "quantity": -float(part_quantity),
            "unit": product["sale_uom"],
            "unit_price": price,
            "account": origin["account"] if origin else product["account_revenue"],
            "taxes": [("add", [taxes[c] for c in line.tax_codes])],
            **({"origin": f"account.invoice.line,{origin['id']}"} if origin else {}),
        }
        for part_quantity, price in priced_parts(priced)
    ]


def _settle_rounding(
    office: TrytonBackOffice,
    note_id: int,
    request: CreditNoteRequest,
    products: dict[str, dict[str, Any]],
    common: dict[str, Any],
) -> None:
    (row,) = office._client.call("account.invoice", "read", [note_id], ["tax_amount"])
    erp_tax = Money(-Decimal(str(row["tax_amount"])), request.currency)
    difference = request.expected_tax - erp_tax
    if difference.is_zero():
        return
    tolerance = request.tax_rounding_tolerance
    if tolerance is None or abs(difference.amount) > tolerance.amount:
        raise StructuralError(
            Cause.TAX_MISMATCH,
            f"Shopify refunded {request.expected_tax} of tax, the ERP computes {erp_tax} (difference {difference})",
        )
    product = products[ROUNDING_PRODUCT]
    office._client.call(
        "account.invoice.line",
        "create",
        [
            {
                "invoice": note_id,
                **common,
                "type": "line",
                "product": product["id"],
                "quantity": -1.0,
                "unit": product["sale_uom"],
                "unit_price": difference.amount,
                "account": product["account_revenue"],
                "description": f"Tax rounding: Shopify {request.expected_tax}, ERP {erp_tax}",
            }
        ],
    )


def _posted(office: TrytonBackOffice, row: dict[str, Any]) -> PostedCreditNote:
    currency = {v: k for k, v in office._lookup("currencies").items()}[row["currency"]]
    return PostedCreditNote(
        erp_id=row["id"],
        number=row["number"] or "",
        reference=row["reference"] or "",
        total=Money(-Decimal(str(row["total_amount"])), currency),
        state=row["state"],
    )


# --- stock -----------------------------------------------------------------------------------------
def _take_off(office: TrytonBackOffice, cancels: list[tuple[int, int, Decimal]]) -> None:
    """Take units off pending outgoing moves, (shipment, move, units): each move keeps the rest (or goes) and a
    cancelled copy, off the shipment, the part, so the sale counts those units as dealt with and does not
    ship them again. The shipment goes back to draft meanwhile and is waited (and reserved) again."""
    client = office._client
    by_shipment: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for shipment_id, move_id, units in cancels:
        by_shipment[shipment_id][move_id] += units
    for shipment_id, moves in by_shipment.items():
        (shipment,) = client.call("stock.shipment.out", "read", [shipment_id], ["state", "outgoing_moves"])
        if shipment["state"] == "assigned":
            client.call("stock.shipment.out", "wait", [shipment_id])  # gives the reserved stock back
        client.call("stock.shipment.out", "draft", [shipment_id])
        rows = {m["id"]: m for m in client.call("stock.move", "read", list(moves), ["quantity"])}
        for move_id, units in moves.items():
            rest = Decimal(str(rows[move_id]["quantity"])) - units
            parts = client.call("stock.move", "copy", [move_id], {"quantity": float(units), "shipment": None})
            client.call("stock.move", "cancel", parts)
            if rest > 0:
                client.call("stock.move", "write", [move_id], {"quantity": float(rest)})
            else:
                client.call("stock.move", "delete", [move_id])
        if len(shipment["outgoing_moves"]) > sum(1 for m, u in moves.items() if u >= Decimal(str(rows[m]["quantity"]))):
            client.call("stock.shipment.out", "wait", [shipment_id])
            if shipment["state"] == "assigned":
                client.call("stock.shipment.out", "assign_try", [shipment_id])
        else:
            client.call("stock.shipment.out", "cancel", [shipment_id])


def post_invoice(office: TrytonBackOffice, invoice_id: int) -> None:
    """Post a customer invoice, its taxes as given: Tryton warns when a line's taxes are not its product's
    defaults (Shopify's mapped taxes may differ); the warning is acknowledged, as a user would."""
    key = hashlib.md5(f"account.invoice,{invoice_id}".encode()).hexdigest()  # noqa: S324 - Tryton's warning key
    office._client.call("res.user.warning", "skip", f"{key}.invoice_taxes")
    office._client.call("account.invoice", "post", [invoice_id])


def _return_goods(
    office: TrytonBackOffice, snapshot: SaleSnapshot, products: dict[str, dict[str, Any]], request: CreditNoteRequest
) -> None:
    returns = [r for r in request.restocks if r.kind in (RestockType.RETURN, RestockType.LEGACY_RESTOCK)]
    if not returns:
        return
    client, sale = office._client, snapshot.sale
    made = client.call("stock.shipment.out.return", "search", [("reference", "=", request.reference)])
    if made:  # by an attempt cut short: finished, not made again
        _receive(office, made)
        return
    by_warehouse: dict[int, list[Restock]] = {}
    for restock in returns:
        warehouse = office._warehouse_id(restock.warehouse) if restock.warehouse else sale["warehouse"]
        by_warehouse.setdefault(warehouse, []).append(restock)
    (party,) = client.call("party.party", "read", [sale["party"]], ["customer_location"])
    locations = {
        row["id"]: row
        for row in client.call("stock.location", "read", list(by_warehouse), ["input_location", "storage_location"])
    }
    # Each returned unit points at the delivery it came back from, where Tryton has one.
    origins = {
        sku: f"stock.move,{move['id']}"
        for sku, product in products.items()
        for move in snapshot.moves.values()
        if move["product"] == product["id"] and move["state"] == "done"
    }
    shipments = [
        {
            "company": sale["company"],
            "customer": sale["party"],
            "contact_address": sale["shipment_address"],
            "warehouse": warehouse,
            "warehouse_input": locations[warehouse]["input_location"],
            "warehouse_storage": locations[warehouse]["storage_location"],
            "reference": request.reference,
            "incoming_moves": [
                (
                    "create",
                    [
                        {
                            "product": products[r.sku]["id"],
                            "quantity": float(r.quantity),
                            "unit": products[r.sku]["default_uom"],
                            "from_location": party["customer_location"],
                            "to_location": locations[warehouse]["input_location"],
                            "company": sale["company"],
                            "unit_price": 0,
                            "currency": sale["currency"],
                            **({"origin": origins[r.sku]} if r.sku in origins else {}),
                        }
                        for r in restocks
                    ],
                )
            ],
        }
        for warehouse, restocks in by_warehouse.items()
    ]
    _receive(office, client.call("stock.shipment.out.return", "create", shipments))


def _receive(office: TrytonBackOffice, ids: list[int]) -> None:
    """Receive and finish return shipments (those still to), so the units are back in stock."""
    client = office._client
    ids = client.call(
        "stock.shipment.out.return", "search", [("id", "in", ids), ("state", "in", ["draft", "received"])]
    )
    if not ids:
        return
    orphans = client.call(
        "stock.move",
        "search",
        [("shipment", "in", [f"stock.shipment.out.return,{i}" for i in ids]), ("origin", "=", None)],
        0,
        None,
        [("id", "ASC")],
    )
    if orphans:  # Tryton warns of customer moves without an origin: acknowledged, as a user would
        names = "|".join(f"stock.move,{move_id}" for move_id in orphans)
        key = hashlib.md5(names.encode()).hexdigest()  # noqa: S324 - Tryton's warning key
        client.call("res.user.warning", "skip", f"{key}.done")
    client.call("stock.shipment.out.return", "receive", ids)
    client.call("stock.shipment.out.return", "do", ids)
