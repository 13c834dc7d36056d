"""One contract for reading payouts through the ShopifyPaymentsReader port: the same assertions on
FakeShopifyPayments and on trueup's real client talking HTTP to the Shopify sandbox, where two orders are paid
through Shopify Payments, paid out, and the payout reaches PAID on the sandbox's clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

import httpx
import pytest

from tests.fakes.shopify_payments import FakeShopifyPayments
from tests.support.sandbox import running_sandbox, sandbox_available
from trueup.adapters.shopify.admin import ShopifyAdminClient
from trueup.domain.money import Money
from trueup.domain.payouts import BalanceTransaction, Payout, PayoutStatus
from trueup.service_layer.ports import ShopifyPaymentsReader

AMOUNTS = ("40.00", "25.50")


class Harness(Protocol):
    reader: ShopifyPaymentsReader
    since: date

    def pay_out(self) -> list[str]:
        """Two orders paid through Shopify Payments (AMOUNTS), paid out and PAID; their order gids."""

    def charge(self, amount: str) -> str:
        """An order paid through Shopify Payments, not paid out yet; its gid."""

    def now(self) -> datetime:
        """Shopify's clock."""


class FakeHarness:
    def __init__(self) -> None:
        self.fake = FakeShopifyPayments()
        self.reader = self.fake
        self.since = date(2026, 11, 2)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def pay_out(self) -> list[str]:
        orders = ["gid://shopify/Order/1", "gid://shopify/Order/2"]
        txs = []
        for n, (order, amount) in enumerate(zip(orders, AMOUNTS, strict=True)):
            gross = Money(Decimal(amount), "EUR")
            fee = Money((gross.amount * Decimal("0.015") + Decimal("0.25")).quantize(Decimal("0.01")), "EUR")
            txs.append(
                BalanceTransaction(
                    f"gid://shopify/ShopifyPaymentsBalanceTransaction/{n}",
                    "CHARGE",
                    gross,
                    fee,
                    gross - fee,
                    order,
                    f"#{1001 + n}",
                )
            )
        net = Money(sum((t.net.amount for t in txs), Decimal(0)), "EUR")
        self.fake.put(Payout("1", PayoutStatus.PAID, datetime(2026, 11, 5, tzinfo=UTC), net, tuple(txs)))
        return orders

    def charge(self, amount: str) -> str:
        order = f"gid://shopify/Order/{100 + len(self.fake.pending)}"
        gross = Money(Decimal(amount), "EUR")
        fee = Money((gross.amount * Decimal("0.015") + Decimal("0.25")).quantize(Decimal("0.01")), "EUR")
        tx = BalanceTransaction(
            f"gid://x/{order}", "CHARGE", gross, fee, gross - fee, order, "#1100", processed_at=datetime.now(UTC)
        )
        self.fake.pending.append(tx)
        return order


class SandboxHarness:
    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.client = ShopifyAdminClient(sandbox.shop, sandbox.token, base_url=sandbox.url)
        self.reader = self.client.payments
        self.since = sandbox.now().date()

    def now(self) -> datetime:
        return self.sandbox.now()  # type: ignore[no-any-return]

    def pay_out(self) -> list[str]:
        orders = []
        for amount in AMOUNTS:
            money = {"shopMoney": {"amount": amount, "currencyCode": "EUR"}}
            transaction = {"kind": "SALE", "status": "SUCCESS", "gateway": "shopify_payments", "amountSet": money}
            line = {"title": "Gift", "quantity": 1, "priceSet": money, "requiresShipping": False}
            orders.append(self.sandbox.place_order([], lineItems=[line], transactions=[transaction]))
        self.sandbox.advance(timedelta(days=7).total_seconds())
        ran = httpx.post(f"{self.sandbox.url}/sandbox/payments/payouts/run", json={})
        assert ran.status_code == 200, ran.text
        self.sandbox.advance(timedelta(days=4).total_seconds())  # PAID the next business day
        return orders

    def charge(self, amount: str) -> str:
        money = {"shopMoney": {"amount": amount, "currencyCode": "EUR"}}
        transaction = {"kind": "SALE", "status": "SUCCESS", "gateway": "shopify_payments", "amountSet": money}
        line = {"title": "Gift", "quantity": 1, "priceSet": money, "requiresShipping": False}
        return str(self.sandbox.place_order([], lineItems=[line], transactions=[transaction]))


@pytest.fixture(
    params=["fake", pytest.param("sandbox", marks=pytest.mark.skipif(not sandbox_available(), reason="no sandbox"))]
)
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "fake":
        yield FakeHarness()
        return
    with running_sandbox() as sandbox:
        sandbox_harness = SandboxHarness(sandbox)
        yield sandbox_harness
        sandbox_harness.client.close()


def test_a_paid_payout_reads_with_its_charges_whose_nets_add_up_to_it(harness: Harness) -> None:
    orders = harness.pay_out()

    payouts = [p for p in harness.reader.payouts_issued_since(harness.since) if p.status is PayoutStatus.PAID]

    assert len(payouts) == 1
    payout = harness.reader.with_transactions(payouts[0])
    assert payouts[0].transactions == ()
    assert payout.net.currency == "EUR"
    assert sorted(t.amount.amount for t in payout.transactions) == sorted(Decimal(a) for a in AMOUNTS)
    assert {t.type for t in payout.transactions} == {"CHARGE"}
    assert {t.order_id for t in payout.transactions} == set(orders)
    assert all(t.amount - t.fee == t.net and t.fee.amount > 0 for t in payout.transactions)
    assert sum(t.net.amount for t in payout.transactions) == payout.net.amount


def test_payouts_issued_before_the_date_asked_are_not_read(harness: Harness) -> None:
    harness.pay_out()

    assert list(harness.reader.payouts_issued_since(harness.since + timedelta(days=30))) == []


def test_a_charge_not_paid_out_yet_is_read_with_its_order_and_amount(harness: Harness) -> None:
    order = harness.charge("33.30")

    unpaid = [t for t in harness.reader.unpaid_transactions() if t.order_id == order]

    assert [(t.type, t.amount) for t in unpaid] == [("CHARGE", Money(Decimal("33.30"), "EUR"))]
    assert unpaid[0].amount - unpaid[0].fee == unpaid[0].net
    assert unpaid[0].payout_status == "PENDING"  # in no payout yet
    assert unpaid[0].processed_at is not None
    assert abs(unpaid[0].processed_at - harness.now()) < timedelta(days=1)


def test_charges_paid_out_are_not_unpaid(harness: Harness) -> None:
    orders = harness.pay_out()

    assert [t for t in harness.reader.unpaid_transactions() if t.order_id in orders] == []
