"""Reading the ledger as a reconciliation does: by payout, status, type, date and currency, sorted and paged as
Shopify pages; every query here valid against Shopify's schema; Shopify's own Python client reading payouts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import shopify
from graphql import parse, validate

from shopify_sandbox.live_server import running_server
from shopify_sandbox.schema import SUPPORTED_VERSIONS, admin_schema
from tests.sandbox.factories import TOKEN
from tests.sandbox.payments import factories
from tests.sandbox.payments.factories import MONDAY, at, buy, payouts, transactions, us_sandbox
from tests.sandbox.test_shopify_python_client import shopify_session_on

DAY = timedelta(days=1)
RECONCILE = """
query Reconcile($payout: String!, $after: String) { shopifyPaymentsAccount {
  balanceTransactions(first: 3, after: $after, query: $payout, hideTransfers: true, sortKey: PROCESSED_AT) {
    edges { cursor node { id type net { amount currencyCode } associatedPayout { id status } } }
    pageInfo { hasNextPage hasPreviousPage endCursor } } } }
"""
SETTINGS = """{ shopifyPaymentsAccount { id activated country defaultCurrency onboardable
  payoutSchedule { interval weeklyAnchor monthlyAnchor }
  bankAccounts(first: 5) { nodes { id currency status accountNumberLastDigits country } } } }"""


@pytest.fixture(scope="module")
def month():
    """Ten business days of trading in two payout currencies with refunds, a dispute and an adjustment."""
    client, _ = us_sandbox(payoutCurrencies=["USD", "CAD"])
    for day in range(10):
        for n in range(3):
            buy(client, f"{10 + day + n}.00", currency="CAD" if n == 2 else "USD")
        if day == 4:
            client.post("/sandbox/payments/adjustments", json={"amount": "-1.00", "reason": "Label"})
        at(client, MONDAY + (day + 1) * DAY)
    buy(client, "5.00")  # still pending
    return client


def test_a_payouts_transactions_come_back_page_by_page_exactly_once(month):
    [payout] = payouts(month, "status:paid currency:USD issued_at:>=2026-11-10 issued_at:<2026-11-11")
    seen, after, pages = [], None, 0
    while True:
        query = f"payments_transfer_id:{payout['legacyResourceId']}"
        answer = month.graphql(RECONCILE, {"payout": query, "after": after})["data"]
        connection = answer["shopifyPaymentsAccount"]["balanceTransactions"]
        seen.extend(edge["node"] for edge in connection["edges"])
        pages += 1
        assert connection["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert pages > 1
    assert len({n["id"] for n in seen}) == len(seen)
    assert {n["associatedPayout"]["id"] for n in seen} == {payout["id"]}
    assert sum(float(n["net"]["amount"]) for n in seen) == pytest.approx(float(payout["net"]["amount"]))


def test_filters_a_reconciliation_uses(month):
    every = transactions(month, hide=False)
    pending = transactions(month, "payout_status:pending")
    assert pending
    assert all(t["associatedPayout"]["status"] == "PENDING" for t in pending)
    charges = transactions(month, "transaction_type:charge currency:CAD")
    assert len(charges) == 10
    assert {t["net"]["currencyCode"] for t in charges} == {"CAD"}
    window = transactions(month, "processed_at:>=2026-11-03 processed_at:<2026-11-04")
    assert {t["transactionDate"][:10] for t in window} == {"2026-11-03"}
    assert len(transactions(month, "transaction_type:transfer", hide=False)) == len(payouts(month))
    assert transactions(month, "transaction_type:transfer") == []
    adjustments = transactions(month, "transaction_type:adjustment")
    assert [t["adjustmentReason"] for t in adjustments] == ["Label"]
    any_status = "payout_status:paid OR payout_status:pending OR payout_status:scheduled"
    assert len(every) == len(transactions(month, any_status, hide=False))


def test_sorting_and_reverse(month):
    by_amount = transactions(month, "transaction_type:charge", sort="AMOUNT", reverse=True)
    amounts = [float(t["amount"]["amount"]) for t in by_amount]
    assert amounts == sorted(amounts, reverse=True)
    newest_first = transactions(month, reverse=True)
    dates = [t["transactionDate"] for t in newest_first]
    assert dates == sorted(dates, reverse=True)


def test_the_account_its_schedule_and_a_bank_account_per_payout_currency(month):
    account = month.graphql(SETTINGS)["data"]["shopifyPaymentsAccount"]
    assert (account["country"], account["defaultCurrency"], account["payoutSchedule"]["interval"]) == (
        "US",
        "USD",
        "DAILY",
    )
    assert [(b["currency"], b["status"]) for b in account["bankAccounts"]["nodes"]] == [
        ("USD", "VERIFIED"),
        ("CAD", "VERIFIED"),
    ]


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_every_query_of_these_tests_is_valid_against_shopifys_schema(version):
    schema = admin_schema(version)
    documents = [factories.ORDER, factories.TRANSACTIONS, factories.PAYOUTS, RECONCILE, SETTINGS]
    from tests.sandbox.payments import test_order_payment_mutations as mutations

    documents += [mutations.CAPTURE, mutations.MARK_PAID, mutations.AUTHORIZATION]
    for document in documents:
        assert validate(schema, parse(document)) == []


def test_shopifys_python_client_reads_payouts_and_their_transactions():
    client, _ = us_sandbox()
    buy(client, "100.00")
    at(client, MONDAY + 3 * DAY)
    with running_server(client.app) as base_url, shopify_session_on(base_url, TOKEN):
        answer = json.loads(shopify.GraphQL().execute(factories.PAYOUTS, variables={"query": "status:paid"}))
        [payout] = answer["data"]["shopifyPaymentsAccount"]["payouts"]["nodes"]
        listed = json.loads(
            shopify.GraphQL().execute(
                factories.TRANSACTIONS,
                variables={"query": f"payments_transfer_id:{payout['legacyResourceId']}", "first": 10},
            )
        )
    nodes = listed["data"]["shopifyPaymentsAccount"]["balanceTransactions"]["nodes"]
    assert payout["net"]["amount"] == "98.25"
    assert [(n["type"], n["net"]["amount"]) for n in nodes] == [("CHARGE", "98.25")]
