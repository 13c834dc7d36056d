"""The Accounting port's month-view read (`month_books`): the fake and Tryton (the session's trytond, the demo
business's chart) read what their accounts book for a sale's invoice, a refund's credit note and a payout
entry alike, and list an entry trueup did not make. Tryton's database is shared by the session, so only the
documents made here are looked at."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest

from tests.contract.back_office_harness import BackOfficeHarness, TrytonHarness
from tests.contract.test_accounting_contract import ACCOUNTS, _payout, _tx
from tests.contract.test_back_office_contract import a_line
from tests.contract.test_payments_contract import CONFIG, Books, a_payment
from tests.contract.test_sales_ledger_contract import a_credit, a_refund, new_skus, posted, refunded
from tests.fakes.accounting import FakeAccounting
from tests.fakes.back_office import FakeBackOffice
from trueup.adapters.tryton.database import TrytonDatabase
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.adapters.tryton.payout_books import TrytonPayoutBooks
from trueup.domain.money import Money
from trueup.domain.month_close import ErpDocument, ErpKind
from trueup.domain.payouts import payout_entry

SHOP = "contract.myshopify.com"
TODAY = dt.datetime.now(dt.UTC).date()
BANKS = sorted(CONFIG.bank.values())


@pytest.fixture
def books(erp: BackOfficeHarness) -> Iterator[Books]:
    if isinstance(erp.back_office, FakeBackOffice):
        yield Books(erp, FakeAccounting(sales=erp.back_office))
    else:
        assert isinstance(erp, TrytonHarness)
        yield Books(erp, TrytonPayoutBooks(TrytonDatabase(erp.client)))


def read(books: Books, *references: str) -> list[ErpDocument]:
    return books.accounting.month_books(references, TODAY, TODAY, CONFIG.fee_expense, BANKS)


def figures(documents: list[ErpDocument], key: str) -> dict[str, Money]:
    mine = [d for d in documents if d.key == key]
    assert mine, f"nothing booked for {key}"
    out: dict[str, Money] = {}
    for document in mine:
        for figure, amount in document.figures().items():
            out[figure] = out[figure] + amount if figure in out else amount
    return out


def test_a_paid_sale_s_invoice_books_its_revenue_and_tax(books: Books) -> None:
    (sku,) = new_skus(books.erp, 1)
    request, sale = posted(books.erp, [a_line(sku, 2, "10.00", "VAT20")])  # 20.00 + 4.00
    books.accounting.book_payment(a_payment(sale.erp_id, sale.total, "5117-SP-EUR"), CONFIG.journal)

    documents = read(books, request.reference)

    assert figures(documents, request.reference) == {"sales": Money.of("20.00", "EUR"), "tax": Money.of("4.00", "EUR")}
    (invoice,) = [d for d in documents if d.key == request.reference]
    assert invoice.kind is ErpKind.INVOICE
    assert invoice.number


def test_an_unpaid_sale_s_draft_invoice_books_nothing(books: Books) -> None:
    (sku,) = new_skus(books.erp, 1)
    request, _ = posted(books.erp, [a_line(sku, 1, "10.00", "VAT20")])

    assert [d for d in read(books, request.reference) if d.key == request.reference] == []


def test_a_credit_note_books_what_it_credits(books: Books) -> None:
    (sku,) = new_skus(books.erp, 1)
    _, sale = posted(books.erp, [a_line(sku, 2, "10.00", "VAT20")])
    books.accounting.book_payment(a_payment(sale.erp_id, sale.total, "5117-SP-EUR"), CONFIG.journal)
    note = refunded(books.erp, a_refund(sale, [a_credit(sku, 1, "10.00", "2.00", "VAT20")]))

    documents = read(books, note.reference)

    assert figures(documents, note.reference) == {"refunds": Money.of("12.00", "EUR")}
    (credit,) = [d for d in documents if d.key == note.reference]
    assert credit.kind is ErpKind.CREDIT_NOTE
    assert credit.number == note.number


def test_a_payout_entry_books_its_fees_and_the_bank_in_the_payout_s_currency(books: Books) -> None:
    payout = _payout(_tx("CHARGE", "100.00", "3.20"), _tx("CHARGE", "50.00", "1.75"), currency="USD")
    entry = payout_entry(SHOP, payout, ACCOUNTS)
    booked = books.accounting.book_entry(entry, CONFIG.journal, CONFIG.exchange_difference)

    documents = read(books, entry.reference)

    assert figures(documents, entry.reference) == {
        "fees": Money.of("4.95", "USD"),
        "payouts": Money.of("145.05", "USD"),
    }
    (found,) = [d for d in documents if d.key == entry.reference]
    assert found.kind is ErpKind.ENTRY
    if isinstance(books.accounting, FakeAccounting):
        assert found.number == booked.erp_id


def test_an_entry_trueup_did_not_make_is_read_with_no_key_when_dated_in_the_month(books: Books) -> None:
    description = f"Bank charge {uuid.uuid4().hex[:8]}"
    hand_made(books, description, Decimal("7.50"))

    documents = read(books)

    extra = [d for d in documents if d.key is None and d.figures().get("fees") == Money.of("7.50", "EUR")]
    assert extra, documents
    assert extra[0].figures()["payouts"] == Money.of("-7.50", "EUR")
    before = books.accounting.month_books(
        (), TODAY - dt.timedelta(days=40), TODAY - dt.timedelta(days=35), CONFIG.fee_expense, BANKS
    )
    assert all(d.date < TODAY for d in before)


def hand_made(books: Books, description: str, amount: Decimal) -> None:
    """A fee paid from the EUR bank account, entered in the ERP by hand."""
    if isinstance(books.accounting, FakeAccounting):
        fees, bank = Money(amount, "EUR"), Money(-amount, "EUR")
        books.accounting.hand_made.append(
            ErpDocument(None, ErpKind.ENTRY, description, TODAY, (("fees", fees), ("bank", bank)))
        )
        return
    assert isinstance(books.erp, TrytonHarness)
    make_hand_entry(books.erp.client, description, amount, TODAY)


def make_hand_entry(client: TrytonClient, description: str, amount: Decimal, on: dt.date) -> int:
    """On Tryton: a posted move on the SHOPIFY journal, the fee expense debited and the EUR bank credited."""
    call = client.call
    accounts = {
        r["code"]: r["id"]
        for r in call(
            "account.account",
            "search_read",
            [("code", "in", [CONFIG.fee_expense, "5121-EUR"])],
            0,
            None,
            None,
            ["code"],
        )
    }
    (journal,) = call("account.journal", "search", [("code", "=", CONFIG.journal)], 0, 1, None)
    (period,) = call(
        "account.period",
        "search",
        [("start_date", "<=", on), ("end_date", ">=", on), ("type", "=", "standard")],
        0,
        1,
        None,
    )
    lines = [
        {"account": accounts[CONFIG.fee_expense], "debit": amount, "credit": Decimal(0), "description": description},
        {"account": accounts["5121-EUR"], "debit": Decimal(0), "credit": amount, "description": description},
    ]
    (move,) = call(
        "account.move",
        "create",
        [{"journal": journal, "date": on, "period": period, "description": description, "lines": [("create", lines)]}],
    )
    call("account.move", "post", [move])
    return int(move)
