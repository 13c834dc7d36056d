"""FakeAccounting: the Accounting port in memory, held to Tryton's semantics by
tests/contract/test_accounting_contract.py.

The demo business's chart: the `[payments]` defaults' accounts, a company in EUR with Tryton's demo rates, the
SHOPIFY journal. Entries are kept by reference, converted with the domain's `in_company_currency` as the Tryton
adapter does; an account or journal missing creates nothing. Knobs: `down = True` (every call raises
TransientError), `accounts` and `journals` (what the chart has), `rates`, `hand_made` (entries made in the ERP by
hand, for the month view).

Payments settle the documents of `sales` (a FakeBackOffice, when given): a sale's invoice (posted by the first
payment, as the Tryton adapter posts a draft) for money received, a credit note by its reference for money paid
out. A document is `paid` once its payments add up to its total, `posted` before. The clearing side of each
payment is in the balances, in the company's currency at the fake's rates (second currency where the account
is kept in one).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from tests.fakes.posted_sales import posted_record
from trueup.config import PaymentsConfig
from trueup.domain.errors import Cause, StructuralError, TransientError
from trueup.domain.money import Money
from trueup.domain.month_close import ErpDocument, ErpKind
from trueup.domain.payments import BookedPayment, Direction, Payment
from trueup.domain.payouts import AccountBalance, BookedEntry, CompanyLine, PayoutEntry, in_company_currency

if TYPE_CHECKING:
    from tests.fakes.back_office import FakeBackOffice

COMPANY_CURRENCY = "EUR"
DEMO_RATES = {"EUR": Decimal(1), "USD": Decimal("1.08"), "GBP": Decimal("0.85"), "CAD": Decimal("1.47")}


def demo_accounts() -> dict[str, str | None]:
    """The demo chart's payment accounts: code -> second currency (None when kept in the company's only)."""
    defaults = PaymentsConfig()
    accounts: dict[str, str | None] = {code: None for code in defaults.transaction_types.values() if code != "clearing"}
    accounts.update({defaults.fee_expense: None, defaults.exchange_difference: None, defaults.returned_payouts: None})
    accounts[defaults.gift_cards] = None
    for currency, code in defaults.bank.items():
        accounts[code] = None if currency == COMPANY_CURRENCY else currency
    for key, code in defaults.clearing.items():
        currency = key.split(":")[1]
        accounts[code] = None if currency == COMPANY_CURRENCY else currency
    return accounts


@dataclass
class FakeAccounting:
    accounts: dict[str, str | None] = field(default_factory=demo_accounts)
    journals: set[str] = field(default_factory=lambda: {"SHOPIFY"})
    rates: dict[str, Decimal] = field(default_factory=lambda: dict(DEMO_RATES))
    down: bool = False
    entries: dict[str, tuple[BookedEntry, list[CompanyLine]]] = field(default_factory=dict)
    sales: FakeBackOffice | None = None
    payments: dict[str, tuple[BookedPayment, Payment, CompanyLine]] = field(default_factory=dict)
    hand_made: list[ErpDocument] = field(default_factory=list)  # posted entries trueup did not make (key None)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _check_up(self) -> None:
        if self.down:
            raise TransientError("ERP unavailable (fake)")

    def missing_accounts(self, codes: Iterable[str], journal: str) -> list[str]:
        self._check_up()
        missing = [
            f"account {code} is not in the ERP's chart (or cannot take entries)"
            for code in sorted(set(codes))
            if code not in self.accounts
        ]
        if journal not in self.journals:
            missing.append(f"journal {journal} is not in the ERP")
        return missing

    def find_entry(self, reference: str) -> BookedEntry | None:
        self._check_up()
        found = self.entries.get(reference)
        return found[0] if found else None

    def book_entry(self, entry: PayoutEntry, journal: str, exchange_account: str) -> BookedEntry:
        self._check_up()
        if entry.currency not in self.rates:
            raise StructuralError(Cause.UNMAPPED_PAYMENT_ACCOUNT, f"currency {entry.currency} is not in the ERP")
        lines = in_company_currency(entry, COMPANY_CURRENCY, self.rates[entry.currency], exchange_account)
        missing = sorted({line.account for line in lines} - set(self.accounts))
        if missing or journal not in self.journals:
            named = [*(f"account {code}" for code in missing)]
            named += [] if journal in self.journals else [f"journal {journal}"]
            raise StructuralError(Cause.UNMAPPED_PAYMENT_ACCOUNT, f"not in the ERP: {', '.join(named)}")
        with self._lock:
            booked = BookedEntry(entry.reference, str(len(self.entries) + 1), True, len(lines))
            self.entries[entry.reference] = (booked, lines)
        return booked

    def find_payment(self, reference: str) -> BookedPayment | None:
        self._check_up()
        found = self.payments.get(reference)
        if found is None:
            return None
        booked, payment, _ = found
        return BookedPayment(reference, booked.erp_id, self._document_state(payment))

    def booked_payments(self, references: Iterable[str]) -> set[str]:
        self._check_up()
        return set(references) & set(self.payments)

    def book_payment(self, payment: Payment, journal: str) -> BookedPayment:
        self._check_up()
        self._document_total(payment)  # raises when there is no document to settle
        if payment.account not in self.accounts or journal not in self.journals:
            named = [f"account {payment.account}"] if payment.account not in self.accounts else []
            named += [] if journal in self.journals else [f"journal {journal}"]
            raise StructuralError(Cause.UNMAPPED_PAYMENT_ACCOUNT, f"not in the ERP: {', '.join(named)}")
        currency = payment.amount.currency
        signed = payment.amount.amount if payment.direction == Direction.RECEIVED else -payment.amount.amount
        company = (signed / self.rates[currency]).quantize(Decimal("0.01"))
        second = Money(signed, currency) if currency != COMPANY_CURRENCY else None
        if payment.settled is not None:  # the clearing account's own currency
            sign = 1 if payment.direction == Direction.RECEIVED else -1
            settled = Money(sign * payment.settled.amount, payment.settled.currency)
            second = settled if settled.currency != COMPANY_CURRENCY else None
        line = CompanyLine(payment.account, Money(company, COMPANY_CURRENCY), second, payment.description)
        with self._lock:
            erp_id = f"payment-{len(self.payments) + 1}"
            self.payments[payment.reference] = (BookedPayment(payment.reference, erp_id, "posted"), payment, line)
        return BookedPayment(payment.reference, erp_id, self._document_state(payment))

    def _document_total(self, payment: Payment) -> Money:
        office = self.sales
        if office is not None and payment.direction == Direction.PAID_OUT:
            note = office.posted.credit_notes.get(payment.document)
            if note is not None:
                return note.total
        if office is not None and payment.direction == Direction.RECEIVED:
            for reference, sale in office.sales.items():
                if sale.erp_id == payment.document and sale.total.amount > 0:
                    record = posted_record(office, reference)
                    if record.draft_invoice and not record.cancelled:  # posted by its first payment
                        record.draft_invoice = False
                        record.invoices.append(f"INV{office.posted.next_id()}")
                    return sale.total
        what = f"credit note {payment.document}" if payment.direction == Direction.PAID_OUT else "sale's invoice"
        raise StructuralError(Cause.BACK_OFFICE_REJECTED, f"no {what} to settle with {payment.reference}")

    def _document_state(self, payment: Payment) -> str:
        same = (payment.direction, payment.document)
        amounts = [p.amount.amount for _, p, _ in self.payments.values() if (p.direction, p.document) == same]
        settled = sum(amounts, Decimal(0))
        return "paid" if settled >= self._document_total(payment).amount else "posted"  # more: left on the receivable

    def account_balances(self, codes: Iterable[str]) -> dict[str, AccountBalance]:
        self._check_up()
        balances: dict[str, AccountBalance] = {}
        for code in set(codes) & set(self.accounts):
            lines = [line for _, entry_lines in self.entries.values() for line in entry_lines if line.account == code]
            lines += [line for _, _, line in self.payments.values() if line.account == code]
            balance = sum((line.amount.amount for line in lines), Decimal(0))
            second_currency = self.accounts[code]
            second = None
            if second_currency:
                amounts = (line.second.amount for line in lines if line.second is not None)
                second = Money(sum(amounts, Decimal(0)), second_currency)
            balances[code] = AccountBalance(code, Money(balance, COMPANY_CURRENCY), second)
        return balances

    def month_books(
        self,
        references: Collection[str],
        start: dt.date,
        end: dt.date,
        fee_account: str,
        bank_accounts: Collection[str],
    ) -> list[ErpDocument]:
        """As Tryton reads its accounts: a sale's posted invoice (its untaxed as revenue, its tax), a credit note
        (what it credits), a payout entry's fee and bank lines (second currency where they have one), and the
        hand-made entries dated in the month. Dates are today's (the fake keeps none)."""
        self._check_up()
        today = dt.date.today()
        docs: list[ErpDocument] = []
        office = self.sales
        for ref in sorted(set(references)):
            if office is not None and ref in office.sales and ref in office.posted.sales:
                sale, record = office.sales[ref], office.posted.sales[ref]
                if record.invoices:
                    amounts = (("revenue", sale.untaxed), ("tax", sale.tax))
                    docs.append(ErpDocument(ref, ErpKind.INVOICE, record.invoices[0], today, amounts))
            if office is not None and ref in office.posted.credit_notes:
                note = office.posted.credit_notes[ref]
                docs.append(ErpDocument(ref, ErpKind.CREDIT_NOTE, note.number, today, (("revenue", -note.total),)))
            for reference in (ref, f"{ref}:returned"):
                if reference in self.entries:
                    booked, lines = self.entries[reference]
                    roles = {fee_account: "fees", **dict.fromkeys(bank_accounts, "bank")}
                    amounts = tuple(
                        (roles[line.account], line.second if line.second is not None else line.amount)
                        for line in lines
                        if line.account in roles
                    )
                    docs.append(ErpDocument(reference, ErpKind.ENTRY, booked.erp_id, today, amounts))
        docs += [doc for doc in self.hand_made if start <= doc.date <= end]
        return docs
