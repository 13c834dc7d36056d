"""The payout poll on fakes: each payout that left SCHEDULED booked once, exceptions named and replayed by
themselves, a payout returned after booking reversed, the cursor and its look-back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from tests.fakes.accounting import FakeAccounting
from tests.fakes.shopify_payments import FakeShopifyPayments
from tests.fakes.store import InMemoryStore

from trueup.bootstrap import payout_accounts
from trueup.config import TrueupConfig
from trueup.domain.errors import Cause, TransientError
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.domain.money import Money
from trueup.domain.payouts import BalanceTransaction, Payout, PayoutState, PayoutStatus, payout_reference
from trueup.service_layer.jobs import PollPayouts
from trueup.service_layer.payouts import CURSOR, PayoutContext, poll_payouts
from trueup.service_layer.worker import Worker, WorkerSettings

SHOP = "demo.myshopify.com"
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CONFIG = TrueupConfig.model_validate(
    {
        "shops": [
            {"domain": SHOP, "access_token": {"env": "X"}, "api_secret": {"env": "Y"}},
        ],
        "back_office": {"database": "d", "password": {"env": "Z"}},
    }
)


@dataclass
class Clock:
    at: datetime = NOW

    def now(self) -> datetime:
        return self.at


@dataclass
class Books:
    shopify: FakeShopifyPayments = field(default_factory=FakeShopifyPayments)
    accounting: FakeAccounting = field(default_factory=FakeAccounting)
    clock: Clock = field(default_factory=Clock)
    store: InMemoryStore = field(init=False)

    def __post_init__(self) -> None:
        self.store = InMemoryStore(self.clock.now)

    @property
    def ctx(self) -> PayoutContext:
        return PayoutContext(
            SHOP, self.shopify, self.accounting, self.store, self.clock, payout_accounts(CONFIG), "SHOPIFY"
        )

    def posted(self, *numbers: int) -> None:
        for n in numbers:
            entry = LedgerEntry.received(SHOP, order(n), f"#{n}", NOW).moved_to(
                OrderState.POSTED, NOW, erp_sale_id=str(n)
            )
            self.store.save_ledger_entry(entry)

    def state(self, payout_id: str) -> PayoutState | None:
        record = self.store.payout_record(SHOP, payout_id)
        return record.state if record else None


def order(n: int) -> str:
    return f"gid://shopify/Order/{n}"


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def charge(n: int, amount: str = "100.00", fee: str = "3.20") -> BalanceTransaction:
    return BalanceTransaction(f"tx-{n}", "CHARGE", usd(amount), usd(fee), usd(amount) - usd(fee), order(n), f"#{n}")


def payout(
    payout_id: str, *txs: BalanceTransaction, days_ago: int = 1, status: PayoutStatus = PayoutStatus.PAID
) -> Payout:
    net = usd(str(sum((t.net.amount for t in txs), Decimal(0))))
    return Payout(payout_id, status, NOW - timedelta(days=days_ago), net, txs)


@pytest.fixture
def books() -> Books:
    return Books()


def test_a_paid_payout_whose_orders_are_in_the_erp_is_booked_once_however_often_it_is_read(books: Books):
    books.posted(1, 2)
    books.shopify.put(payout("7001", charge(1), charge(2, "50.00", "1.75")))

    first = poll_payouts(books.ctx)
    poll_payouts(books.ctx)
    poll_payouts(books.ctx)

    assert (first.read, first.booked, first.exceptions) == (1, 1, 0)
    assert list(books.accounting.entries) == [payout_reference(SHOP, "7001")]
    assert books.state("7001") is PayoutState.BOOKED
    assert books.shopify.transaction_reads == 1  # a booked payout's transactions are not read again
    record = books.store.payout_record(SHOP, "7001")
    assert record is not None
    assert record.totals["charges"] == usd("150.00")
    assert record.totals["fees"] == usd("4.95")
    assert record.entry_id is not None


def test_a_scheduled_payout_books_nothing_until_it_is_paid(books: Books):
    books.posted(1)
    books.shopify.put(payout("7001", charge(1), status=PayoutStatus.SCHEDULED))

    poll_payouts(books.ctx)
    assert books.accounting.entries == {}
    assert books.state("7001") is None

    books.shopify.set_status("7001", PayoutStatus.PAID)
    poll_payouts(books.ctx)
    assert books.state("7001") is PayoutState.BOOKED


def test_a_payout_whose_orders_are_not_in_the_erp_waits_then_books_by_itself_once_they_post(books: Books):
    books.posted(1)
    books.shopify.put(payout("7001", charge(1), charge(2)))

    poll_payouts(books.ctx)

    record = books.store.payout_record(SHOP, "7001")
    assert record is not None
    assert record.cause is Cause.PAYOUT_WAITING_FOR_ORDERS
    assert record.needs == {"orders": [order(2)]}
    assert books.accounting.entries == {}

    books.posted(2)
    poll_payouts(books.ctx)
    assert books.state("7001") is PayoutState.BOOKED


def test_an_unexplained_payout_books_nothing_and_the_others_go_on(books: Books):
    books.posted(1, 2)
    bad = payout("7001", charge(1))
    books.shopify.put(Payout(bad.payout_id, bad.status, bad.issued_at, usd("97.00"), bad.transactions))
    books.shopify.put(payout("7002", charge(2)))

    summary = poll_payouts(books.ctx)

    assert (summary.booked, summary.exceptions) == (1, 1)
    record = books.store.payout_record(SHOP, "7001")
    assert record is not None
    assert record.cause is Cause.PAYOUT_UNEXPLAINED
    assert "0.20 USD" in (record.detail or "")
    assert list(books.accounting.entries) == [payout_reference(SHOP, "7002")]


def test_an_unmapped_type_is_named_and_nothing_of_the_payout_is_booked(books: Books):
    odd = BalanceTransaction("tx-x", "ADVANCE", usd("20.00"), usd("0"), usd("20.00"))
    books.shopify.put(payout("7001", odd))

    poll_payouts(books.ctx)

    record = books.store.payout_record(SHOP, "7001")
    assert record is not None
    assert record.cause is Cause.UNMAPPED_PAYMENT_ACCOUNT
    assert "ADVANCE" in (record.detail or "")
    assert books.accounting.entries == {}


def test_a_paid_payout_that_fails_afterwards_gets_its_return_booked_once(books: Books):
    books.posted(1)
    books.shopify.put(payout("7001", charge(1)))
    poll_payouts(books.ctx)

    books.shopify.set_status("7001", PayoutStatus.FAILED)
    poll_payouts(books.ctx)
    poll_payouts(books.ctx)

    record = books.store.payout_record(SHOP, "7001")
    assert record is not None
    assert (record.state, record.status) == (PayoutState.RETURNED, PayoutStatus.FAILED)
    assert sorted(books.accounting.entries) == [
        payout_reference(SHOP, "7001"),
        payout_reference(SHOP, "7001") + ":returned",
    ]
    balances = books.accounting.account_balances({"5121-USD", "4673"})
    assert balances["5121-USD"].second == usd("0.00")


def test_a_payout_failed_before_it_was_booked_is_booked_to_the_returned_payouts(books: Books):
    books.posted(1)
    books.shopify.put(payout("7001", charge(1), status=PayoutStatus.FAILED))

    poll_payouts(books.ctx)

    assert books.state("7001") is PayoutState.BOOKED
    assert "5121-USD" not in {line.account for line in books.accounting.entries[payout_reference(SHOP, "7001")][1]}


def test_an_entry_the_erp_already_holds_is_not_booked_again_when_the_record_was_lost(books: Books):
    books.posted(1)
    books.shopify.put(payout("7001", charge(1)))
    poll_payouts(books.ctx)
    entry = books.accounting.entries[payout_reference(SHOP, "7001")]
    books.store._payouts().clear()  # the record lost (a crash between the ERP's commit and trueup's)

    poll_payouts(books.ctx)

    assert books.accounting.entries[payout_reference(SHOP, "7001")] == entry
    assert books.state("7001") is PayoutState.BOOKED


def test_the_cursor_is_the_latest_issue_date_and_the_next_poll_reads_back_the_look_back(books: Books):
    books.posted(1, 2)
    books.shopify.put(payout("7001", charge(1), days_ago=60))  # before the first look-back: never read
    books.shopify.put(payout("7002", charge(2), days_ago=3))

    summary = poll_payouts(books.ctx)

    assert summary.read == 1
    assert books.store.cursor(SHOP, CURSOR) == (NOW - timedelta(days=3)).date().isoformat()
    assert books.state("7001") is None


def test_an_erp_that_is_down_leaves_the_payout_to_the_next_poll(books: Books):
    books.posted(1)
    books.shopify.put(payout("7001", charge(1)))
    books.accounting.down = True

    with pytest.raises(TransientError):
        poll_payouts(books.ctx)

    assert books.state("7001") is None
    books.accounting.down = False
    poll_payouts(books.ctx)
    assert books.state("7001") is PayoutState.BOOKED


def test_the_worker_polls_each_shop_s_payouts_and_queues_the_next_poll(books: Books):
    books.posted(1)
    books.shopify.put(payout("7001", charge(1)))
    worker = Worker("w1", books.store, {}, books.clock, WorkerSettings(), payouts={SHOP: books.ctx})

    worker.schedule_periodic()
    ran = [worker.run_once() for _ in range(3)]

    assert books.state("7001") is PayoutState.BOOKED
    assert any(ran)
    waiting = [job for job in books.store.jobs if job.kind == PollPayouts.kind and job.state == "todo"]
    assert [job.run_at for job in waiting] == [NOW + timedelta(seconds=3600)]


def test_an_order_cancelled_before_it_posted_does_not_hold_its_payout_back(books: Books):
    books.posted(1)
    cancelled = LedgerEntry.received(SHOP, order(2), "#2", NOW).moved_to(OrderState.CANCELLED_UNPOSTED, NOW)
    books.store.save_ledger_entry(cancelled)
    refund = BalanceTransaction("tx-r2", "REFUND", usd("-100.00"), usd("0"), usd("-100.00"), order(2), "#2")
    books.shopify.put(payout("7001", charge(1), charge(2), refund))

    poll_payouts(books.ctx)

    assert books.state("7001") is PayoutState.BOOKED


def test_an_order_parked_after_its_sale_posted_does_not_hold_its_payout_back(books: Books):
    posted = LedgerEntry.received(SHOP, order(1), "#1", NOW).moved_to(OrderState.POSTED, NOW, erp_sale_id="1")
    books.store.save_ledger_entry(posted.moved_to(OrderState.EXCEPTION, NOW, cause=Cause.CHANGED_AFTER_CUT_OFF))
    parked_before = LedgerEntry.received(SHOP, order(2), "#2", NOW).moved_to(
        OrderState.EXCEPTION, NOW, cause=Cause.SKU_NOT_IN_ITEM_MASTER
    )
    books.store.save_ledger_entry(parked_before)
    books.shopify.put(payout("7001", charge(1)))
    books.shopify.put(payout("7002", charge(2)))

    poll_payouts(books.ctx)

    assert books.state("7001") is PayoutState.BOOKED
    assert books.state("7002") is PayoutState.EXCEPTION  # its order never reached the ERP
