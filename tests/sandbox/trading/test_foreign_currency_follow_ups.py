"""Follow-ups of orders paid in another currency, played against the real sandbox app: the plan's refunds (in
the presentment currency) are accepted and return exactly what the refunded units and shipping cost."""

from __future__ import annotations

from decimal import Decimal

import httpx

from shopify_sandbox.config import SandboxConfig
from shopify_sandbox.trading import generate_shop, generate_trading
from shopify_sandbox.trading.graphql_client import AdminGraphQL
from shopify_sandbox.trading.player import TradePlayer
from tests.sandbox.trading.live_sandbox import TOKEN, live_sandbox

# Trading seed 13 on shop seed 1, 25 orders: order 2 (#1003) is paid in CAD and later fully refunded with its
# shipping, and order 23 (#1024) is paid in GBP and one unit of it is refunded.
SEED, SHOP_SEED, ORDERS = 13, 1, 25
REFUNDS = """query($q: String) { orders(first: 5, query: $q) { nodes { name presentmentCurrencyCode
  displayFinancialStatus totalReceivedSet { shopMoney { amount } presentmentMoney { amount } }
  refunds { totalRefundedSet { shopMoney { amount } presentmentMoney { amount } }
    orderAdjustments(first: 1) { nodes { id } } } } } }"""


def test_the_plans_refunds_of_foreign_currency_orders_are_accepted_and_exact():
    plan = generate_trading(SEED, generate_shop(SHOP_SEED), orders=ORDERS, follow_ups=True)
    planned = {a.order_position: a.refund for a in plan if a.refund is not None}
    orders = {a.order_position: a.order for a in plan if a.order is not None}
    assert orders[2].presentment_currency == "CAD"
    assert planned[2].refund_shipping
    assert orders[23].presentment_currency == "GBP"
    with live_sandbox(SandboxConfig(seed=SHOP_SEED, plan="plus", access_token=TOKEN)) as url:
        client = AdminGraphQL(url, TOKEN)
        player = TradePlayer(client)
        player.load_ids()
        summary = player.play(plan)
        client.close()
        found = httpx.post(
            f"{url}/admin/api/2026-10/graphql.json",
            json={"query": REFUNDS, "variables": {"q": "name:#1003 OR name:#1024"}},
            headers={"X-Shopify-Access-Token": TOKEN},
        ).json()["data"]["orders"]["nodes"]
    assert summary.errors == []
    by_name = {order["name"]: order for order in found}
    for name, position in (("#1003", 2), ("#1024", 23)):
        (refund,) = by_name[name]["refunds"]
        refunded = refund["totalRefundedSet"]
        amount = planned[position].amount
        assert (Decimal(refunded["shopMoney"]["amount"]), Decimal(refunded["presentmentMoney"]["amount"])) == (
            amount.shop,
            amount.presentment,
        )
        assert refund["orderAdjustments"]["nodes"] == []
    fully_refunded = by_name["#1003"]
    assert fully_refunded["displayFinancialStatus"] == "REFUNDED"
    assert fully_refunded["totalReceivedSet"]["presentmentMoney"]["amount"] == "0.00"
    assert fully_refunded["totalReceivedSet"]["shopMoney"]["amount"] == "0.00"
