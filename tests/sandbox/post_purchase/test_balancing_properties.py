"""Property-based: refunds add up to the order to the cent, and every payout is the sum of its transactions."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sandbox.post_purchase.orders import place_order, sandbox

SKUS = ("SHIRT-S", "SHIRT-M", "TOTE", "STICKER")
REFUND = """
mutation($input: RefundInput!, $key: String!) { refundCreate(input: $input) @idempotent(key: $key) {
  userErrors { message }
  refund {
    refundLineItems(first: 10) { nodes { subtotalSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } } } }
    refundShippingLines(first: 5) { nodes {
      subtotalAmountSet { shopMoney { amount } } taxAmountSet { shopMoney { amount } } } } }
  order { currentTotalPriceSet { shopMoney { amount } } totalPriceSet { shopMoney { amount } }
    lineItems(first: 10) { nodes { id currentQuantity } } }
} }
"""
PAYOUTS = """{ shopifyPaymentsAccount { balance { amount }
  balanceTransactions(first: 100, hideTransfers: true) {
    nodes { type amount { amount } net { amount } associatedPayout { id } } }
  payouts(first: 20) { nodes { id net { amount } } } } }"""
quantities = st.dictionaries(st.sampled_from(SKUS), st.integers(1, 4), min_size=1, max_size=4)
rates = st.sampled_from(["0.2", "0.055", "0.07", "0.196"])
shipping_prices = st.sampled_from(["0.00", "4.99", "5.00", "7.33"])
fast = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _amount(bag: dict) -> Decimal:
    return Decimal(bag["shopMoney"]["amount"])


def _value(refund: dict) -> Decimal:
    lines = refund["refundLineItems"]["nodes"]
    shipping = refund["refundShippingLines"]["nodes"]
    return sum((_amount(n["subtotalSet"]) + _amount(n["totalTaxSet"]) for n in lines), Decimal(0)) + sum(
        (_amount(n["subtotalAmountSet"]) + _amount(n["taxAmountSet"]) for n in shipping), Decimal(0)
    )


@fast
@given(quantities, rates, shipping_prices, st.randoms(use_true_random=False))
def test_refunding_an_order_piece_by_piece_adds_up_to_its_total(order_quantities, rate, shipping, random):
    client, _ = sandbox()
    order = place_order(client, order_quantities, shipping=shipping, tax_rate=rate, paid=False)
    total, refunded, step = _amount(order["totalPriceSet"]), Decimal(0), 0
    lines = {n["id"]: n["quantity"] for n in order["lineItems"]["nodes"]}
    shipping_left = True
    while any(lines.values()) or shipping_left:
        step += 1
        chosen = [(line, random.randint(1, left)) for line, left in lines.items() if left and random.random() < 0.6]
        refund_input = {
            "orderId": order["id"],
            "refundLineItems": [{"lineItemId": line, "quantity": n} for line, n in chosen],
        }
        if shipping_left and (random.random() < 0.5 or not any(lines.values())):
            refund_input["shipping"], shipping_left = {"fullRefund": True}, False
        result = client.graphql(REFUND, {"input": refund_input, "key": f"step-{step}"})["data"]["refundCreate"]
        assert result["userErrors"] == []
        refunded += _value(result["refund"])
        for line, n in chosen:
            lines[line] -= n
        assert _amount(result["order"]["currentTotalPriceSet"]) + refunded == total
    assert refunded == total


@fast
@given(st.lists(st.tuples(quantities, st.integers(0, 100), st.booleans()), min_size=1, max_size=4))
def test_every_payout_is_the_sum_of_its_transactions_and_nothing_is_lost(orders):
    client, _ = sandbox()
    for index, (order_quantities, refund_percent, run_after) in enumerate(orders):
        order = place_order(client, order_quantities)
        refund = (_amount(order["totalPriceSet"]) * refund_percent / 100).quantize(Decimal("0.01"))
        if refund:
            transaction = {
                "orderId": order["id"],
                "amount": str(refund),
                "gateway": "shopify_payments",
                "kind": "REFUND",
            }
            client.graphql(
                REFUND, {"input": {"orderId": order["id"], "transactions": [transaction]}, "key": f"r{index}"}
            )
        if run_after:
            client.post("/sandbox/payouts/run")
    account = client.graphql(PAYOUTS)["data"]["shopifyPaymentsAccount"]
    transactions = account["balanceTransactions"]["nodes"]
    for payout in account["payouts"]["nodes"]:
        mine = [Decimal(t["net"]["amount"]) for t in transactions if t["associatedPayout"]["id"] == payout["id"]]
        assert Decimal(payout["net"]["amount"]) == sum(mine, Decimal(0))
    paid_out = sum((Decimal(p["net"]["amount"]) for p in account["payouts"]["nodes"]), Decimal(0))
    every_net = sum((Decimal(t["net"]["amount"]) for t in transactions), Decimal(0))
    assert paid_out + Decimal(account["balance"][0]["amount"]) == every_net
