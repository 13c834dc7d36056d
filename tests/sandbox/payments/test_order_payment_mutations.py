"""orderCapture and orderMarkAsPaid, the failed-capture knob, and gateways other than Shopify Payments."""

from __future__ import annotations

from tests.sandbox.payments.factories import buy, transactions, us_sandbox

CAPTURE = """mutation($input: OrderCaptureInput!) { orderCapture(input: $input) {
  userErrors { field message }
  transaction { id kind status errorCode gateway amountSet { shopMoney { amount } presentmentMoney { amount } }
    parentTransaction { id } order { displayFinancialStatus } } } }"""
MARK_PAID = """mutation($input: OrderMarkAsPaidInput!) { orderMarkAsPaid(input: $input) {
  userErrors { field message }
  order { displayFinancialStatus totalOutstandingSet { shopMoney { amount } }
    transactions { kind status gateway amountSet { shopMoney { amount } } } } } }"""
AUTHORIZATION = """query($id: ID!) { order(id: $id) { transactions {
  id kind status manuallyCapturable totalUnsettledSet { presentmentMoney { amount } } } } }"""


def _capture(client, order, amount, currency=None):
    parent = order["transactions"][0]["id"]
    payload = {"id": order["id"], "parentTransactionId": parent, "amount": amount}
    if currency:
        payload["currency"] = currency
    return client.graphql(CAPTURE, {"input": payload})["data"]["orderCapture"]


def test_capturing_an_authorization_in_full_pays_the_order_and_becomes_a_charge():
    client, bus = us_sandbox()
    order = buy(client, "100.00", kind="AUTHORIZATION")
    assert transactions(client) == []
    captured = _capture(client, order, "100.00")
    assert captured["userErrors"] == []
    transaction = captured["transaction"]
    assert (transaction["kind"], transaction["status"], transaction["gateway"]) == (
        "CAPTURE",
        "SUCCESS",
        "shopify_payments",
    )
    assert transaction["parentTransaction"]["id"] == order["transactions"][0]["id"]
    assert transaction["order"]["displayFinancialStatus"] == "PAID"
    assert "orders/paid" in bus.topics()
    [charge] = transactions(client)
    assert (charge["type"], charge["amount"]["amount"], charge["sourceOrderTransactionId"]) == (
        "CHARGE",
        "100.00",
        transaction["id"].rsplit("/", 1)[1],
    )


def test_a_partial_capture_leaves_the_rest_capturable_and_the_order_partially_paid():
    client, _ = us_sandbox()
    order = buy(client, "100.00", kind="AUTHORIZATION")
    assert _capture(client, order, "60.00")["transaction"]["order"]["displayFinancialStatus"] == "PARTIALLY_PAID"
    read = client.graphql(AUTHORIZATION, {"id": order["id"]})["data"]["order"]["transactions"][0]
    assert (read["manuallyCapturable"], read["totalUnsettledSet"]["presentmentMoney"]["amount"]) == (True, "40.00")
    over = _capture(client, order, "40.01")
    assert over["transaction"] is None
    assert over["userErrors"][0]["field"] == ["amount"]


def test_a_capture_in_the_customers_currency_must_name_it():
    client, _ = us_sandbox()
    order = buy(client, "92.00", currency="EUR", kind="AUTHORIZATION")
    assert _capture(client, order, "92.00")["userErrors"][0]["field"] == ["currency"]
    assert _capture(client, order, "92.00", currency="USD")["userErrors"][0]["field"] == ["currency"]
    done = _capture(client, order, "92.00", currency="EUR")["transaction"]
    assert (done["amountSet"]["shopMoney"]["amount"], done["amountSet"]["presentmentMoney"]["amount"]) == (
        "100.00",
        "92.00",
    )


def test_the_failed_capture_knob_records_a_declined_capture_and_no_money_moves():
    client, bus = us_sandbox(captureFailureRate=1.0, captureFailureCode="AUTHORIZATION_EXPIRED")
    order = buy(client, "100.00", kind="AUTHORIZATION")
    captured = _capture(client, order, "100.00")
    assert (captured["transaction"]["status"], captured["transaction"]["errorCode"]) == (
        "FAILURE",
        "AUTHORIZATION_EXPIRED",
    )
    assert captured["userErrors"][0]["message"] == "The capture failed: AUTHORIZATION_EXPIRED"
    assert captured["transaction"]["order"]["displayFinancialStatus"] == "AUTHORIZED"
    assert transactions(client) == []
    assert "orders/paid" not in bus.topics()
    client.post("/sandbox/payments/settings", json={"captureFailureRate": 0})
    assert _capture(client, order, "100.00")["transaction"]["status"] == "SUCCESS"


def test_unknown_orders_and_transactions_are_user_errors():
    client, _ = us_sandbox()
    order = buy(client, "10.00", kind="AUTHORIZATION")
    missing = {"id": "gid://shopify/Order/1", "parentTransactionId": order["transactions"][0]["id"], "amount": "1"}
    assert client.graphql(CAPTURE, {"input": missing})["data"]["orderCapture"]["userErrors"][0]["field"] == ["id"]
    paid = buy(client, "10.00")
    sale = {"id": paid["id"], "parentTransactionId": paid["transactions"][0]["id"], "amount": "1"}
    errors = client.graphql(CAPTURE, {"input": sale})["data"]["orderCapture"]["userErrors"]
    assert errors[0]["field"] == ["parentTransactionId"]


def test_a_b2b_order_on_payment_terms_is_marked_as_paid_later_outside_shopify_payments():
    client, bus = us_sandbox()
    order = buy(client, "500.00", company=True)
    marked = client.graphql(MARK_PAID, {"input": {"id": order["id"]}})["data"]["orderMarkAsPaid"]
    assert marked["userErrors"] == []
    assert marked["order"]["displayFinancialStatus"] == "PAID"
    assert marked["order"]["totalOutstandingSet"]["shopMoney"]["amount"] == "0.00"
    assert [
        (t["kind"], t["gateway"], t["amountSet"]["shopMoney"]["amount"]) for t in marked["order"]["transactions"]
    ] == [("SALE", "manual", "500.00")]
    assert "orders/paid" in bus.topics()
    assert transactions(client) == []
    again = client.graphql(MARK_PAID, {"input": {"id": order["id"]}})["data"]["orderMarkAsPaid"]
    assert again["userErrors"][0]["field"] == ["id"]


def test_marking_an_authorized_order_as_paid_captures_it():
    client, _ = us_sandbox()
    order = buy(client, "100.00", kind="AUTHORIZATION")
    marked = client.graphql(MARK_PAID, {"input": {"id": order["id"]}})["data"]["orderMarkAsPaid"]
    assert [t["kind"] for t in marked["order"]["transactions"]] == ["AUTHORIZATION", "CAPTURE"]
    assert [t["type"] for t in transactions(client)] == ["CHARGE"]


def test_paypal_gift_cards_and_manual_payments_make_no_shopify_payments_transactions():
    client, _ = us_sandbox()
    buy(client, "30.00", gateway="paypal")
    buy(client, "30.00", gateway="manual")
    buy(client, "30.00", gateway="gift_card")
    buy(client, "50.00", payments=[("gift_card", "20.00"), ("shopify_payments", "30.00")])
    assert [(t["type"], t["amount"]["amount"]) for t in transactions(client)] == [("CHARGE", "30.00")]
