"""Shopify Payments balance transactions and payouts, read through shopifyPaymentsAccount."""

from __future__ import annotations

from decimal import Decimal

from shopify_sandbox.payments_ledger import close_dispute, open_dispute, record_adjustment
from tests.sandbox.post_purchase.orders import place_order, sandbox

ACCOUNT = """
query($query: String) { shopifyPaymentsAccount {
  balance { amount currencyCode }
  balanceTransactions(first: 50, query: $query) { nodes { type amount { amount } fee { amount } net { amount }
    associatedOrder { id name } associatedPayout { id status } sourceType } }
  payouts(first: 10) { nodes { id status transactionType net { amount }
    summary { chargesGross { amount } chargesFee { amount } refundsFeeGross { amount }
      adjustmentsGross { amount } adjustmentsFee { amount } } } }
} }
"""
REFUND = """mutation($input: RefundInput!) {
  refundCreate(input: $input) @idempotent(key: "k") { userErrors { message } }
}"""


def test_a_paid_order_is_a_charge_with_its_fee_tied_to_the_order_and_pending():
    client, _ = sandbox()
    order = place_order(client, {"SHIRT-S": 1})  # 30.00 paid: fee 1.5% + 0.25 = 0.70
    account = client.graphql(ACCOUNT)["data"]["shopifyPaymentsAccount"]
    charge = account["balanceTransactions"]["nodes"][0]
    assert (charge["type"], charge["amount"]["amount"], charge["fee"]["amount"], charge["net"]["amount"]) == (
        "CHARGE",
        "30.00",
        "0.70",
        "29.30",
    )
    assert charge["associatedOrder"] == {"id": order["id"], "name": order["name"]}
    assert charge["associatedPayout"] == {"id": None, "status": "PENDING"}
    assert account["balance"] == [{"amount": "29.30", "currencyCode": "EUR"}]


def test_orders_paid_by_other_gateways_are_not_in_the_ledger():
    client, _ = sandbox()
    place_order(client, {"SHIRT-S": 1}, gateway="manual")
    assert client.graphql(ACCOUNT)["data"]["shopifyPaymentsAccount"]["balanceTransactions"]["nodes"] == []


def test_a_payout_run_groups_charges_refunds_adjustments_and_disputes_and_balances():
    client, _ = sandbox()
    first = place_order(client, {"SHIRT-S": 1})
    second = place_order(client, {"TOTE": 2})
    refund = {
        "orderId": first["id"],
        "transactions": [{"orderId": first["id"], "amount": "10.00", "gateway": "shopify_payments", "kind": "REFUND"}],
    }
    assert client.graphql(REFUND, {"input": refund})["data"]["refundCreate"]["userErrors"] == []
    record_adjustment(client.state, Decimal("-2.50"), "Shipping label")
    dispute = open_dispute(client.state, client.state.by_gid(second["id"]), Decimal("5.00"))
    close_dispute(client.state, dispute, won=True)
    run = client.post("/sandbox/payouts/run").json()["payout"]
    account = client.graphql(ACCOUNT)["data"]["shopifyPaymentsAccount"]
    transactions = account["balanceTransactions"]["nodes"]
    payout = account["payouts"]["nodes"][0]
    assert sorted(t["type"] for t in transactions) == [
        "ADJUSTMENT",
        "CHARGE",
        "CHARGE",
        "DISPUTE_REVERSAL",
        "DISPUTE_WITHDRAWAL",
        "REFUND",
    ]
    assert payout["net"]["amount"] == run["net"] == str(sum(Decimal(t["net"]["amount"]) for t in transactions))
    assert {t["associatedPayout"]["id"] for t in transactions} == {payout["id"]}
    assert payout["summary"]["refundsFeeGross"]["amount"] == "-10.00"
    assert payout["summary"]["adjustmentsFee"]["amount"] == "15.00"
    assert account["balance"][0]["amount"] == "0.00"


def test_transactions_of_a_payout_can_be_listed_by_its_id():
    client, _ = sandbox()
    place_order(client, {"SHIRT-S": 1})
    client.post("/sandbox/payouts/run")
    place_order(client, {"TOTE": 1})
    payout_id = client.graphql(ACCOUNT)["data"]["shopifyPaymentsAccount"]["payouts"]["nodes"][0]["id"]
    listed = client.graphql(ACCOUNT, {"query": f"payments_transfer_id:{payout_id.rsplit('/', 1)[1]}"})
    nodes = listed["data"]["shopifyPaymentsAccount"]["balanceTransactions"]["nodes"]
    assert [n["amount"]["amount"] for n in nodes] == ["30.00"]


def test_the_next_run_settles_the_previous_payout():
    client, _ = sandbox()
    place_order(client, {"SHIRT-S": 1})
    client.post("/sandbox/payouts/run")
    place_order(client, {"TOTE": 1})
    client.post("/sandbox/payouts/run")
    statuses = [p["status"] for p in client.graphql(ACCOUNT)["data"]["shopifyPaymentsAccount"]["payouts"]["nodes"]]
    assert sorted(statuses) == ["PAID", "SCHEDULED"]


def test_payouts_run_daily_on_the_sandbox_clock():
    client, _ = sandbox()
    client.graphql(ACCOUNT)  # the first request starts the day
    place_order(client, {"SHIRT-S": 1})
    client.config.clock.advance(24 * 3600)
    payouts = client.graphql(ACCOUNT)["data"]["shopifyPaymentsAccount"]["payouts"]["nodes"]
    assert [p["net"]["amount"] for p in payouts] == ["29.30"]
