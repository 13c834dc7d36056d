"""`trade --days`: a month on the sandbox's manual clock with payout runs along it and the payments mix a
month-end close must account for; reproducible from its seed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from typer.testing import CliRunner

from shopify_sandbox.clock import ManualClock
from shopify_sandbox.config import SandboxConfig
from shopify_sandbox.trading import generate_shop
from shopify_sandbox.trading.month import generate_month
from tests.sandbox.trading.live_sandbox import TOKEN, live_sandbox
from tests.sandbox.trading.test_trade_against_sandbox import trade_cli

SEED = 5
ACCOUNT = """{ shopifyPaymentsAccount {
  payouts(first: 100) { nodes { id legacyResourceId status net { amount currencyCode }
    summary { retriedPayoutsGross { amount } reservedFundsGross { amount } } } }
  disputes(first: 10) { nodes { status order { name } } } } }"""
TRANSACTIONS = """query($after: String) { shopifyPaymentsAccount {
  balanceTransactions(first: 100, after: $after, hideTransfers: true) {
    pageInfo { hasNextPage endCursor }
    nodes { type net { amount currencyCode } associatedOrder { name } associatedPayout { id } } } } }"""
ORDER = """query($q: String) { orders(first: 1, query: $q) {
  nodes { name displayFinancialStatus transactions { kind gateway } } } }"""


def _graphql(url, query, variables=None):
    response = httpx.post(
        f"{url}/admin/api/2026-10/graphql.json",
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": TOKEN},
        timeout=30,
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def _every_transaction(url):
    nodes, after = [], None
    while True:
        connection = _graphql(url, TRANSACTIONS, {"after": after})["shopifyPaymentsAccount"]["balanceTransactions"]
        nodes += connection["nodes"]
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


@pytest.fixture(scope="module")
def month():
    config = SandboxConfig(
        seed=SEED, plan="plus", access_token=TOKEN, clock=ManualClock(datetime(2026, 11, 2, 8, tzinfo=UTC))
    )
    with live_sandbox(config) as url:
        result = CliRunner().invoke(
            trade_cli(), ["trade", "--url", url, "--access-token", TOKEN, "--days", "30", "--seed", str(SEED), "--json"]
        )
        assert result.exit_code == 0, result.output
        account = _graphql(url, ACCOUNT)["shopifyPaymentsAccount"]
        yield json.loads(result.stdout), account, _every_transaction(url), url


def test_a_month_places_its_orders_with_the_whole_payments_mix(month):
    summary, _, _, _ = month
    assert summary["orders_placed"] >= 300
    assert summary["orders_failed"] == 0
    assert summary["follow_ups_done"] > 50
    assert summary["cases"]["gift_card"] >= 3
    assert summary["cases"]["paypal"] == 1
    assert summary["cases"]["b2b_paid_later"] == summary["marked_paid"] >= 1
    assert summary["captures"]["succeeded"] >= 1
    assert (summary["started"], summary["ended"]) == ("2026-11-02T08:00:00+00:00", "2026-12-02T08:00:00+00:00")
    events = " | ".join(summary["shop_events"])
    for happened in ("payout currencies USD, CAD", "won", "lost", "reserve of 250.00", "failed"):
        assert happened in events


def test_the_months_payouts_balance_in_two_currencies_with_a_failed_one_retried(month):
    _, account, transactions, _ = month
    payouts = account["payouts"]["nodes"]
    assert {p["net"]["currencyCode"] for p in payouts} == {"USD", "CAD"}
    assert [p["status"] for p in payouts].count("FAILED") == 1
    for payout in payouts:
        mine = [Decimal(t["net"]["amount"]) for t in transactions if t["associatedPayout"]["id"] == payout["id"]]
        assert sum(mine, Decimal(0)) == Decimal(payout["net"]["amount"])
    assert any(Decimal(p["summary"]["retriedPayoutsGross"]["amount"]) for p in payouts)
    reserves = [t for t in transactions if t["type"].startswith("RESERVED_FUNDS")]
    assert sorted(t["net"]["amount"] for t in reserves) == ["-250.00", "250.00"]
    assert all(t["associatedPayout"]["id"] for t in reserves)
    assert sorted(d["status"] for d in account["disputes"]["nodes"]) == ["LOST", "WON"]


def test_other_gateways_and_payments_on_terms_make_no_shopify_payments_money(month):
    summary, _, transactions, url = month
    plan = generate_month(SEED, generate_shop(SEED), days=30)
    charged = {t["associatedOrder"]["name"] for t in transactions if t["associatedOrder"]}

    def order(position):
        [found] = _graphql(url, ORDER, {"q": f"name:#{1001 + position}"})["orders"]["nodes"]
        return found

    [paypal] = [order(p) for p in plan.cases["paypal"]]
    assert [t["gateway"] for t in paypal["transactions"]] == ["paypal"]
    assert paypal["name"] not in charged
    whole_gift_card = order(plan.cases["gift_card"][0])
    assert [t["gateway"] for t in whole_gift_card["transactions"]] == ["gift_card"]
    assert whole_gift_card["name"] not in charged
    split = order(plan.cases["gift_card"][1])
    assert sorted(t["gateway"] for t in split["transactions"]) == ["gift_card", "shopify_payments"]
    assert split["name"] in charged
    for position in plan.cases["b2b_paid_later"]:
        paid_later = order(position)
        assert paid_later["displayFinancialStatus"] == "PAID"
        assert [(t["kind"], t["gateway"]) for t in paid_later["transactions"]] == [("SALE", "manual")]
        assert paid_later["name"] not in charged
    assert summary["marked_paid"] == len(plan.cases["b2b_paid_later"])


def test_a_month_is_the_same_plan_for_the_same_seed():
    shop = generate_shop(SEED)
    first, second = generate_month(SEED, shop, days=30), generate_month(SEED, shop, days=30)
    assert first.cases == second.cases
    assert [(a.at_seconds, a.kind, a.operations) for a in first.actions] == [
        (a.at_seconds, a.kind, a.operations) for a in second.actions
    ]
    assert first.events == second.events
    assert first.orders == 360


def test_too_short_a_month_is_refused():
    with pytest.raises(ValueError, match="at least 7 days"):
        generate_month(SEED, generate_shop(SEED), days=3)
