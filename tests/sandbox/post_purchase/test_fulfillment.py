"""fulfillmentCreate and fulfillment holds through the GraphQL endpoint."""

from __future__ import annotations

from tests.sandbox.post_purchase.orders import levels, place_order, sandbox

FULFILL = """
mutation Ship($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    userErrors { field message }
    fulfillment { id name status totalQuantity trackingInfo { company number url }
      fulfillmentLineItems(first: 10) { nodes { quantity lineItem { sku } } }
      order { displayFulfillmentStatus
        fulfillmentOrders(first: 5) { nodes { status lineItems(first: 5) { nodes { sku remainingQuantity } } } } } }
  }
}
"""
HOLD = """
mutation Hold($id: ID!, $hold: FulfillmentOrderHoldInput!) {
  fulfillmentOrderHold(id: $id, fulfillmentHold: $hold) {
    userErrors { field message code }
    fulfillmentHold { id reason reasonNotes displayReason }
    fulfillmentOrder { status }
    remainingFulfillmentOrder { status lineItems(first: 5) { nodes { sku totalQuantity } } }
  }
}
"""
RELEASE = """
mutation Release($id: ID!) {
  fulfillmentOrderReleaseHold(id: $id) { userErrors { message } fulfillmentOrder { status } }
}
"""


def _ship(client, fulfillment_order, lines=None, tracking=None):
    group = {"fulfillmentOrderId": fulfillment_order["id"]}
    if lines is not None:
        group["fulfillmentOrderLineItems"] = lines
    body = {"lineItemsByFulfillmentOrder": [group], "notifyCustomer": True}
    if tracking:
        body["trackingInfo"] = tracking
    return client.graphql(FULFILL, {"fulfillment": body})["data"]["fulfillmentCreate"]


def test_a_partial_fulfilment_leaves_the_fulfillment_order_in_progress_with_what_remains():
    client, bus = sandbox()
    order = place_order(client, {"SHIRT-S": 3})
    fulfillment_order = order["fulfillmentOrders"]["nodes"][0]
    line = fulfillment_order["lineItems"]["nodes"][0]
    tracking = {"company": "DHL Express", "number": "JD0001", "url": "https://track.example/JD0001"}
    shipped = _ship(client, fulfillment_order, [{"id": line["id"], "quantity": 2}], tracking)
    assert shipped["userErrors"] == []
    assert shipped["fulfillment"]["totalQuantity"] == 2
    assert shipped["fulfillment"]["trackingInfo"] == [tracking]
    after = shipped["fulfillment"]["order"]
    assert after["displayFulfillmentStatus"] == "PARTIALLY_FULFILLED"
    assert after["fulfillmentOrders"]["nodes"][0] == {
        "status": "IN_PROGRESS",
        "lineItems": {"nodes": [{"sku": "SHIRT-S", "remainingQuantity": 1}]},
    }
    assert levels(client, "SHIRT-S") == {"available": 7, "committed": 1, "on_hand": 8}
    assert {"fulfillments/create", "orders/partially_fulfilled", "orders/updated"} <= set(bus.topics())


def test_fulfilling_the_rest_closes_the_fulfillment_order_and_fulfils_the_order():
    client, bus = sandbox()
    order = place_order(client, {"SHIRT-S": 3})
    fulfillment_order = order["fulfillmentOrders"]["nodes"][0]
    line = fulfillment_order["lineItems"]["nodes"][0]
    _ship(client, fulfillment_order, [{"id": line["id"], "quantity": 1}])
    shipped = _ship(client, fulfillment_order)
    assert shipped["fulfillment"]["totalQuantity"] == 2
    assert shipped["fulfillment"]["order"]["displayFulfillmentStatus"] == "FULFILLED"
    assert shipped["fulfillment"]["order"]["fulfillmentOrders"]["nodes"][0]["status"] == "CLOSED"
    assert "orders/fulfilled" in bus.topics()
    rest = next(payload for topic, payload in bus.published if topic == "fulfillments/create")
    assert rest["line_items"][0]["sku"] == "SHIRT-S"


def test_more_than_what_remains_is_refused_and_changes_nothing():
    client, _ = sandbox()
    order = place_order(client, {"SHIRT-S": 1})
    fulfillment_order = order["fulfillmentOrders"]["nodes"][0]
    line = fulfillment_order["lineItems"]["nodes"][0]
    shipped = _ship(client, fulfillment_order, [{"id": line["id"], "quantity": 2}])
    assert shipped["fulfillment"] is None
    assert shipped["userErrors"][0]["message"] == "Invalid fulfillment order line item quantity requested."
    assert levels(client, "SHIRT-S")["committed"] == 1


def test_a_held_fulfillment_order_cannot_be_fulfilled_until_released():
    client, bus = sandbox()
    fulfillment_order = place_order(client, {"SHIRT-S": 1})["fulfillmentOrders"]["nodes"][0]
    held = client.graphql(
        HOLD, {"id": fulfillment_order["id"], "hold": {"reason": "INCORRECT_ADDRESS", "reasonNotes": "check"}}
    )
    result = held["data"]["fulfillmentOrderHold"]
    assert result["fulfillmentOrder"]["status"] == "ON_HOLD"
    assert result["fulfillmentHold"]["reason"] == "INCORRECT_ADDRESS"
    refused = _ship(client, fulfillment_order)
    assert "unfulfillable status= on_hold" in refused["userErrors"][0]["message"]
    released = client.graphql(RELEASE, {"id": fulfillment_order["id"]})["data"]["fulfillmentOrderReleaseHold"]
    assert released["fulfillmentOrder"]["status"] == "OPEN"
    assert _ship(client, fulfillment_order)["userErrors"] == []
    assert {"fulfillment_orders/placed_on_hold", "fulfillment_orders/hold_released"} <= set(bus.topics())


def test_holding_some_line_items_splits_off_the_rest():
    client, _ = sandbox()
    fulfillment_order = place_order(client, {"SHIRT-S": 2, "SHIRT-M": 1})["fulfillmentOrders"]["nodes"][0]
    shirt = next(n for n in fulfillment_order["lineItems"]["nodes"] if n["sku"] == "SHIRT-S")
    hold = {"reason": "OTHER", "fulfillmentOrderLineItems": [{"id": shirt["id"], "quantity": 1}]}
    result = client.graphql(HOLD, {"id": fulfillment_order["id"], "hold": hold})["data"]["fulfillmentOrderHold"]
    remaining = result["remainingFulfillmentOrder"]
    assert result["fulfillmentOrder"]["status"] == "ON_HOLD"
    assert remaining["status"] == "OPEN"
    assert sorted((n["sku"], n["totalQuantity"]) for n in remaining["lineItems"]["nodes"]) == [
        ("SHIRT-M", 1),
        ("SHIRT-S", 1),
    ]


def test_a_second_hold_with_the_same_handle_is_a_user_error():
    client, _ = sandbox()
    fulfillment_order = place_order(client, {"SHIRT-S": 1})["fulfillmentOrders"]["nodes"][0]
    client.graphql(HOLD, {"id": fulfillment_order["id"], "hold": {"reason": "OTHER", "handle": "erp"}})
    again = client.graphql(HOLD, {"id": fulfillment_order["id"], "hold": {"reason": "OTHER", "handle": "erp"}})
    assert again["data"]["fulfillmentOrderHold"]["userErrors"][0]["code"] == "DUPLICATE_FULFILLMENT_HOLD_HANDLE"
