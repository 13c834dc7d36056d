"""The Accounting port's payments contract: the fake and Tryton (on the session's trytond, the demo business's
chart) settle a sale's invoice and a refund's credit note through the clearing accounts alike. Tryton's
database is shared by the session, so balances are read as changes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest

from tests.contract.back_office_harness import BackOfficeHarness, TrytonHarness
from tests.contract.test_back_office_contract import a_line, a_request
from tests.contract.test_sales_ledger_contract import a_credit, a_refund, in_usd, new_skus, posted, refunded
from tests.fakes.accounting import FakeAccounting
from tests.fakes.back_office import FakeBackOffice
from trueup.adapters.tryton.database import TrytonDatabase
from trueup.adapters.tryton.payout_books import TrytonPayoutBooks
from trueup.config import PaymentsConfig
from trueup.domain.errors import StructuralError
from trueup.domain.money import Money
from trueup.domain.payments import Direction, Payment, payment_reference
from trueup.service_layer.ports import Accounting

CONFIG = PaymentsConfig()
TODAY = dt.datetime.now(dt.UTC).date()


@dataclass
class Books:
    erp: BackOfficeHarness
    accounting: Accounting


@pytest.fixture
def books(erp: BackOfficeHarness) -> Iterator[Books]:
    if isinstance(erp.back_office, FakeBackOffice):
        yield Books(erp, FakeAccounting(sales=erp.back_office))
    else:
        assert isinstance(erp, TrytonHarness)
        yield Books(erp, TrytonPayoutBooks(TrytonDatabase(erp.client)))


def a_payment(document: str, amount: Money, account: str, direction: Direction = Direction.RECEIVED) -> Payment:
    reference = payment_reference("contract.myshopify.com", str(uuid.uuid4().int % 10**12))
    return Payment(reference, direction, document, account, amount, TODAY, "Shopify payment #1001 (contract)")


def change(books: Books, code: str, payment: Payment) -> tuple[Decimal, str]:
    """Book `payment` (looked up first); how `code`'s balance changed (second currency where it has one) and the
    document's state after."""
    before = books.accounting.account_balances({code})[code]
    assert books.accounting.find_payment(payment.reference) is None
    booked = books.accounting.book_payment(payment, CONFIG.journal)
    after = books.accounting.account_balances({code})[code]
    if after.second is not None and before.second is not None:
        return after.second.amount - before.second.amount, booked.document_state
    return after.balance.amount - before.balance.amount, booked.document_state


def test_a_capture_of_the_whole_order_pays_its_invoice_through_the_clearing_account(books: Books) -> None:
    (sku,) = new_skus(books.erp, 1)
    _, sale = posted(books.erp, [a_line(sku, 2, "10.00", "VAT20")])
    payment = a_payment(sale.erp_id, sale.total, "5117-SP-EUR")

    moved, state = change(books, "5117-SP-EUR", payment)

    assert moved == sale.total.amount == Decimal("24.00")
    assert state == "paid"
    found = books.accounting.find_payment(payment.reference)
    assert found is not None
    assert found.document_state == "paid"
    assert len(books.erp.back_office.sale_progress(sale.erp_id).invoice_numbers) == 1  # posted by the payment


def test_two_captures_leave_the_invoice_open_until_the_second(books: Books) -> None:
    (sku,) = new_skus(books.erp, 1)
    _, sale = posted(books.erp, [a_line(sku, 3, "10.00", "VAT20")])  # 36.00

    first = change(books, "5117-SP-EUR", a_payment(sale.erp_id, Money.of("20.00", "EUR"), "5117-SP-EUR"))
    second = change(books, "5117-SP-EUR", a_payment(sale.erp_id, Money.of("16.00", "EUR"), "5117-SP-EUR"))

    assert first == (Decimal("20.00"), "posted")
    assert second == (Decimal("16.00"), "paid")


def test_a_gift_card_redemption_goes_against_the_liability_account(books: Books) -> None:
    (sku,) = new_skus(books.erp, 1)
    _, sale = posted(books.erp, [a_line(sku, 1, "10.00", "VAT20")])  # 12.00

    moved, state = change(books, CONFIG.gift_cards, a_payment(sale.erp_id, sale.total, CONFIG.gift_cards))

    assert moved == Decimal("12.00")  # the liability's credit balance goes down: a debit
    assert state == "paid"


def test_a_refund_paid_out_settles_its_credit_note(books: Books) -> None:
    (sku,) = new_skus(books.erp, 1)
    _, sale = posted(books.erp, [a_line(sku, 2, "10.00", "VAT20")])
    books.accounting.book_payment(a_payment(sale.erp_id, sale.total, "5117-SP-EUR"), CONFIG.journal)
    note = refunded(books.erp, a_refund(sale, [a_credit(sku, 1, "10.00", "2.00", "VAT20")]))
    refund = a_payment(note.reference, note.total, "5117-SP-EUR", Direction.PAID_OUT)

    moved, state = change(books, "5117-SP-EUR", refund)

    assert moved == -note.total.amount == Decimal("-12.00")
    assert state == "paid"


def test_a_usd_order_is_settled_in_usd_to_the_cent(books: Books) -> None:
    (sku,) = new_skus(books.erp, 1)
    sale = books.erp.back_office.create_sales_order(in_usd(a_request([a_line(sku, 1, "10.00", "VAT20")])))
    payment = a_payment(sale.erp_id, sale.total, "5117-SP-USD")

    moved, state = change(books, "5117-SP-USD", payment)

    assert moved == Decimal("12.00")  # in USD, the account's own currency
    assert state == "paid"


def test_a_payment_with_nothing_to_settle_books_nothing(books: Books) -> None:
    note_reference = f"shopify:contract.myshopify.com:refund:{uuid.uuid4().hex}"
    payment = a_payment(note_reference, Money.of("5.00", "EUR"), "5117-SP-EUR", Direction.PAID_OUT)

    with pytest.raises(StructuralError):
        books.accounting.book_payment(payment, CONFIG.journal)

    assert books.accounting.find_payment(payment.reference) is None


def test_a_charge_settled_in_another_currency_lands_in_that_currency_s_clearing_account(books: Books) -> None:
    (sku,) = new_skus(books.erp, 1)
    sale = books.erp.back_office.create_sales_order(in_usd(a_request([a_line(sku, 1, "10.00", "VAT20")])))
    payment = replace(a_payment(sale.erp_id, sale.total, "5117-SP-CAD"), settled=Money.of("16.30", "CAD"))

    moved, state = change(books, "5117-SP-CAD", payment)

    assert moved == Decimal("16.30")  # in CAD, what the payout will carry
    assert state == "paid"


def test_a_capture_of_more_than_the_invoice_pays_it_and_leaves_the_rest_on_the_receivable(books: Books) -> None:
    (sku,) = new_skus(books.erp, 1)
    _, sale = posted(books.erp, [a_line(sku, 1, "10.00", "VAT20")])  # 12.00; the order was edited down since
    payment = a_payment(sale.erp_id, Money.of("15.00", "EUR"), "5117-SP-EUR")

    moved, state = change(books, "5117-SP-EUR", payment)

    assert moved == Decimal("15.00")  # what the gateway took
    assert state == "paid"


def test_the_booked_payments_of_an_order_are_found_in_one_look_up(books: Books) -> None:
    (sku,) = new_skus(books.erp, 1)
    _, sale = posted(books.erp, [a_line(sku, 2, "10.00", "VAT20")])
    first = a_payment(sale.erp_id, Money.of("10.00", "EUR"), "5117-SP-EUR")
    second = a_payment(sale.erp_id, Money.of("14.00", "EUR"), "5117-SP-EUR")
    books.accounting.book_payment(first, CONFIG.journal)

    assert books.accounting.booked_payments([first.reference, second.reference]) == {first.reference}
    assert books.accounting.booked_payments([]) == set()
