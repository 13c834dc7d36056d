"""Refunds as Tryton credit notes: the accounting side of a refund (its stock side is restocks.py's).

A credit note is what Tryton's own credit wizard makes, for part of a sale: a customer invoice with negative
quantities (numbered from the credit-note sequence), copied from the sale's invoice (party, addresses,
receivable account, journal), each line pointing at the invoice line it credits (`origin`, as the wizard
does, which also keeps the sale from invoicing the units again). The sale's invoice is posted first if it
is still a draft: a refund means the money was taken, so the sale is invoiced at the latest then. The note
carries the refund's reference in `reference` (how it is found again), Shopify's lines, shipping and
adjustments with the mapped taxes; its tax rows then carry Shopify's refunded tax per tax, to the cent
(invoice_taxes.py, as domain/tax_rounding.py decides), and only tax no ERP tax can hold (an order
adjustment's) is booked on a TAX-ROUNDING line, within tolerance; then it is posted. A draft left by an
attempt cut short is made again (a draft noted STOCK_MOVED by an earlier version of trueup, whose stock moved
with the note, is posted as it is).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from decimal import Decimal
from typing import Any

from trueup.adapters.tryton.database import ROUNDING_PRODUCT, TrytonDatabase
from trueup.adapters.tryton.invoice_taxes import charge_taxes_as_shopify
from trueup.adapters.tryton.sale_lines import priced_parts
from trueup.adapters.tryton.sale_reads import SaleSnapshot, sale_id_of
from trueup.adapters.tryton.values import erp_id
from trueup.domain.credit_notes import CreditLine, CreditNoteRequest, PostedCreditNote
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.posting_checks import ErpReferenceData, check_credit_note
from trueup.domain.sales import SalesLine
from trueup.domain.tax_rounding import TaxVariance, settle_tax_rounding

_NOTE_FIELDS = ["number", "reference", "total_amount", "state", "currency"]
# The comment an earlier version of trueup left on a draft note whose stock had moved (see restocks.py).
STOCK_MOVED = "Stock moved for this refund."


def find_credit_note(db: TrytonDatabase, reference: str) -> PostedCreditNote | None:
    rows = db.call(
        "account.invoice",
        "search_read",
        [("reference", "=", reference), ("type", "=", "out"), ("state", "in", ["posted", "paid"])],
        0,
        1,
        [("id", "ASC")],
        _NOTE_FIELDS,
    )
    return _posted(db, rows[0]) if rows else None


def create_credit_note(db: TrytonDatabase, request: CreditNoteRequest) -> PostedCreditNote:
    """The posted note of `request.reference`, made now if Tryton has none (see the module's docstring)."""
    found = find_credit_note(db, request.reference)
    if found is not None:
        return found
    products = _products(db, request)
    note_id = _resume(db, request.reference)
    variances: tuple[TaxVariance, ...] = ()  # a resumed draft's were found when it was made
    if note_id is None:
        snapshot = SaleSnapshot(db, sale_id_of(request.sale_id))
        note_id, variances = _draft_note(db, snapshot, request, products)
    post_invoice(db, note_id)
    (row,) = db.call("account.invoice", "read", [note_id], _NOTE_FIELDS)
    return replace(_posted(db, row), tax_variances=variances)


def _resume(db: TrytonDatabase, reference: str) -> int | None:
    """A draft an earlier version of trueup left with its stock moved (STOCK_MOVED): posted as it is. Other
    drafts of the reference are an attempt cut short: deleted, to be made again."""
    drafts = db.call(
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
        db.call("account.invoice", "delete", stale)
    return ready[0] if ready else None


def _products(db: TrytonDatabase, request: CreditNoteRequest) -> dict[str, dict[str, Any]]:
    """The products the note books on, checked by the domain (domain/posting_checks.py); the TAX-ROUNDING
    product carries money-only lines and the rounding."""
    products = db.product_rows({line.sku for line in request.lines if line.sku} | {ROUNDING_PRODUCT})
    codes = {code for line in request.lines for code in line.tax_codes}
    check_credit_note(request, ErpReferenceData(skus=set(products), taxes=set(db.reference.lookup("taxes", codes))))
    if ROUNDING_PRODUCT not in products:
        raise StructuralError(
            Cause.SKU_NOT_IN_ITEM_MASTER, f"no {ROUNDING_PRODUCT} product in Tryton", needs={"skus": [ROUNDING_PRODUCT]}
        )
    return products


def _draft_note(
    db: TrytonDatabase,
    snapshot: SaleSnapshot,
    request: CreditNoteRequest,
    products: dict[str, dict[str, Any]],
) -> tuple[int, tuple[TaxVariance, ...]]:
    """The draft note's id and its tax variances (Shopify's refunded tax against the ERP rate's, on the
    note's tax rows: negative amounts, as the note credits them)."""
    taxes = db.reference.lookup("taxes")
    invoice = _sale_invoice(db, snapshot)
    header = _header(db, snapshot, invoice, request)
    origins: dict[int, dict[str, Any]] = {}
    for line in (invoice or {}).get("lines.", []):
        origins.setdefault(line["product"], line)
    # Tryton checks each line's company, currency and party against the note's: given, not left to defaults.
    common = {key: header[key] for key in ("company", "currency", "party")}
    lines = [{**common, **v} for line in request.lines for v in _line_values(line, products, taxes, origins)]
    (note_id,) = db.call("account.invoice", "create", [{**header, "lines": [("create", lines)]}])
    try:
        variances = _settle_rounding(db, note_id, request, products, common)
    except StructuralError:
        db.call("account.invoice", "delete", [note_id])
        raise
    return int(note_id), variances


# --- the note --------------------------------------------------------------------------------------
def _sale_invoice(db: TrytonDatabase, snapshot: SaleSnapshot) -> dict[str, Any] | None:
    """The sale's first live customer invoice with the lines of all of them (`lines.`), every draft among them
    posted first (the sale's own, and those amendments made for a difference)."""
    live = sorted((i for i in snapshot.invoices if i["state"] != "cancelled"), key=lambda i: i["id"])
    if not live:
        return None
    for invoice in live:
        if invoice["state"] == "draft":
            post_invoice(db, invoice["id"])
    fields = ["party", "invoice_address", "account", "journal", "payment_term", "currency", "company", "lines"]
    rows = db.call("account.invoice", "read", [i["id"] for i in live], fields)
    first = dict(min(rows, key=lambda r: r["id"]))
    lines = db.call(
        "account.invoice.line", "read", [x for r in rows for x in r["lines"]], ["product", "account", "quantity"]
    )
    first["lines."] = sorted((x for x in lines if (x["quantity"] or 0) > 0), key=lambda x: x["id"])
    return first


def _header(
    db: TrytonDatabase, snapshot: SaleSnapshot, invoice: dict[str, Any] | None, request: CreditNoteRequest
) -> dict[str, Any]:
    if invoice is None:  # nothing invoiced (the sale was cancelled): against the sale's party
        sale = snapshot.sale
        (party,) = db.call("party.party", "read", [sale["party"]], ["account_receivable"])
        if not party["account_receivable"]:
            (config,) = db.call("account.configuration", "read", [1], ["default_account_receivable"])
            party["account_receivable"] = config["default_account_receivable"]
        journals = db.call("account.journal", "search", [("type", "=", "revenue")], 0, 1)
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
    code = line.sku or ROUNDING_PRODUCT  # money alone (an adjustment) is booked on the rounding product
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
    db: TrytonDatabase,
    note_id: int,
    request: CreditNoteRequest,
    products: dict[str, dict[str, Any]],
    common: dict[str, Any],
) -> tuple[TaxVariance, ...]:
    variances: tuple[TaxVariance, ...] = ()
    if request.expected_taxes:
        # Shopify's refunded tax on the note's tax rows (negative on a note), per tax; what no ERP tax carries
        # (an order adjustment's tax) is the only thing a line still books.
        refunded = {code: -amount for code, amount in request.expected_taxes}
        variances = charge_taxes_as_shopify(
            db, note_id, request.reference, refunded, request.tax_rounding_tolerance, dict(request.tax_rates)
        )
        shopify, erp = request.uncarried_tax, Money.zero(request.currency)
    else:
        (row,) = db.call("account.invoice", "read", [note_id], ["tax_amount"])
        shopify, erp = request.expected_tax, Money(-Decimal(str(row["tax_amount"])), request.currency)
    rounding = settle_tax_rounding(shopify, erp, request.tax_rounding_tolerance, refunded=True)
    if not rounding.is_needed:
        return variances
    product = products[ROUNDING_PRODUCT]
    db.call(
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
                "unit_price": rounding.amount.amount,
                "account": product["account_revenue"],
                "description": rounding.description,
            }
        ],
    )
    return variances


def _posted(db: TrytonDatabase, row: dict[str, Any]) -> PostedCreditNote:
    currency = db.reference.currency_code(row["currency"])
    return PostedCreditNote(
        erp_id=erp_id(row["id"]),
        number=row["number"] or "",
        reference=row["reference"] or "",
        total=Money(-Decimal(str(row["total_amount"])), currency),
        state=row["state"],
    )


def post_invoice(db: TrytonDatabase, invoice_id: int) -> None:
    """Post a customer invoice, its taxes as given: Tryton warns when a line's taxes are not its product's
    defaults (Shopify's mapped taxes may differ); the warning is acknowledged, as a user would."""
    key = hashlib.md5(f"account.invoice,{invoice_id}".encode()).hexdigest()  # noqa: S324 - Tryton's warning key
    db.call("res.user.warning", "skip", f"{key}.invoice_taxes")
    db.call("account.invoice", "post", [invoice_id])
