"""The Accounting port's contract: the fake and Tryton (on the session's trytond, the demo business's chart)
book payout entries alike. Tryton's database is shared by the session, so balances are read as changes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest

from tests.fakes.accounting import FakeAccounting
from tests.support.tryton import connect
from trueup.adapters.tryton.database import TrytonDatabase
from trueup.adapters.tryton.payout_books import TrytonPayoutBooks
from trueup.config import PaymentsConfig
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.payouts import (
    BalanceTransaction,
    Payout,
    PayoutAccounts,
    PayoutStatus,
    payout_entry,
    returned_entry,
)
from trueup.service_layer.ports import Accounting

CONFIG = PaymentsConfig()
ACCOUNTS = PayoutAccounts(
    bank=CONFIG.bank,
    clearing={tuple(key.split(":")): code for key, code in CONFIG.clearing.items()},  # type: ignore[misc]
    fee_expense=CONFIG.fee_expense,
    exchange_difference=CONFIG.exchange_difference,
    returned_payouts=CONFIG.returned_payouts,
    transaction_types=CONFIG.transaction_types,
)
TODAY = dt.datetime.now(dt.UTC)


@pytest.fixture(params=["fake", pytest.param("tryton", marks=pytest.mark.tryton)])
def books(request: pytest.FixtureRequest) -> Iterator[Accounting]:
    if request.param == "fake":
        yield FakeAccounting()
        return
    with connect(request.getfixturevalue("tryton_server")) as client:
        yield TrytonPayoutBooks(TrytonDatabase(client))


def _tx(kind: str, amount: str, fee: str, currency: str = "USD", order: str | None = None) -> BalanceTransaction:
    gross, cut = Money.of(amount, currency), Money.of(fee, currency)
    return BalanceTransaction(uuid.uuid4().hex[:12], kind, gross, cut, gross - cut, order, "#1001" if order else None)


def _payout(*txs: BalanceTransaction, status: PayoutStatus = PayoutStatus.PAID, currency: str = "USD") -> Payout:
    net = Money(sum((t.net.amount for t in txs), Decimal(0)), currency)
    return Payout(uuid.uuid4().hex[:10], status, TODAY, net, txs)


def _changes(books: Accounting, payout: Payout) -> dict[str, Decimal]:
    """Book the payout; how each account's balance (second currency where it has one) changed."""
    entry = payout_entry("demo.myshopify.com", payout, ACCOUNTS)
    before = books.account_balances(ACCOUNTS.codes())
    books.book_entry(entry, CONFIG.journal, CONFIG.exchange_difference)
    after = books.account_balances(ACCOUNTS.codes())
    changes = {}
    for code, balance in after.items():
        old = before[code]
        value = (balance.second.amount - old.second.amount) if balance.second and old.second else None
        changes[code] = value if value is not None else balance.balance.amount - old.balance.amount
    return {code: change for code, change in changes.items() if change}


def test_the_demo_chart_has_every_account_and_the_journal_payouts_need(books: Accounting) -> None:
    assert books.missing_accounts(ACCOUNTS.codes(), CONFIG.journal) == []


def test_a_missing_account_or_journal_is_named(books: Accounting) -> None:
    missing = books.missing_accounts({"5121-USD", "NO-SUCH-ACCOUNT"}, "NO-JOURNAL")
    assert missing == [
        "account NO-SUCH-ACCOUNT is not in the ERP's chart (or cannot take entries)",
        "journal NO-JOURNAL is not in the ERP",
    ]


def test_a_paid_usd_payout_is_one_posted_entry_found_by_its_reference(books: Accounting) -> None:
    payout = _payout(_tx("CHARGE", "100.00", "3.20", order="gid://shopify/Order/1"), _tx("REFUND", "-20.00", "0.00"))
    entry = payout_entry("demo.myshopify.com", payout, ACCOUNTS)
    assert books.find_entry(entry.reference) is None

    booked = books.book_entry(entry, CONFIG.journal, CONFIG.exchange_difference)

    assert booked.posted
    assert booked.reference == entry.reference
    assert books.find_entry(entry.reference) == booked


def test_a_usd_payout_moves_bank_clearing_and_fees_by_shopify_s_figures(books: Accounting) -> None:
    payout = _payout(
        _tx("CHARGE", "100.00", "3.20", order="gid://shopify/Order/1"),
        _tx("CHARGE", "54.10", "1.06", order="gid://shopify/Order/2"),
        _tx("REFUND", "-20.00", "0.00", order="gid://shopify/Order/3"),
    )

    changes = _changes(books, payout)

    assert changes["5121-USD"] == Decimal("129.84")  # the net, in USD
    assert changes["5117-SP-USD"] == Decimal("-134.10")  # charges less refunds, in USD
    assert changes[CONFIG.fee_expense] == (Decimal("4.26") / Decimal("1.08")).quantize(Decimal("0.01"))  # in EUR


def test_disputes_and_reserves_go_to_their_accounts(books: Accounting) -> None:
    payout = _payout(
        _tx("CHARGE", "300.00", "9.00", order="gid://shopify/Order/4"),
        _tx("DISPUTE_WITHDRAWAL", "-50.00", "15.00", order="gid://shopify/Order/5"),
        _tx("RESERVED_FUNDS", "-100.00", "0.00"),
    )

    changes = _changes(books, payout)

    assert changes["5121-USD"] == Decimal("126.00")
    assert changes["4671"] == (Decimal("50.00") / Decimal("1.08")).quantize(Decimal("0.01"))
    assert changes["4672"] == (Decimal("100.00") / Decimal("1.08")).quantize(Decimal("0.01"))


def test_a_eur_payout_books_without_conversion(books: Accounting) -> None:
    payout = _payout(_tx("CHARGE", "80.00", "1.45", currency="EUR", order="gid://shopify/Order/6"), currency="EUR")

    changes = _changes(books, payout)

    assert changes == {
        "5121-EUR": Decimal("78.55"),
        "5117-SP-EUR": Decimal("-80.00"),
        CONFIG.fee_expense: Decimal("1.45"),
    }


def test_a_payout_returned_after_booking_moves_its_net_off_the_bank(books: Accounting) -> None:
    payout = _payout(_tx("CHARGE", "40.00", "0.85", order="gid://shopify/Order/7"))
    books.book_entry(payout_entry("demo.myshopify.com", payout, ACCOUNTS), CONFIG.journal, CONFIG.exchange_difference)
    failed = Payout(payout.payout_id, PayoutStatus.FAILED, payout.issued_at, payout.net, payout.transactions)
    before = books.account_balances({"5121-USD"})["5121-USD"].second

    entry = returned_entry("demo.myshopify.com", failed, ACCOUNTS, TODAY.date())
    books.book_entry(entry, CONFIG.journal, CONFIG.exchange_difference)

    after = books.account_balances({"5121-USD"})["5121-USD"].second
    assert before is not None
    assert after is not None
    assert after.amount - before.amount == Decimal("-39.15")
    assert books.find_entry(entry.reference) is not None


def test_an_account_missing_from_the_chart_books_nothing(books: Accounting) -> None:
    payout = _payout(_tx("CHARGE", "10.00", "0.40", order="gid://shopify/Order/8"))
    entry = payout_entry("demo.myshopify.com", payout, ACCOUNTS)

    with pytest.raises(StructuralError) as raised:
        books.book_entry(entry, "NO-JOURNAL", CONFIG.exchange_difference)

    assert raised.value.cause is Cause.UNMAPPED_PAYMENT_ACCOUNT
    assert "NO-JOURNAL" in raised.value.detail
    assert books.find_entry(entry.reference) is None
