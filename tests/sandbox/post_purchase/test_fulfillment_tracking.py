"""fulfillmentTrackingInfoUpdate through the GraphQL endpoint: the tracking replaced, nothing else."""

from __future__ import annotations

from tests.sandbox.post_purchase.orders import place_order, sandbox
from tests.sandbox.post_purchase.test_fulfillment import _ship

UPDATE = """
mutation Track($id: ID!, $tracking: FulfillmentTrackingInput!, $notify: Boolean) {
  fulfillmentTrackingInfoUpdate(fulfillmentId: $id, trackingInfoInput: $tracking, notifyCustomer: $notify) {
    userErrors { field message }
    fulfillment { id totalQuantity trackingInfo { company number url } order { displayFulfillmentStatus } }
  }
}
"""


def test_the_tracking_is_replaced_and_announced_and_the_fulfilment_is_unchanged():
    client, bus = sandbox()
    order = place_order(client, {"SHIRT-S": 2})
    shipped = _ship(client, order["fulfillmentOrders"]["nodes"][0], tracking={"number": "OLD-1"})
    fulfillment_id = shipped["fulfillment"]["id"]
    tracking = {"company": "DHL Express", "number": "JD0002", "url": "https://track.example/JD0002"}
    result = client.graphql(UPDATE, {"id": fulfillment_id, "tracking": tracking, "notify": True})["data"]
    updated = result["fulfillmentTrackingInfoUpdate"]
    assert updated["userErrors"] == []
    assert updated["fulfillment"] == {
        "id": fulfillment_id,
        "totalQuantity": 2,
        "trackingInfo": [tracking],
        "order": {"displayFulfillmentStatus": "FULFILLED"},
    }
    assert "fulfillments/update" in bus.topics()


def test_several_numbers_give_one_tracking_info_each():
    client, _ = sandbox()
    order = place_order(client, {"SHIRT-S": 1})
    fulfillment_id = _ship(client, order["fulfillmentOrders"]["nodes"][0])["fulfillment"]["id"]
    tracking = {"company": "UPS", "numbers": ["1Z1", "1Z2"], "urls": ["https://u.example/1", "https://u.example/2"]}
    updated = client.graphql(UPDATE, {"id": fulfillment_id, "tracking": tracking})["data"]
    assert [t["number"] for t in updated["fulfillmentTrackingInfoUpdate"]["fulfillment"]["trackingInfo"]] == [
        "1Z1",
        "1Z2",
    ]


def test_an_unknown_fulfilment_is_a_user_error():
    client, bus = sandbox()
    result = client.graphql(UPDATE, {"id": "gid://shopify/Fulfillment/424242", "tracking": {"number": "X"}})["data"]
    assert result["fulfillmentTrackingInfoUpdate"]["fulfillment"] is None
    assert result["fulfillmentTrackingInfoUpdate"]["userErrors"][0]["field"] == ["fulfillmentId"]
    assert "fulfillments/update" not in bus.topics()
