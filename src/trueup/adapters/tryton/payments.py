"""Payments on Tryton: one `account.move` per Shopify transaction settling the sale's invoice or a credit note.

The move (its `description` the reference `shopify:<shop>:transaction:<id>`, posted at once on the payments
journal) has two lines: the customer's receivable (the document's account and party), credited for money
received or debited for money paid out, and the clearing account of the gateway and currency (or the gift-card
liability account) on the other side. Its receivable line is added to the document's `payment_lines`, as
Tryton's own pay wizard does; once the payments settle the document in full they are reconciled with its
lines to pay, and Tryton marks it `paid`. In another currency than the company's, the payment is converted at
its date's rate, and the one that settles the document takes what remains in the company's currency, so the
reconciliation balances to the cent. A payment the gateway settles in another currency (a CAD charge on a USD
shop) keeps that amount as its clearing line's second currency, so that currency's clearing account reads what
the payout will carry. The sale's invoice is posted first if it is still a draft (a paid order
is invoiced at the latest when its payment is booked).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from trueup.adapters.tryton.credit_notes import post_invoice
from trueup.adapters.tryton.database import TrytonDatabase
from trueup.adapters.tryton.sale_reads import sale_id_of
from trueup.adapters.tryton.values import erp_id
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.payments import BookedPayment, Direction, Payment

_INVOICE_FIELDS = [
    "state",
    "account",
    "party",
    "currency",
    "currency.code",
    "amount_to_pay",
    "total_amount",
    "lines_to_pay",
    "payment_lines",
]
_LINE_FIELDS = ["debit", "credit", "reconciliation", "date"]
_CENT = Decimal("0.01")


class TrytonPayments:
    """The payment half of the Accounting role (service_layer/ports.py) on one Tryton database."""

    def __init__(self, db: TrytonDatabase) -> None:
        self.db = db
        # Read once per process: the journal's and currencies' ids, the company's currency, each date's period.
        self._journals: dict[str, int] = {}
        self._account_ids: dict[str, int] = {}
        self._currency_ids: dict[str, int] = {}
        self._company: str | None = None
        self._periods: dict[dt.date, int] = {}

    def find_payment(self, reference: str) -> BookedPayment | None:
        domain = [("description", "=", reference), ("company", "=", self.db.company)]
        rows = self.db.call("account.move", "search_read", domain, 0, 1, [("id", "ASC")], ["state"])
        if not rows:
            return None
        if rows[0]["state"] != "posted":  # an attempt cut short between create and post: made again
            self.db.call("account.move", "delete", [rows[0]["id"]])
            return None
        invoices = self.db.call(
            "account.invoice", "search_read", [("payment_lines.move", "=", rows[0]["id"])], 0, 1, None, ["state"]
        )
        return BookedPayment(reference, erp_id(rows[0]["id"]), invoices[0]["state"] if invoices else "posted")

    def booked_payments(self, references: Iterable[str]) -> set[str]:
        wanted = sorted(set(references))
        if not wanted:
            return set()
        domain = [("description", "in", wanted), ("company", "=", self.db.company), ("state", "=", "posted")]
        rows = self.db.call("account.move", "search_read", domain, 0, None, None, ["description"])
        return {row["description"] for row in rows}

    def book_payment(self, payment: Payment, journal: str) -> BookedPayment:
        invoice = self._document(payment)
        accounts = self._accounts({payment.account})
        journal_id = self._journal(journal)
        if payment.account not in accounts or journal_id is None:
            named = [f"account {payment.account}"] if payment.account not in accounts else []
            named += [] if journal_id is not None else [f"journal {journal}"]
            raise StructuralError(Cause.UNMAPPED_PAYMENT_ACCOUNT, f"not in the ERP: {', '.join(named)}")
        signed = payment.amount.amount if payment.direction == Direction.RECEIVED else -payment.amount.amount
        company_currency = self._company_currency()
        foreign = invoice["currency."]["code"] != company_currency
        owed = Decimal(invoice["amount_to_pay"]) if invoice["state"] == "posted" else Decimal(0)
        # What settles the document (at most what it still owes) and what is more (an order edited down after
        # its capture, a gift card over the rest): the excess stays on the customer's receivable, not linked.
        applied = owed if owed * signed > 0 and abs(signed) >= abs(owed) else (signed if owed * signed > 0 else 0)
        settles = applied == owed and applied != 0
        if not foreign:
            company, applied_company = signed, applied
        else:
            rate = None if (settles and applied == signed) else self._rate(invoice["currency"], payment.date)
            company = self._open_balance(invoice) if rate is None else (signed / rate).quantize(_CENT)
            if settles:
                applied_company = self._open_balance(invoice) if rate is not None else company
            else:
                applied_company = company if applied == signed else Decimal(0)
        parts = [(applied_company, applied, True), (company - applied_company, signed - applied, False)]
        receivables = [
            {
                "account": invoice["account"],
                "party": invoice["party"],
                "debit": -amount if amount < 0 else Decimal(0),
                "credit": amount if amount > 0 else Decimal(0),
                "description": payment.description + ("" if linked else " (more than the document owes)"),
                **({"second_currency": invoice["currency"], "amount_second_currency": -second} if foreign else {}),
            }
            for amount, second, linked in parts
            if amount or second
        ]
        clearing = {
            "account": accounts[payment.account],
            "debit": company if company > 0 else Decimal(0),
            "credit": -company if company < 0 else Decimal(0),
            "description": payment.description,
        }
        if foreign:
            clearing |= {"second_currency": invoice["currency"], "amount_second_currency": signed}
        if payment.settled is not None:  # settled in another currency than the document's: the clearing's
            settled = payment.settled.amount if payment.direction == Direction.RECEIVED else -payment.settled.amount
            if payment.settled.currency == company_currency:
                clearing.pop("second_currency", None)
                clearing.pop("amount_second_currency", None)
            else:
                currency_id = self._currency_id(payment.settled.currency)
                clearing |= {"second_currency": currency_id, "amount_second_currency": settled}
        header = {
            "journal": journal_id,
            "date": payment.date,
            "period": self._period(payment.date),
            "description": payment.reference,
            "lines": [("create", [*receivables, clearing])],
        }
        (move_id,) = self.db.call("account.move", "create", [header])
        self.db.call("account.move", "post", [move_id])
        if applied:
            (move,) = self.db.call("account.move", "read", [move_id], ["lines.account", "lines.description"])
            paying = [
                line["id"]
                for line in move["lines."]
                if line["account"] == invoice["account"] and line["description"] == payment.description
            ]
            self.db.call("account.invoice", "write", [invoice["id"]], {"payment_lines": [("add", paying)]})
            if settles:  # the document's lines to pay and every payment of it balance: reconciled
                self._reconcile([*invoice["lines_to_pay"], *invoice["payment_lines"], *paying])
        (row,) = self.db.call("account.invoice", "read", [invoice["id"]], ["state"])
        return BookedPayment(payment.reference, erp_id(move_id), row["state"])

    # --- the document -----------------------------------------------------------------------------------
    def _document(self, payment: Payment) -> dict[str, Any]:
        """The invoice the payment settles: the sale's first with money still to pay (drafts posted first), or
        the credit note of the refund's reference."""
        if payment.direction == Direction.PAID_OUT:
            domain: list[Any] = [
                ("reference", "=", payment.document),
                ("type", "=", "out"),
                ("state", "in", ["posted", "paid"]),
            ]
        else:
            domain = [
                ("sales", "=", sale_id_of(payment.document)),
                ("type", "=", "out"),
                ("state", "in", ["draft", "validated", "posted", "paid"]),
                ("total_amount", ">", 0),
            ]
        rows = self.db.call("account.invoice", "search_read", domain, 0, None, [("id", "ASC")], _INVOICE_FIELDS)
        drafts = [row["id"] for row in rows if row["state"] in ("draft", "validated")]
        for draft in drafts:
            post_invoice(self.db, draft)
        if drafts:
            rows = self.db.call("account.invoice", "read", [row["id"] for row in rows], _INVOICE_FIELDS)
        open_ = [row for row in rows if row["state"] == "posted" and Decimal(row["amount_to_pay"])]
        if open_:
            return open_[0]
        if rows:  # all settled already: an overpayment stays on the first, unreconciled
            return rows[0]
        what = f"credit note {payment.document}" if payment.direction == Direction.PAID_OUT else "sale's invoice"
        raise StructuralError(Cause.BACK_OFFICE_REJECTED, f"no {what} to settle with {payment.reference}")

    def _open_balance(self, invoice: dict[str, Any]) -> Decimal:
        """What the document still owes in the company's currency (debit positive): its lines to pay less its
        payments so far."""
        ids = [*invoice["lines_to_pay"], *invoice["payment_lines"]]
        rows = self.db.call("account.move.line", "read", ids, _LINE_FIELDS)
        return sum((Decimal(r["debit"]) - Decimal(r["credit"]) for r in rows if not r["reconciliation"]), Decimal(0))

    def _reconcile(self, ids: list[int]) -> None:
        # Tryton's own reconcile wizard (its `reconcile` is not open to RPC): balanced lines reconcile at once.
        wizard = "wizard.account.move.reconcile_lines"
        context = {"active_model": "account.move.line", "active_ids": ids, "active_id": ids[0]}
        session, start, _ = self.db.client.call_method(f"{wizard}.create")
        try:
            self.db.client.call_method(f"{wizard}.execute", session, {}, start, context=context)
        finally:
            self.db.client.call_method(f"{wizard}.delete", session)

    # --- reads ------------------------------------------------------------------------------------------
    def _accounts(self, codes: set[str]) -> dict[str, int]:
        """The accounts of `codes` that can take entries (found ones kept for the process: one closed since is
        refused by Tryton when the move is created)."""
        wanted = sorted(codes - set(self._account_ids))
        if wanted:
            domain = [("code", "in", wanted), ("company", "=", self.db.company), ("type", "!=", None)]
            rows = self.db.call("account.account", "search_read", domain, 0, None, None, ["code", "closed"])
            self._account_ids.update({row["code"]: row["id"] for row in rows if not row["closed"]})
        return {code: self._account_ids[code] for code in codes if code in self._account_ids}

    def _journal(self, code: str) -> int | None:
        if code not in self._journals:
            rows = self.db.call("account.journal", "search_read", [("code", "=", code)], 0, 1, None, ["code"])
            if not rows:
                return None
            self._journals[code] = int(rows[0]["id"])
        return self._journals[code]

    def _company_currency(self) -> str:
        if self._company is None:
            (row,) = self.db.call("company.company", "read", [self.db.company], ["currency.code"])
            self._company = str(row["currency."]["code"])
        return self._company

    def _currency_id(self, code: str) -> int:
        if code not in self._currency_ids:
            rows = self.db.call("currency.currency", "search_read", [("code", "=", code)], 0, 1, None, ["code"])
            if not rows:
                raise StructuralError(Cause.UNMAPPED_PAYMENT_ACCOUNT, f"currency {code} is not in the ERP")
            self._currency_ids[code] = int(rows[0]["id"])
        return self._currency_ids[code]

    def _rate(self, currency_id: int, on: dt.date) -> Decimal:
        (row,) = self.db.call("currency.currency", "read", [currency_id], ["rate", "code"], context={"date": on})
        if not row["rate"]:
            raise StructuralError(Cause.UNMAPPED_PAYMENT_ACCOUNT, f"the ERP has no {row['code']} rate on {on}")
        return Decimal(row["rate"])

    def _period(self, on: dt.date) -> int:
        if on in self._periods:
            return self._periods[on]
        domain = [
            ("company", "=", self.db.company),
            ("start_date", "<=", on),
            ("end_date", ">=", on),
            ("type", "=", "standard"),
            ("state", "=", "open"),
        ]
        rows = self.db.call("account.period", "search_read", domain, 0, 1, None, ["name"])
        if not rows:
            raise StructuralError(Cause.BACK_OFFICE_REJECTED, f"the ERP has no open accounting period on {on}")
        self._periods[on] = int(rows[0]["id"])
        return self._periods[on]
