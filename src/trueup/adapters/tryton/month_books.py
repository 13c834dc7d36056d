"""What Tryton's accounts book for a month's Shopify documents (the month view, domain/month_close.py).

Read from the posted moves' lines, never from the documents' own totals: a customer invoice's revenue (lines
on revenue accounts) and tax (lines on the taxes' accounts), found by its sale's reference or, for a credit
note, its own; a payout entry's fee expense and bank lines, found by its description (the payout's
reference, its return's too). Besides, every posted move dated in the month touching those accounts that
trueup did not make (neither a `shopify:` entry nor the move of an invoice of a `shopify:` sale or credit
note): a hand-made fee line, a manual invoice. Amounts are in the document's currency: a line's second
currency when it has one, the company's otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from trueup.adapters.tryton.database import TrytonDatabase
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.month_close import ErpDocument, ErpKind

SHOPIFY = "shopify:"
_INVOICE_FIELDS = ["number", "reference", "move", "sales", "total_amount"]
_LINE_FIELDS = ["move", "account", "debit", "credit", "amount_second_currency", "second_currency.code"]


def month_books(
    db: TrytonDatabase,
    references: Collection[str],
    start: dt.date,
    end: dt.date,
    fee_account: str,
    bank_accounts: Collection[str],
) -> list[ErpDocument]:
    """See the module's docstring."""
    refs = sorted(set(references))
    roles = _roles(db, fee_account, bank_accounts)
    invoices = _invoices(db, refs)
    keyed: dict[int, tuple[str | None, ErpKind, str]] = {}  # move id -> key, kind, number
    for invoice, key in invoices:
        kind = ErpKind.CREDIT_NOTE if Decimal(str(invoice["total_amount"])) < 0 else ErpKind.INVOICE
        keyed[invoice["move"]] = (key, kind, invoice["number"])
    entries = _search(db, "account.move", [("description", "in", [*refs, *(f"{r}:returned" for r in refs)])])
    for move in entries:
        keyed[move["id"]] = (move["description"], ErpKind.ENTRY, "")
    for move_id in _made_elsewhere(db, start, end, roles, set(keyed)):
        keyed[move_id] = (None, ErpKind.ENTRY, "")
    if not keyed:
        return []
    moves = {m["id"]: m for m in db.call("account.move", "read", sorted(keyed), ["number", "date"])}
    lines = _search(db, "account.move.line", [("move", "in", sorted(keyed))], _LINE_FIELDS)
    amounts: dict[int, list[tuple[str, Money]]] = defaultdict(list)
    company = _company_currency(db)
    currencies = {line["move"]: code for line in lines if (code := _second_currency(line))}
    for line in lines:
        role = roles.get(line["account"])
        if role is not None:
            amounts[line["move"]].append((role, _amount(line, role, company, currencies.get(line["move"]))))
    return [
        ErpDocument(
            key,
            kind,
            number or moves[move_id]["number"] or str(move_id),
            moves[move_id]["date"],
            tuple(amounts[move_id]),
        )
        for move_id, (key, kind, number) in sorted(keyed.items())
    ]


def _search(db: TrytonDatabase, model: str, domain: list[Any], fields: list[str] | None = None) -> list[Any]:
    full = [("company", "=", db.company), *domain] if model != "account.move.line" else domain
    return list(db.call(model, "search_read", full, 0, None, [("id", "ASC")], fields or ["description", "origin"]))


def _roles(db: TrytonDatabase, fee_account: str, bank_accounts: Collection[str]) -> dict[int, str]:
    """Account id -> role: revenue (a revenue-type account), tax (a tax's invoice or credit note account), the
    fee expense account, the bank accounts."""
    roles: dict[int, str] = {}
    revenue = db.call(
        "account.account", "search", [("company", "=", db.company), ("type.revenue", "=", True)], 0, None, None
    )
    roles.update(dict.fromkeys(revenue, "revenue"))
    taxes = db.call(
        "account.tax",
        "search_read",
        [("company", "=", db.company)],
        0,
        None,
        None,
        ["invoice_account", "credit_note_account"],
    )
    for tax in taxes:
        for account in (tax["invoice_account"], tax["credit_note_account"]):
            if account:
                roles[account] = "tax"
    codes = {fee_account: "fees", **dict.fromkeys(bank_accounts, "bank")}
    found = db.call(
        "account.account",
        "search_read",
        [("company", "=", db.company), ("code", "in", sorted(codes))],
        0,
        None,
        None,
        ["code"],
    )
    missing = set(codes) - {row["code"] for row in found}
    if fee_account in missing:
        raise StructuralError(Cause.UNMAPPED_PAYMENT_ACCOUNT, f"account {fee_account} is not in the ERP")
    roles.update({row["id"]: codes[row["code"]] for row in found})
    return roles


def _invoices(db: TrytonDatabase, refs: list[str]) -> list[tuple[dict[str, Any], str]]:
    """The posted customer invoices and credit notes of `refs`, each with the reference it is booked for."""
    if not refs:
        return []
    domain = [
        ("type", "=", "out"),
        ("state", "in", ["posted", "paid"]),
        ["OR", ("reference", "in", refs), ("sales.reference", "in", refs)],
    ]
    rows = _search(db, "account.invoice", domain, _INVOICE_FIELDS)
    sale_ids = sorted({sale for row in rows for sale in row["sales"]})
    sales = {s["id"]: s["reference"] for s in db.call("sale.sale", "read", sale_ids, ["reference"])} if sale_ids else {}
    wanted = set(refs)
    out = []
    for row in rows:
        keys = (
            [row["reference"]] if row["reference"] in wanted else [sales[s] for s in row["sales"] if sales[s] in wanted]
        )
        if keys and row["move"]:
            out.append((row, keys[0]))
    return out


def _made_elsewhere(
    db: TrytonDatabase, start: dt.date, end: dt.date, roles: dict[int, str], known: set[int]
) -> list[int]:
    """Posted moves dated in [start, end] with a line on an account of `roles` that trueup did not make."""
    domain = [
        ("move.company", "=", db.company),
        ("move.state", "=", "posted"),
        ("move.date", ">=", start),
        ("move.date", "<=", end),
        ("account", "in", sorted(roles)),
    ]
    lines = db.call("account.move.line", "search_read", domain, 0, None, None, ["move"])
    candidates = sorted({line["move"] for line in lines} - known)
    if not candidates:
        return []
    moves = db.call("account.move", "read", candidates, ["description", "origin"])
    invoice_ids = [int(m["origin"].split(",")[1]) for m in moves if (m["origin"] or "").startswith("account.invoice,")]
    ours = _shopify_invoices(db, invoice_ids)
    return [
        m["id"] for m in moves if not (m["description"] or "").startswith(SHOPIFY) and (m["origin"] or "") not in ours
    ]


def _shopify_invoices(db: TrytonDatabase, ids: list[int]) -> set[str]:
    """The origins ("account.invoice,<id>") of those invoices that are trueup's (a `shopify:` reference, or one
    of a `shopify:` sale)."""
    if not ids:
        return set()
    domain = [
        ("id", "in", ids),
        ["OR", ("reference", "like", f"{SHOPIFY}%"), ("sales.reference", "like", f"{SHOPIFY}%")],
    ]
    return {f"account.invoice,{i}" for i in db.call("account.invoice", "search", domain, 0, None, None)}


def _company_currency(db: TrytonDatabase) -> str:
    (row,) = db.call("company.company", "read", [db.company], ["currency.code"])
    return str(row["currency."]["code"])


def _second_currency(line: dict[str, Any]) -> str | None:
    return (line.get("second_currency.") or {}).get("code")


def _amount(line: dict[str, Any], role: str, company_currency: str, move_currency: str | None) -> Money:
    """The line in its document's currency (the move's second currency when its lines have one), credit positive
    for revenue and tax, debit positive otherwise. A line with no second currency in a move kept in another
    currency is the conversion's rounding in the company's currency: nothing in the document's."""
    second = _second_currency(line)
    if second:
        debit = Decimal(str(line["amount_second_currency"]))
    elif move_currency and move_currency != company_currency:
        debit, second = Decimal(0), move_currency
    else:
        debit = Decimal(str(line["debit"])) - Decimal(str(line["credit"]))
    return Money(-debit if role in ("revenue", "tax") else debit, second or company_currency)
