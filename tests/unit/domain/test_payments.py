"""The payment rules: which of an order's transactions are booked, against which account, and when the order
may ship unpaid."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.payments import (
    Direction,
    OrderTransaction,
    PaymentAccounts,
    TransactionKind,
    TransactionStatus,
    payments_to_book,
    unpaid_capture,
    unpaid_error,
)

SHOP = "demo.myshopify.com"
ACCOUNTS = PaymentAccounts({("shopify_payments", "USD"): "SP-USD", ("paypal", "USD"): "PP-USD"}, "GIFT")
T0 = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def tx(
    n: int,
    kind: TransactionKind,
    amount: str = "50.00",
    status: TransactionStatus = TransactionStatus.SUCCESS,
    gateway: str = "shopify_payments",
    refund: str | None = None,
) -> OrderTransaction:
    return OrderTransaction(
        str(n), kind, status, gateway, Money.of(amount, "USD"), T0 + dt.timedelta(minutes=n), refund
    )


def book(*txs: OrderTransaction) -> list[tuple[str, Direction, str, str, str]]:
    payments = payments_to_book(SHOP, "#1001", "SALE-1", txs, ACCOUNTS)
    return [(p.reference, p.direction, p.document, p.account, str(p.amount.amount)) for p in payments]


def test_a_sale_is_money_received_against_its_gateway_s_clearing_account_under_its_reference() -> None:
    assert book(tx(7, TransactionKind.SALE)) == [
        (f"shopify:{SHOP}:transaction:7", Direction.RECEIVED, "SALE-1", "SP-USD", "50.00")
    ]


def test_an_authorisation_books_nothing_its_capture_books_once() -> None:
    assert book(tx(1, TransactionKind.AUTHORIZATION)) == []
    assert [r[0] for r in book(tx(1, TransactionKind.AUTHORIZATION), tx(2, TransactionKind.CAPTURE, "30.00"))] == [
        f"shopify:{SHOP}:transaction:2"
    ]


def test_failed_pending_and_voided_transactions_book_nothing() -> None:
    assert (
        book(
            tx(1, TransactionKind.SALE, status=TransactionStatus.FAILURE),
            tx(2, TransactionKind.CAPTURE, status=TransactionStatus.PENDING),
            tx(3, TransactionKind.VOID),
        )
        == []
    )


def test_a_refund_is_money_paid_out_settling_its_credit_note_once_the_note_is_known() -> None:
    note = f"shopify:{SHOP}:refund:9"
    assert book(tx(1, TransactionKind.SALE), tx(2, TransactionKind.REFUND, "20.00", refund=note))[1] == (
        f"shopify:{SHOP}:transaction:2",
        Direction.PAID_OUT,
        note,
        "SP-USD",
        "20.00",
    )
    assert len(book(tx(1, TransactionKind.SALE), tx(2, TransactionKind.REFUND, "20.00"))) == 1


def test_gift_cards_go_against_the_liability_and_paypal_to_its_own_clearing_account() -> None:
    accounts = [
        r[3]
        for r in book(tx(1, TransactionKind.SALE, gateway="gift_card"), tx(2, TransactionKind.SALE, gateway="paypal"))
    ]
    assert accounts == ["GIFT", "PP-USD"]


def test_a_gateway_with_no_clearing_account_is_named() -> None:
    with pytest.raises(StructuralError) as raised:
        book(tx(1, TransactionKind.SALE, gateway="bogus"))
    assert raised.value.cause is Cause.UNMAPPED_PAYMENT_ACCOUNT
    assert "bogus:USD" in raised.value.detail


def test_a_failed_capture_or_a_void_with_nothing_captured_after_leaves_the_order_unpaid() -> None:
    auth = tx(1, TransactionKind.AUTHORIZATION)
    failed = tx(2, TransactionKind.CAPTURE, status=TransactionStatus.FAILURE)
    assert unpaid_capture([auth, failed]) == failed
    assert unpaid_capture([auth, tx(2, TransactionKind.VOID)]) is not None
    assert unpaid_capture([auth, failed, tx(3, TransactionKind.CAPTURE)]) is None
    assert unpaid_capture([auth]) is None
    error = unpaid_error("#1001", failed)
    assert error.cause is Cause.PAYMENT_NOT_CAPTURED
    assert "may ship unpaid" in error.detail


def test_a_charge_settled_in_the_customer_s_currency_goes_to_that_currency_s_clearing_account() -> None:
    accounts = PaymentAccounts({("shopify_payments", "USD"): "SP-USD", ("shopify_payments", "CAD"): "SP-CAD"}, "GIFT")
    charge = replace(tx(1, TransactionKind.SALE, "12.00"), settlement=Money.of("16.30", "CAD"))

    (payment,) = payments_to_book(SHOP, "#1001", "SALE-1", [charge], accounts)

    assert (payment.account, payment.amount, payment.settled) == ("SP-CAD", Money.of("12.00", "USD"), charge.settlement)
