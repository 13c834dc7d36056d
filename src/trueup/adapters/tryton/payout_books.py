"""The Accounting role on Tryton: payout entries as `account.move`s of the account module, found by reference.

One move per payout (and one for the reversal of a paid payout's bank line), its `description` the reference
(`shopify:<shop>:payout:<id>`), posted at once on the configured journal. A move rather than an
`account.statement`: it is what a payout is (one journal entry), it needs no module beyond `account`, and a
statement of 2,000 lines took 90 s to validate where the move posts in a few (docs/benchmarks.md). Lines are in
the company's currency with the payout currency's amount as second currency (domain.payouts.in_company_currency).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from decimal import Decimal
from typing import Any

from trueup.adapters.tryton.database import TrytonDatabase
from trueup.adapters.tryton.month_books import month_books
from trueup.adapters.tryton.payments import TrytonPayments
from trueup.adapters.tryton.values import erp_id
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.month_close import ErpDocument
from trueup.domain.payments import BookedPayment, Payment
from trueup.domain.payouts import AccountBalance, BookedEntry, CompanyLine, PayoutEntry, in_company_currency

_MOVE_FIELDS = ["description", "state", "lines"]


class TrytonPayoutBooks:
    """Accounting (service_layer/ports.py) on one Tryton database."""

    def __init__(self, db: TrytonDatabase) -> None:
        self.db = db
        self.payments = TrytonPayments(db)

    def close(self) -> None:
        """Close the connection to Tryton."""
        self.db.client.close()

    def missing_accounts(self, codes: Iterable[str], journal: str) -> list[str]:
        wanted = sorted(set(codes))
        found = self._accounts(wanted)
        missing = [
            f"account {code} is not in the ERP's chart (or cannot take entries)" for code in wanted if code not in found
        ]
        if not self._journal(journal):
            missing.append(f"journal {journal} is not in the ERP")
        return missing

    def find_entry(self, reference: str) -> BookedEntry | None:
        domain = [("description", "=", reference), ("company", "=", self.db.company)]
        rows = self.db.call("account.move", "search_read", domain, 0, 1, [("id", "ASC")], _MOVE_FIELDS)
        if rows and rows[0]["state"] != "posted":  # an attempt cut short between create and post: finish it
            self.db.call("account.move", "post", [rows[0]["id"]])
            rows = self.db.call("account.move", "read", [rows[0]["id"]], _MOVE_FIELDS)
        return _booked(rows[0]) if rows else None

    def book_entry(self, entry: PayoutEntry, journal: str, exchange_account: str) -> BookedEntry:
        company_currency, currency_ids = self._currencies()
        rate = self._rate(currency_ids, entry.currency, entry.date)
        lines = in_company_currency(entry, company_currency, rate, exchange_account)
        accounts = self._accounts({line.account for line in lines})
        journal_id = self._journal(journal)
        missing = sorted({line.account for line in lines} - set(accounts))
        if missing or journal_id is None:
            named = [*(f"account {code}" for code in missing), *([] if journal_id else [f"journal {journal}"])]
            raise StructuralError(Cause.UNMAPPED_PAYMENT_ACCOUNT, f"not in the ERP: {', '.join(named)}")
        header = {
            "journal": journal_id,
            "date": entry.date,
            "period": self._period(entry.date),
            "description": entry.reference,
            "lines": [("create", [_line(line, accounts, currency_ids) for line in lines])],
        }
        (move_id,) = self.db.call("account.move", "create", [header])
        self.db.call("account.move", "post", [move_id])
        rows = self.db.call("account.move", "read", [move_id], _MOVE_FIELDS)
        return _booked(rows[0])

    def account_balances(self, codes: Iterable[str]) -> dict[str, AccountBalance]:
        domain = [("code", "in", sorted(set(codes))), ("company", "=", self.db.company)]
        fields = ["code", "balance", "amount_second_currency", "second_currency.code", "currency.code"]
        rows = self.db.call("account.account", "search_read", domain, 0, None, None, fields, context={"posted": True})
        return {row["code"]: _balance(row) for row in rows}

    def month_books(
        self,
        references: Collection[str],
        start: dt.date,
        end: dt.date,
        fee_account: str,
        bank_accounts: Collection[str],
    ) -> list[ErpDocument]:
        return month_books(self.db, references, start, end, fee_account, bank_accounts)

    def find_payment(self, reference: str) -> BookedPayment | None:
        return self.payments.find_payment(reference)

    def booked_payments(self, references: Iterable[str]) -> set[str]:
        return self.payments.booked_payments(references)

    def book_payment(self, payment: Payment, journal: str) -> BookedPayment:
        return self.payments.book_payment(payment, journal)

    # --- reads ------------------------------------------------------------------------------------------
    def _accounts(self, codes: Iterable[str]) -> dict[str, int]:
        domain = [
            ("code", "in", sorted(set(codes))),
            ("company", "=", self.db.company),
            ("type", "!=", None),
            ("closed", "!=", True),
        ]
        rows = self.db.call("account.account", "search_read", domain, 0, None, None, ["code"])
        return {row["code"]: row["id"] for row in rows}

    def _journal(self, code: str) -> int | None:
        rows = self.db.call("account.journal", "search_read", [("code", "=", code)], 0, 1, None, ["code"])
        return int(rows[0]["id"]) if rows else None

    def _currencies(self) -> tuple[str, dict[str, int]]:
        rows = self.db.call("currency.currency", "search_read", [], 0, None, None, ["code"])
        company = self.db.call("company.company", "read", [self.db.company], ["currency.code"])[0]
        return company["currency."]["code"], {row["code"]: row["id"] for row in rows}

    def _rate(self, currency_ids: dict[str, int], currency: str, on: dt.date) -> Decimal:
        if currency not in currency_ids:
            raise StructuralError(Cause.UNMAPPED_PAYMENT_ACCOUNT, f"currency {currency} is not in the ERP")
        (row,) = self.db.call("currency.currency", "read", [currency_ids[currency]], ["rate"], context={"date": on})
        if not row["rate"]:
            raise StructuralError(Cause.UNMAPPED_PAYMENT_ACCOUNT, f"the ERP has no {currency} rate on {on}")
        return Decimal(row["rate"])

    def _period(self, on: dt.date) -> int:
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
        return int(rows[0]["id"])


def _line(line: CompanyLine, accounts: dict[str, int], currency_ids: dict[str, int]) -> dict[str, Any]:
    amount = line.amount.amount
    values: dict[str, Any] = {
        "account": accounts[line.account],
        "debit": amount if amount > 0 else Decimal(0),
        "credit": -amount if amount < 0 else Decimal(0),
        "description": line.description,
    }
    if line.second is not None:
        values["second_currency"] = currency_ids[line.second.currency]
        values["amount_second_currency"] = line.second.amount
    return values


def _booked(row: dict[str, Any]) -> BookedEntry:
    return BookedEntry(row["description"], erp_id(row["id"]), row["state"] == "posted", len(row["lines"]))


def _balance(row: dict[str, Any]) -> AccountBalance:
    currency = row["currency."]["code"]
    second_currency = (row.get("second_currency.") or {}).get("code")
    second = Money(Decimal(row["amount_second_currency"] or 0), second_currency) if second_currency else None
    return AccountBalance(row["code"], Money(Decimal(row["balance"] or 0), currency), second)
