"""refundCreate and orderCancel on an order paid in another currency than the shop's (a EUR shop, paid in USD at
1.10): refunds are asked for in the presentment currency, and their shop amounts derive from it to the cent."""

from __future__ import annotations

from typing import Any

from tests.sandbox.factories import SandboxClient, money
from tests.sandbox.post_purchase.orders import sandbox

PLACE = """
mutation Place($order: OrderCreateOrderInput!) {
  orderCreate(order: $order) {
    userErrors { field message }
    order { id totalPriceSet { shopMoney { amount } presentmentMoney { amount currencyCode } }
      transactions { id kind amountSet { shopMoney { amount } presentmentMoney { amount } } }
      lineItems(first: 5) { nodes { id sku quantity } } }
  }
}
"""
BAG = "{ shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }"
REFUND = """
mutation Refund($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    userErrors { field message }
    refund { totalRefundedSet MONEYBAG
      transactions(first: 5) { nodes { kind amountSet MONEYBAG } }
      orderAdjustments(first: 5) { nodes { amountSet MONEYBAG } }
      refundLineItems(first: 5) { nodes { subtotalSet MONEYBAG totalTaxSet MONEYBAG } } }
    order { displayFinancialStatus totalRefundedSet MONEYBAG totalReceivedSet MONEYBAG }
  }
}
""".replace("MONEYBAG", BAG)
CANCEL = """
mutation Cancel($id: ID!) {
  orderCancel(orderId: $id, reason: CUSTOMER, restock: true, refund: true, notifyCustomer: false) {
    orderCancelUserErrors { field message }
  }
}
"""
ORDER = """query($id: ID!) { order(id: $id) { cancelledAt displayFinancialStatus totalRefundedSet MONEYBAG
  refunds { totalRefundedSet MONEYBAG orderAdjustments(first: 5) { nodes { id } }
    transactions(first: 5) { nodes { amountSet MONEYBAG } } } } }""".replace("MONEYBAG", BAG)


def _bag(node: dict[str, Any]) -> tuple[str, str]:
    return node["shopMoney"]["amount"], node["presentmentMoney"]["amount"]


def place_usd_order(client: SandboxClient) -> dict[str, Any]:
    """Two shirts (20.00 EUR, 22.00 USD) and a tote (9.99 EUR, 10.99 USD), 5.00 EUR shipping, 20% VAT, paid."""
    order = {
        "currency": "EUR",
        "presentmentCurrency": "USD",
        "financialStatus": "PAID",
        "lineItems": [
            {"variantId": client.variant_id("SHIRT-S"), "quantity": 2},
            {"variantId": client.variant_id("TOTE"), "quantity": 1},
        ],
        "taxLines": [{"title": "VAT", "rate": "0.2"}],
        "shippingLines": [
            {"title": "Standard", "priceSet": money("5.00"), "taxLines": [{"title": "VAT", "rate": "0.2"}]}
        ],
    }
    result = client.graphql(PLACE, {"order": order})["data"]["orderCreate"]
    assert result["userErrors"] == []
    return result["order"]  # type: ignore[no-any-return]


def _refund(client: SandboxClient, order: dict[str, Any], key: str, amount: str, **fields: Any) -> dict[str, Any]:
    refund_input = {
        "orderId": order["id"],
        "currency": "USD",
        "transactions": [
            {
                "orderId": order["id"],
                "parentId": order["transactions"][0]["id"],
                "amount": amount,
                "gateway": "manual",
                "kind": "REFUND",
            }
        ],
    } | fields
    return client.graphql(REFUND, {"input": refund_input, "key": key})["data"]["refundCreate"]  # type: ignore[no-any-return]


def _lines(order: dict[str, Any], **quantities: int) -> list[dict[str, Any]]:
    ids = {n["sku"]: n["id"] for n in order["lineItems"]["nodes"]}
    return [{"lineItemId": ids[sku.replace("_", "-")], "quantity": n} for sku, n in quantities.items()]


def test_refunding_everything_with_shipping_returns_exactly_what_was_paid_in_both_currencies():
    client, bus = sandbox()
    order = place_usd_order(client)
    assert _bag(order["totalPriceSet"]) == ("65.99", "72.59")
    # 72.59 USD is more than the 65.99 received in EUR: the amount is USD, the order's presentment currency.
    result = _refund(
        client, order, "all", "72.59", refundLineItems=_lines(order, SHIRT_S=2, TOTE=1), shipping={"fullRefund": True}
    )
    assert result["userErrors"] == []
    refund = result["refund"]
    assert _bag(refund["totalRefundedSet"]) == ("65.99", "72.59")
    assert refund["totalRefundedSet"]["presentmentMoney"]["currencyCode"] == "USD"
    assert [_bag(t["amountSet"]) for t in refund["transactions"]["nodes"]] == [("65.99", "72.59")]
    assert refund["orderAdjustments"]["nodes"] == []
    assert result["order"]["displayFinancialStatus"] == "REFUNDED"
    assert _bag(result["order"]["totalReceivedSet"]) == ("0.00", "0.00")
    rest = next(payload for topic, payload in bus.published if topic == "refunds/create")
    assert [(t["amount"], t["currency"]) for t in rest["transactions"]] == [("72.59", "USD")]


def test_a_refund_of_units_for_their_presentment_value_returns_their_shop_value_without_adjustment():
    client, _ = sandbox()
    order = place_usd_order(client)
    # One shirt: 22.00 USD and 4.40 USD of VAT, worth 20.00 + 4.00 EUR.
    result = _refund(client, order, "shirt", "26.40", refundLineItems=_lines(order, SHIRT_S=1))
    assert result["userErrors"] == []
    assert _bag(result["refund"]["totalRefundedSet"]) == ("24.00", "26.40")
    assert result["refund"]["orderAdjustments"]["nodes"] == []
    assert result["order"]["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
    rest = _refund(
        client, order, "rest", "46.19", refundLineItems=_lines(order, SHIRT_S=1, TOTE=1), shipping={"fullRefund": True}
    )
    assert rest["userErrors"] == []
    assert _bag(rest["order"]["totalRefundedSet"]) == ("65.99", "72.59")
    assert rest["order"]["displayFinancialStatus"] == "REFUNDED"


def test_a_refund_that_differs_from_the_calculated_value_is_converted_at_the_orders_rate():
    client, _ = sandbox()
    order = place_usd_order(client)
    result = _refund(client, order, "goodwill", "11.00")
    assert result["userErrors"] == []
    assert _bag(result["refund"]["totalRefundedSet"]) == ("10.00", "11.00")
    assert [_bag(a["amountSet"]) for a in result["refund"]["orderAdjustments"]["nodes"]] == [("10.00", "11.00")]


def test_more_than_was_received_in_the_presentment_currency_is_refused():
    client, bus = sandbox()
    order = place_usd_order(client)
    result = _refund(client, order, "greedy", "72.60")
    assert result["refund"] is None
    assert result["userErrors"] == [
        {"field": ["transactions"], "message": "Refund amount (72.60) exceeds the refundable amount (72.59)."}
    ]
    assert "refunds/create" not in bus.topics()


def test_the_refund_currency_must_be_the_presentment_currency_and_is_required_for_a_foreign_order():
    client, _ = sandbox()
    order = place_usd_order(client)
    for key, currency in (("missing", None), ("shop", "EUR")):
        refund_input = {"orderId": order["id"], "refundLineItems": _lines(order, TOTE=1)}
        if currency:
            refund_input["currency"] = currency
        errors = client.graphql(REFUND, {"input": refund_input, "key": key})["data"]["refundCreate"]["userErrors"]
        assert [e["field"] for e in errors] == [["currency"]]


def test_cancelling_a_foreign_order_with_a_refund_returns_exactly_what_was_paid():
    client, bus = sandbox()
    order = place_usd_order(client)
    _refund(client, order, "shirt", "26.40", refundLineItems=_lines(order, SHIRT_S=1))
    assert client.graphql(CANCEL, {"id": order["id"]})["data"]["orderCancel"]["orderCancelUserErrors"] == []
    client.post("/sandbox/jobs/run")
    cancelled = client.graphql(ORDER, {"id": order["id"]})["data"]["order"]
    assert cancelled["cancelledAt"] is not None
    assert cancelled["displayFinancialStatus"] == "REFUNDED"
    assert _bag(cancelled["totalRefundedSet"]) == ("65.99", "72.59")
    last = cancelled["refunds"][-1]
    assert _bag(last["totalRefundedSet"]) == ("41.99", "46.19")
    assert last["orderAdjustments"]["nodes"] == []
    rest = [payload for topic, payload in bus.published if topic == "refunds/create"][-1]
    assert [(t["amount"], t["currency"]) for t in rest["transactions"]] == [("46.19", "USD")]


SPLIT = """query($id: ID!) { order(id: $id) { displayFinancialStatus
  transactions { kind gateway amountSet MONEYBAG } } }""".replace("MONEYBAG", BAG)


def test_cancelling_an_order_paid_twice_returns_each_payment_as_it_was_paid():
    client, _ = sandbox()
    order = {
        "currency": "EUR",
        "presentmentCurrency": "USD",
        "lineItems": [{"variantId": client.variant_id("SHIRT-S"), "quantity": 3}],
        "transactions": [
            {"kind": "SALE", "gateway": "gift_card", "amountSet": money("9.00") | _usd("10.00")},
            {"kind": "SALE", "gateway": "shopify_payments", "amountSet": money("51.00") | _usd("56.00")},
        ],
    }
    placed = client.graphql(PLACE, {"order": order})["data"]["orderCreate"]["order"]
    client.graphql(CANCEL, {"id": placed["id"]})
    client.post("/sandbox/jobs/run")
    cancelled = client.graphql(SPLIT, {"id": placed["id"]})["data"]["order"]
    assert cancelled["displayFinancialStatus"] == "REFUNDED"
    refunds = {t["gateway"]: _bag(t["amountSet"]) for t in cancelled["transactions"] if t["kind"] == "REFUND"}
    assert refunds == {"gift_card": ("9.00", "10.00"), "shopify_payments": ("51.00", "56.00")}


def _usd(amount: str) -> dict[str, Any]:
    return {"presentmentMoney": {"amount": amount, "currencyCode": "USD"}}


def test_a_shipping_amount_is_in_the_presentment_currency_too():
    client, _ = sandbox()
    order = place_usd_order(client)  # shipping 5.00 EUR (5.50 USD) with 1.00 EUR (1.10 USD) of VAT
    result = _refund(client, order, "half-shipping", "3.30", shipping={"amount": "2.75"})
    assert result["userErrors"] == []
    assert _bag(result["refund"]["totalRefundedSet"]) == ("3.00", "3.30")
    assert result["refund"]["orderAdjustments"]["nodes"] == []
    too_much = _refund(client, order, "too-much-shipping", "3.30", shipping={"amount": "2.76"})
    assert [e["field"] for e in too_much["userErrors"]] == [["shipping", "amount"]]
