"""refundCreate: money as Shopify computes it, restock, statuses, webhooks and @idempotent(key:)."""

from __future__ import annotations

from decimal import Decimal

from tests.sandbox.post_purchase.orders import levels, place_order, sandbox

REFUND = """
mutation Refund($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    userErrors { field message }
    refund { id totalRefundedSet { shopMoney { amount } }
      refundLineItems(first: 5) { nodes { quantity restockType restocked
        subtotalSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } } } }
      refundShippingLines(first: 5) { nodes {
        subtotalAmountSet { shopMoney { amount } } taxAmountSet { shopMoney { amount } } } } }
    order { displayFinancialStatus totalRefundedSet { shopMoney { amount } }
      currentTotalPriceSet { shopMoney { amount } }
      refunds { id } lineItems(first: 5) { nodes { sku currentQuantity refundableQuantity } } }
  }
}
"""


def _refund(client, order, lines, key, amount=None, shipping=None):
    refund_input = {"orderId": order["id"], "refundLineItems": lines}
    if shipping is not None:
        refund_input["shipping"] = shipping
    if amount is not None:
        refund_input["transactions"] = [
            {"orderId": order["id"], "amount": amount, "gateway": "shopify_payments", "kind": "REFUND"}
        ]
    return client.graphql(REFUND, {"input": refund_input, "key": key})


def _line(order, sku):
    return next(n["id"] for n in order["lineItems"]["nodes"] if n["sku"] == sku)


def test_a_partial_refund_returns_the_line_value_with_its_tax_and_restocks_unshipped_units():
    client, bus = sandbox()
    order = place_order(client, {"SHIRT-S": 3})  # 60.00 + 12.00 VAT + 5.00 shipping + 1.00 VAT = 78.00
    answer = _refund(
        client, order, [{"lineItemId": _line(order, "SHIRT-S"), "quantity": 1, "restockType": "CANCEL"}], "r-1", "24.00"
    )
    result = answer["data"]["refundCreate"]
    assert result["userErrors"] == []
    refunded_line = result["refund"]["refundLineItems"]["nodes"][0]
    assert (
        refunded_line["subtotalSet"]["shopMoney"]["amount"],
        refunded_line["totalTaxSet"]["shopMoney"]["amount"],
    ) == ("20.00", "4.00")
    assert refunded_line["restocked"] is True
    assert result["order"]["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
    assert result["order"]["currentTotalPriceSet"]["shopMoney"]["amount"] == "54.00"
    assert result["order"]["lineItems"]["nodes"][0]["currentQuantity"] == 2
    assert levels(client, "SHIRT-S") == {"available": 8, "committed": 2, "on_hand": 10}
    rest = next(payload for topic, payload in bus.published if topic == "refunds/create")
    assert rest["refund_line_items"][0]["restock_type"] == "cancel"
    assert rest["transactions"][0]["amount"] == "24.00"
    updated = [payload for topic, payload in bus.published if topic == "orders/updated"][-1]
    assert updated["current_total_price"] == "54.00"
    assert [r["id"] for r in updated["refunds"]] == [rest["id"]]


def test_refunding_everything_with_shipping_makes_the_order_refunded():
    client, _ = sandbox()
    order = place_order(client, {"SHIRT-S": 2, "TOTE": 1})
    lines = [
        {"lineItemId": _line(order, "SHIRT-S"), "quantity": 2, "restockType": "NO_RESTOCK"},
        {"lineItemId": _line(order, "TOTE"), "quantity": 1, "restockType": "NO_RESTOCK"},
    ]
    total = order["totalPriceSet"]["shopMoney"]["amount"]
    result = _refund(client, order, lines, "all", total, {"fullRefund": True})["data"]["refundCreate"]
    assert result["userErrors"] == []
    assert result["refund"]["refundShippingLines"]["nodes"][0]["subtotalAmountSet"]["shopMoney"]["amount"] == "5.00"
    assert result["order"]["displayFinancialStatus"] == "REFUNDED"
    assert result["order"]["currentTotalPriceSet"]["shopMoney"]["amount"] == "0.00"
    assert levels(client, "SHIRT-S") == {"available": 8, "committed": 0, "on_hand": 8}


def test_the_same_idempotency_key_returns_the_same_refund_and_refunds_nothing_twice():
    client, bus = sandbox()
    order = place_order(client, {"SHIRT-S": 2})
    lines = [{"lineItemId": _line(order, "SHIRT-S"), "quantity": 1, "restockType": "CANCEL"}]
    first = _refund(client, order, lines, "same", "10.00")["data"]["refundCreate"]
    second = _refund(client, order, lines, "same", "10.00")["data"]["refundCreate"]
    assert second["refund"]["id"] == first["refund"]["id"]
    assert len(second["order"]["refunds"]) == 1
    assert second["order"]["totalRefundedSet"]["shopMoney"]["amount"] == "10.00"
    assert bus.topics().count("refunds/create") == 1
    assert levels(client, "SHIRT-S")["available"] == 9


def test_refundcreate_without_an_idempotency_key_is_an_error():
    client, _ = sandbox()
    order = place_order(client, {"SHIRT-S": 1})
    query = "mutation($input: RefundInput!) { refundCreate(input: $input) { refund { id } } }"
    answer = client.graphql(query, {"input": {"orderId": order["id"]}})
    assert "idempotent" in answer["errors"][0]["message"]


def test_more_units_than_refundable_is_a_user_error_and_nothing_moves():
    client, bus = sandbox()
    order = place_order(client, {"SHIRT-S": 1})
    result = _refund(client, order, [{"lineItemId": _line(order, "SHIRT-S"), "quantity": 2}], "too-many", "1.00")[
        "data"
    ]["refundCreate"]
    assert result["refund"] is None
    assert result["userErrors"]
    assert "refunds/create" not in bus.topics()


def test_refunding_more_money_than_was_received_is_refused():
    client, _ = sandbox()
    order = place_order(client, {"SHIRT-S": 1})
    result = _refund(client, order, [], "greedy", str(Decimal(order["totalPriceSet"]["shopMoney"]["amount"]) + 1))
    assert result["data"]["refundCreate"]["userErrors"][0]["field"] == ["transactions"]


def test_returning_shipped_units_puts_them_back_on_the_shelf():
    client, _ = sandbox()
    order = place_order(client, {"SHIRT-S": 2})
    fulfillment_order = order["fulfillmentOrders"]["nodes"][0]
    ship = "mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) { userErrors { message } } }"
    client.graphql(ship, {"f": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fulfillment_order["id"]}]}})
    assert levels(client, "SHIRT-S") == {"available": 8, "committed": 0, "on_hand": 8}
    _refund(
        client, order, [{"lineItemId": _line(order, "SHIRT-S"), "quantity": 1, "restockType": "RETURN"}], "ret", "24.00"
    )
    assert levels(client, "SHIRT-S") == {"available": 9, "committed": 0, "on_hand": 9}
