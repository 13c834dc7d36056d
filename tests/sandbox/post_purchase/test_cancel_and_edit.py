"""orderCancel (an asynchronous job) and order editing through the GraphQL endpoint."""

from __future__ import annotations

from tests.sandbox.post_purchase.orders import levels, place_order, sandbox

CANCEL = """
mutation Cancel($id: ID!, $restock: Boolean!, $refund: Boolean) {
  orderCancel(orderId: $id, reason: CUSTOMER, restock: $restock, refund: $refund, notifyCustomer: false) {
    job { id done } jobResult { id done status } orderCancelUserErrors { field message code }
  }
}
"""
ORDER = """query($id: ID!) { order(id: $id) {
  cancelledAt cancelReason displayFinancialStatus fulfillmentOrders(first: 5) { nodes { status } } } }"""
JOB = "query($id: ID!) { job(id: $id) { id done } }"


def test_order_cancel_returns_a_job_and_cancels_on_the_next_request():
    client, bus = sandbox()
    order = place_order(client, {"SHIRT-S": 2})
    started = client.graphql(CANCEL, {"id": order["id"], "restock": True, "refund": True})["data"]["orderCancel"]
    assert started["job"]["done"] is False
    assert started["jobResult"]["status"] == "STARTED"
    assert "orders/cancelled" not in bus.topics()
    assert client.graphql(JOB, {"id": started["job"]["id"]})["data"]["job"]["done"] is True
    cancelled = client.graphql(ORDER, {"id": order["id"]})["data"]["order"]
    assert cancelled["cancelledAt"] is not None
    assert cancelled["cancelReason"] == "CUSTOMER"
    assert cancelled["displayFinancialStatus"] == "REFUNDED"
    assert {n["status"] for n in cancelled["fulfillmentOrders"]["nodes"]} == {"CLOSED"}
    assert levels(client, "SHIRT-S") == {"available": 10, "committed": 0, "on_hand": 10}
    assert {"orders/cancelled", "orders/updated", "refunds/create"} <= set(bus.topics())


def test_cancelling_without_restock_releases_the_commitment_but_not_to_available():
    client, _ = sandbox()
    order = place_order(client, {"SHIRT-S": 2})
    client.graphql(CANCEL, {"id": order["id"], "restock": False})
    client.post("/sandbox/jobs/run")
    assert levels(client, "SHIRT-S") == {"available": 8, "committed": 0, "on_hand": 8}


def test_cancelling_a_cancelled_order_is_a_user_error():
    client, _ = sandbox()
    order = place_order(client, {"SHIRT-S": 1})
    client.graphql(CANCEL, {"id": order["id"], "restock": True})
    client.post("/sandbox/jobs/run")
    again = client.graphql(CANCEL, {"id": order["id"], "restock": True})["data"]["orderCancel"]
    assert again["job"] is None
    assert again["orderCancelUserErrors"][0]["code"] == "INVALID"


BEGIN = """mutation($id: ID!) { orderEditBegin(id: $id) {
  userErrors { message } calculatedOrder { id lineItems(first: 5) { nodes { id sku quantity } } } } }"""
ADD = """mutation($id: ID!, $variant: ID!) { orderEditAddVariant(id: $id, variantId: $variant, quantity: 2) {
  userErrors { message } calculatedLineItem { sku quantity }
  calculatedOrder { totalPriceSet { shopMoney { amount } } } } }"""
SET = """mutation($id: ID!, $line: ID!, $q: Int!) {
  orderEditSetQuantity(id: $id, lineItemId: $line, quantity: $q, restock: true) {
  userErrors { message } calculatedLineItem { quantity } } }"""
COMMIT = """mutation($id: ID!) { orderEditCommit(id: $id, notifyCustomer: false, staffNote: "swap") {
  userErrors { message } order { edited displayFinancialStatus
  currentTotalPriceSet { shopMoney { amount } } currentSubtotalLineItemsQuantity
  lineItems(first: 5) { nodes { sku quantity currentQuantity } } } } }"""


def test_an_edit_adds_and_removes_lines_and_the_preview_matches_the_committed_order():
    client, bus = sandbox()
    order = place_order(client, {"SHIRT-S": 2})  # 40.00 + 8.00 + 5.00 + 1.00 = 54.00
    begun = client.graphql(BEGIN, {"id": order["id"]})["data"]["orderEditBegin"]
    edit_id = begun["calculatedOrder"]["id"]
    shirt = begun["calculatedOrder"]["lineItems"]["nodes"][0]["id"]
    client.graphql(SET, {"id": edit_id, "line": shirt, "q": 1})
    added = client.graphql(ADD, {"id": edit_id, "variant": client.variant_id("TOTE")})["data"]["orderEditAddVariant"]
    assert added["calculatedLineItem"] == {"sku": "TOTE", "quantity": 2}
    preview = added["calculatedOrder"]["totalPriceSet"]["shopMoney"]["amount"]
    committed = client.graphql(COMMIT, {"id": edit_id})["data"]["orderEditCommit"]["order"]
    assert committed["edited"] is True
    assert committed["displayFinancialStatus"] == "PAID"  # 53.98 is less than the 54.00 received
    assert (
        committed["currentTotalPriceSet"]["shopMoney"]["amount"] == preview == "53.98"
    )  # 20 + 19.98, VAT 4.00 + 4.00, shipping 6.00
    assert committed["currentSubtotalLineItemsQuantity"] == 3
    assert levels(client, "SHIRT-S") == {"available": 9, "committed": 1, "on_hand": 10}
    assert levels(client, "TOTE")["committed"] == 2
    edited = next(payload for topic, payload in bus.published if topic == "orders/edited")["order_edit"]
    assert [d["delta"] for d in edited["line_items"]["removals"]] == [1]
    assert [d["delta"] for d in edited["line_items"]["additions"]] == [2]


def test_an_edit_that_raises_a_paid_total_leaves_the_order_partially_paid():
    client, _ = sandbox()
    order = place_order(client, {"SHIRT-S": 1})
    edit_id = client.graphql(BEGIN, {"id": order["id"]})["data"]["orderEditBegin"]["calculatedOrder"]["id"]
    client.graphql(ADD, {"id": edit_id, "variant": client.variant_id("TOTE")})
    committed = client.graphql(COMMIT, {"id": edit_id})["data"]["orderEditCommit"]["order"]
    assert committed["displayFinancialStatus"] == "PARTIALLY_PAID"
    assert [line["sku"] for line in committed["lineItems"]["nodes"]] == ["SHIRT-S", "TOTE"]


def test_a_committed_edit_session_cannot_be_committed_again():
    client, _ = sandbox()
    order = place_order(client, {"SHIRT-S": 1})
    edit_id = client.graphql(BEGIN, {"id": order["id"]})["data"]["orderEditBegin"]["calculatedOrder"]["id"]
    client.graphql(COMMIT, {"id": edit_id})
    assert client.graphql(COMMIT, {"id": edit_id})["data"]["orderEditCommit"]["userErrors"]


DISCOUNT = """mutation($id: ID!, $line: ID!) {
  orderEditAddLineItemDiscount(id: $id, lineItemId: $line, discount: {percentValue: 10.0, description: "Goodwill"}) {
    userErrors { message }
    addedDiscountStagedChange { description value { ... on PricingPercentageValue { percentage } } }
    calculatedLineItem { editableSubtotalSet { shopMoney { amount } } hasStagedLineItemDiscount } } }"""


def test_a_discount_on_an_added_line_lowers_its_price_and_its_tax():
    client, bus = sandbox()
    order = place_order(client, {"SHIRT-S": 1})  # 30.00
    edit_id = client.graphql(BEGIN, {"id": order["id"]})["data"]["orderEditBegin"]["calculatedOrder"]["id"]
    added = client.graphql(ADD, {"id": edit_id, "variant": client.variant_id("SHIRT-M")})["data"]["orderEditAddVariant"]
    line = client.state.get("CalculatedOrder", int(edit_id.rsplit("/", 1)[1])).additions[0].number
    discounted = client.graphql(DISCOUNT, {"id": edit_id, "line": f"gid://shopify/CalculatedLineItem/{line}"})
    result = discounted["data"]["orderEditAddLineItemDiscount"]
    assert result["addedDiscountStagedChange"] == {"description": "Goodwill", "value": {"percentage": 10.0}}
    assert result["calculatedLineItem"]["editableSubtotalSet"]["shopMoney"]["amount"] == "36.00"  # 2 × 20.00 − 10%
    assert added["calculatedLineItem"]["quantity"] == 2
    committed = client.graphql(COMMIT, {"id": edit_id})["data"]["orderEditCommit"]["order"]
    assert committed["currentTotalPriceSet"]["shopMoney"]["amount"] == "73.20"  # 30.00 + 36.00 + 7.20 VAT
    edited = next(payload for topic, payload in bus.published if topic == "orders/edited")["order_edit"]
    assert edited["discounts"]["line_item"]["additions"][0]["amount"] == "4.00"


def test_only_lines_added_by_the_edit_can_be_discounted():
    client, _ = sandbox()
    order = place_order(client, {"SHIRT-S": 1})
    begun = client.graphql(BEGIN, {"id": order["id"]})["data"]["orderEditBegin"]["calculatedOrder"]
    existing = begun["lineItems"]["nodes"][0]["id"]
    refused = client.graphql(DISCOUNT, {"id": begun["id"], "line": existing})["data"]["orderEditAddLineItemDiscount"]
    assert refused["userErrors"][0]["message"].startswith("Discounts can only be applied")
