"""orderUpdate and the webhook subscription API (against the registry port)."""

from __future__ import annotations

from shopify_sandbox.subscriptions import InMemorySubscriptionRegistry
from tests.sandbox.factories import ORDER_CREATE, RecordingBus, SandboxClient, sandbox_config

UPDATE = """mutation($input: OrderInput!) { orderUpdate(input: $input) {
  userErrors { field message } order { note email poNumber updatedAt shippingAddress { address1 city zip } } } }"""


def test_an_address_change_is_applied_and_announced() -> None:
    bus = RecordingBus()
    client = SandboxClient(sandbox_config(bus=bus))
    order_id = client.graphql(
        ORDER_CREATE,
        {
            "order": {
                "lineItems": [{"variantId": client.variant_id("TOTE"), "quantity": 1}],
                "shippingAddress": {"address1": "1 Old St", "city": "Paris", "zip": "75001", "countryCode": "FR"},
            }
        },
    )["data"]["orderCreate"]["order"]["id"]
    client.config.clock.advance(30)
    answer = client.graphql(
        UPDATE,
        {
            "input": {
                "id": order_id,
                "shippingAddress": {"address1": "2 New St"},
                "note": "ring twice",
                "poNumber": "PO-1",
            }
        },
    )
    order = answer["data"]["orderUpdate"]["order"]
    assert order["shippingAddress"] == {"address1": "2 New St", "city": "Paris", "zip": "75001"}
    assert (order["note"], order["poNumber"]) == ("ring twice", "PO-1")
    topic, payload = bus.published[-1]
    assert topic == "orders/updated"
    assert payload["shipping_address"]["address1"] == "2 New St"
    assert payload["updated_at"] > payload["created_at"]


def test_updating_an_unknown_order_is_a_user_error() -> None:
    answer = SandboxClient().graphql(UPDATE, {"input": {"id": "gid://shopify/Order/1", "note": "x"}})
    assert answer["data"]["orderUpdate"] == {
        "userErrors": [{"field": ["id"], "message": "Order does not exist"}],
        "order": None,
    }


def test_subscriptions_are_created_listed_and_deleted_through_the_registry() -> None:
    registry = InMemorySubscriptionRegistry()
    client = SandboxClient(sandbox_config(registry=registry))
    created = client.graphql("""mutation { webhookSubscriptionCreate(topic: ORDERS_CREATE,
        webhookSubscription: {callbackUrl: "http://127.0.0.1:8999/webhooks", format: JSON}) {
        userErrors { message } webhookSubscription { id topic uri format } } }""")["data"]["webhookSubscriptionCreate"]
    assert created["userErrors"] == []
    assert [(s.topic, s.callback_url) for s in registry.list()] == [("ORDERS_CREATE", "http://127.0.0.1:8999/webhooks")]
    listed = client.graphql("{ webhookSubscriptions(first: 10, topics: [ORDERS_CREATE]) { nodes { id uri } } }")
    assert listed["data"]["webhookSubscriptions"]["nodes"] == [
        {"id": created["webhookSubscription"]["id"], "uri": "http://127.0.0.1:8999/webhooks"}
    ]
    deleted = client.graphql(
        "mutation($id: ID!) { webhookSubscriptionDelete(id: $id) {"
        " deletedWebhookSubscriptionId userErrors { message } } }",
        {"id": created["webhookSubscription"]["id"]},
    )
    assert (
        deleted["data"]["webhookSubscriptionDelete"]["deletedWebhookSubscriptionId"]
        == created["webhookSubscription"]["id"]
    )
    assert registry.list() == []


def test_a_subscription_without_a_valid_address_is_refused() -> None:
    answer = SandboxClient().graphql("""mutation { webhookSubscriptionCreate(topic: ORDERS_PAID,
        webhookSubscription: {callbackUrl: "not-a-url"}) {
        userErrors { field message } webhookSubscription { id } } }""")
    assert answer["data"]["webhookSubscriptionCreate"]["userErrors"][0]["message"] == "Address is invalid"
