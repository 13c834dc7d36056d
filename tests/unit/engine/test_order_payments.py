"""An order's payments booked by its sync: captures settle the sale's invoice, refunds their credit notes,
each once; an authorisation books nothing; a failed capture parks the order."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from tests.factories import NOW, SHOP, a_line, an_order, eur
from tests.fakes.accounting import FakeAccounting
from tests.fakes.shopify_payments import FakeShopifyPayments
from tests.integration.engine.test_refunds import a_refund, units
from tests.unit.engine.harness import Engine

from trueup.bootstrap import payout_accounts
from trueup.config import TrueupConfig
from trueup.domain.errors import Cause
from trueup.domain.ledger import OrderState
from trueup.domain.money import Money
from trueup.domain.orders import FinancialStatus
from trueup.domain.payments import OrderTransaction, PaymentAccounts, TransactionKind, TransactionStatus
from trueup.domain.payouts import BalanceTransaction, Payout, PayoutStatus, payout_reference
from trueup.service_layer.payments import OrderPayments
from trueup.service_layer.payouts import PayoutContext, poll_payouts

ACCOUNTS = PaymentAccounts({("shopify_payments", "EUR"): "5117-SP-EUR"}, "4191")


def with_books(engine: Engine) -> FakeAccounting:
    books = FakeAccounting(sales=engine.erp)
    engine.ctx = replace(engine.ctx, payments=OrderPayments(books, ACCOUNTS, "SHOPIFY"))
    engine.worker = engine.worker_named("w1")
    return books


def tx(n: int, kind: TransactionKind, amount: str, status=TransactionStatus.SUCCESS, gateway="shopify_payments"):
    return OrderTransaction(str(n), kind, status, gateway, eur(amount), NOW + timedelta(minutes=n))


def sync(engine: Engine, order_id: str):  # type: ignore[no-untyped-def]
    engine.notify(order_id)
    engine.run_until_idle()
    return engine.entry(order_id)


def clearing(books: FakeAccounting, code: str = "5117-SP-EUR") -> Money:
    return books.account_balances({code})[code].balance


def test_a_captured_order_pays_its_invoice_once_whatever_the_syncs() -> None:
    engine = Engine()
    books = with_books(engine)
    order = engine.shopify.put_order(
        an_order([a_line(quantity=3, price="10.00", tax="6.00")], transactions=(tx(1, TransactionKind.SALE, "36.00"),))
    )

    assert sync(engine, order.order_id).state == OrderState.POSTED
    sync(engine, order.order_id)

    assert clearing(books) == eur("36.00")
    assert len(books.payments) == 1
    (booked, _, _) = next(iter(books.payments.values()))
    assert books.find_payment(booked.reference).document_state == "paid"  # type: ignore[union-attr]


def test_an_authorisation_books_nothing_until_its_capture() -> None:
    engine = Engine()
    books = with_books(engine)
    auth = tx(1, TransactionKind.AUTHORIZATION, "36.00")
    order = engine.shopify.put_order(
        an_order(
            [a_line(quantity=3, price="10.00", tax="6.00")],
            status=FinancialStatus.AUTHORIZED,
            transactions=(auth,),
        )
    )
    sync(engine, order.order_id)
    assert books.payments == {}

    engine.shopify.update_order(order.order_id, transactions=(auth, tx(2, TransactionKind.CAPTURE, "36.00")))
    sync(engine, order.order_id)

    assert clearing(books) == eur("36.00")


def test_a_refund_s_money_out_settles_its_credit_note_from_the_clearing_account() -> None:
    engine = Engine()
    books = with_books(engine)
    order = engine.shopify.put_order(
        an_order([a_line(quantity=3, price="10.00", tax="6.00")], transactions=(tx(1, TransactionKind.SALE, "36.00"),))
    )
    sync(engine, order.order_id)
    refund = replace(a_refund(order, 5, units(1, "10.00", "2.00")), transaction_ids=("2",))
    engine.shopify.put_refund(refund)
    engine.shopify.update_order(
        order.order_id, transactions=(tx(1, TransactionKind.SALE, "36.00"), tx(2, TransactionKind.REFUND, "12.00"))
    )

    sync(engine, order.order_id)

    assert clearing(books) == eur("24.00")
    states = sorted(books.find_payment(ref).document_state for ref in books.payments)  # type: ignore[union-attr]
    assert states == ["paid", "paid"]


def test_gift_card_payments_go_against_the_liability_account() -> None:
    engine = Engine()
    books = with_books(engine)
    paid = (tx(1, TransactionKind.SALE, "20.00", gateway="gift_card"), tx(2, TransactionKind.SALE, "16.00"))
    order = engine.shopify.put_order(an_order([a_line(quantity=3, price="10.00", tax="6.00")], transactions=paid))

    sync(engine, order.order_id)

    assert clearing(books, "4191") == eur("20.00")
    assert clearing(books) == eur("16.00")


def test_a_failed_capture_of_an_order_in_the_erp_parks_it_saying_it_may_ship_unpaid() -> None:
    engine = Engine()
    books = with_books(engine)
    auth = tx(1, TransactionKind.AUTHORIZATION, "36.00")
    order = engine.shopify.put_order(
        an_order(
            [a_line(quantity=3, price="10.00", tax="6.00")],
            status=FinancialStatus.AUTHORIZED,
            transactions=(auth,),
        )
    )
    sync(engine, order.order_id)
    failed = tx(2, TransactionKind.CAPTURE, "36.00", status=TransactionStatus.FAILURE)
    engine.shopify.update_order(order.order_id, transactions=(auth, failed))

    entry = sync(engine, order.order_id)

    assert entry.state == OrderState.EXCEPTION
    assert entry.cause == Cause.PAYMENT_NOT_CAPTURED
    assert "may ship unpaid" in (entry.detail or "")
    assert entry.erp_sale_id is not None
    assert books.payments == {}


def test_a_payout_clears_the_charges_it_carries_and_the_clearing_account_keeps_those_not_paid_out() -> None:
    engine = Engine()
    books = with_books(engine)
    orders = [
        engine.shopify.put_order(
            an_order(
                [a_line(quantity=3, price="10.00", tax="6.00")],
                number=n,
                transactions=(tx(n, TransactionKind.SALE, "36.00"),),
            )
        )
        for n in (1001, 1002)
    ]
    for order in orders:
        sync(engine, order.order_id)
    fee = eur("1.04")
    carried = BalanceTransaction("bt-1", "CHARGE", eur("36.00"), fee, eur("36.00") - fee, orders[0].order_id, "#1001")
    shopify = FakeShopifyPayments()
    shopify.put(Payout("7001", PayoutStatus.PAID, NOW, eur("34.96"), (carried,)))
    config = TrueupConfig.model_validate(
        {
            "shops": [{"domain": SHOP, "access_token": {"env": "X"}, "api_secret": {"env": "Y"}}],
            "back_office": {"database": "d", "password": {"env": "Z"}},
        }
    )
    ctx = PayoutContext(SHOP, shopify, books, engine.store, engine.clock, payout_accounts(config), "SHOPIFY")

    poll_payouts(ctx)

    (_, lines) = books.entries[payout_reference(SHOP, "7001")]
    assert sum((line.amount.amount for line in lines), Decimal(0)) == 0  # the payout's entry balances
    assert clearing(books) == eur("36.00")  # the charge of #1002, not paid out yet
    assert books.account_balances({"5121-EUR"})["5121-EUR"].balance == eur("34.96")


def test_verify_finds_a_capture_with_no_payment_in_the_erp_and_none_once_it_is_booked() -> None:
    from trueup.domain.completeness import FindingKind
    from trueup.service_layer.verify import verify_shop

    engine = Engine()
    books = with_books(engine)
    order = engine.shopify.put_order(
        an_order([a_line(quantity=3, price="10.00", tax="6.00")], transactions=(tx(1, TransactionKind.SALE, "36.00"),))
    )
    sync(engine, order.order_id)
    clean = verify_shop(engine.ctx, SHOP)
    assert (clean.findings, clean.documents, clean.equal_documents) == ([], 2, 2)  # the sale and its payment

    books.payments.clear()  # the payment's entry deleted in the ERP
    (found,) = verify_shop(engine.ctx, SHOP).findings

    assert (found.kind, found.order, found.document) == (
        FindingKind.PAYMENT_MISSING,
        order.name,
        "shopify:demo.myshopify.com:transaction:1",
    )
    assert "36.00 EUR" in found.detail
    sync(engine, order.order_id)  # a replay books it again
    assert verify_shop(engine.ctx, SHOP).findings == []


def test_verify_asks_no_payment_of_an_order_cancelled_before_its_capture_was_booked() -> None:
    from trueup.service_layer.verify import verify_shop

    engine = Engine()
    books = with_books(engine)
    auth = tx(1, TransactionKind.AUTHORIZATION, "36.00")
    order = engine.shopify.put_order(
        an_order(
            [a_line(quantity=3, price="10.00", tax="6.00")], status=FinancialStatus.AUTHORIZED, transactions=(auth,)
        )
    )
    sync(engine, order.order_id)
    engine.shopify.update_order(
        order.order_id, transactions=(auth, tx(2, TransactionKind.CAPTURE, "36.00")), cancelled_at=NOW + timedelta(1)
    )

    assert sync(engine, order.order_id).state == OrderState.CANCELLED
    assert books.payments == {}  # the sync books a posted order's payments only
    assert verify_shop(engine.ctx, SHOP).findings == []
