"""Shopify's tax on Tryton's invoices and credit notes, per tax, to the cent (domain/tax_rounding.py decides).

Tryton's sale computes its own tax (per line, half to even) and cannot hold another figure: the money checks
are held on the invoice. A draft invoice's tax rows (`account.invoice.tax`) are writable, and Tryton keeps an
amount written to one through posting as long as its base is unchanged (`update_taxes` rewrites only rows
whose base differs from the computed one, and `post` refuses only such rows). So, on the draft, each tax's
rows are set to Shopify's amount for that tax (the difference on its largest row); the untaxed lines are left
as they are, and the document's total becomes Shopify's.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from trueup.adapters.tryton.database import TrytonDatabase
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.tax_rounding import TaxVariance, taxes_as_charged

_LIVE = ("draft", "validated", "posted", "paid")


def sale_invoices(db: TrytonDatabase, invoice_ids: list[int]) -> list[dict[str, Any]]:
    """The live (not cancelled) invoices among `invoice_ids`, with their amounts."""
    if not invoice_ids:
        return []
    fields = ["state", "number", "untaxed_amount", "tax_amount", "total_amount"]
    return [row for row in db.call("account.invoice", "read", invoice_ids, fields) if row["state"] in _LIVE]


def invoice_tax_rows(db: TrytonDatabase, invoice_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The tax rows (tax, amount, base) of each of `invoice_ids`, in id order: one call for them all."""
    rows = db.call(
        "account.invoice.tax",
        "search_read",
        [("invoice", "in", invoice_ids)],
        0,
        None,
        [("id", "ASC")],
        ["invoice", "tax", "amount", "base"],
    )
    by_invoice: dict[int, list[dict[str, Any]]] = {invoice_id: [] for invoice_id in invoice_ids}
    for row in rows:
        by_invoice.setdefault(row["invoice"], []).append(row)
    return by_invoice


def charge_taxes_as_shopify(
    db: TrytonDatabase,
    invoice_id: int,
    document: str,
    shopify: Mapping[str, Money],
    tolerance: Money | None,
    rates: Mapping[str, str] | None = None,
    rows: list[dict[str, Any]] | None = None,
) -> tuple[TaxVariance, ...]:
    """Set the draft invoice's tax rows to Shopify's amount per tax (by the ERP tax's name); the variances
    beyond `tolerance` between those and what Tryton computed. `rows`: the invoice's tax rows when already
    read (`invoice_tax_rows`)."""
    if rows is None:
        rows = invoice_tax_rows(db, [invoice_id]).get(invoice_id, [])
    names = {tax_id: name for name, tax_id in db.reference.lookup("taxes").items()}
    currency = next(iter(shopify.values())).currency if shopify else None
    by_tax: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["tax"] is not None:
            by_tax.setdefault(names.get(row["tax"], str(row["tax"])), []).append(row)
    if currency is None:
        return ()
    computed = {name: Money(sum((r["amount"] for r in found), Decimal(0)), currency) for name, found in by_tax.items()}
    settled = taxes_as_charged(document, shopify, computed, tolerance, rates=rates)
    for name, wanted in settled.amounts.items():
        found = by_tax.get(name)
        if not found:
            continue  # nothing Tryton taxed with it: no row to carry it (reported as a variance if it matters)
        difference = wanted.amount - computed[name].amount
        if difference:
            largest = max(found, key=lambda r: abs(r["base"]))
            db.call("account.invoice.tax", "write", [largest["id"]], {"amount": largest["amount"] + difference})
    return settled.variances


def sale_invoice_taxes(db: TrytonDatabase, sale_id: int) -> dict[str, Money]:
    """The tax rows of the sale's live invoices summed per ERP tax (by name), non-zero sums only: 3 calls (the
    sale's invoices, their states and currency, their tax rows)."""
    rows = db.call("sale.sale", "read", [sale_id], ["invoices"])
    if not rows:
        raise StructuralError(Cause.BACK_OFFICE_REJECTED, f"Tryton has no sale {sale_id}")
    invoices = db.call("account.invoice", "read", rows[0]["invoices"], ["state", "currency"])
    live = [i for i in invoices if i["state"] != "cancelled"]
    if not live:
        return {}
    currency = db.reference.currency_code(live[0]["currency"])
    names = {tax_id: name for name, tax_id in db.reference.lookup("taxes").items()}
    amounts: dict[str, Money] = {}
    for found in invoice_tax_rows(db, [i["id"] for i in live]).values():
        for row in found:
            if row["tax"] is None:
                continue
            name = names.get(row["tax"], str(row["tax"]))
            amounts[name] = amounts.get(name, Money.zero(currency)) + Money(Decimal(str(row["amount"])), currency)
    return {name: amount for name, amount in sorted(amounts.items()) if not amount.is_zero()}
