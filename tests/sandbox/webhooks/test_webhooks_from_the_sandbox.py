"""The real sandbox app publishing through the dispatcher to a real receiver: subscribe over GraphQL,
place orders, get signed orders/create webhooks carrying those orders."""

import json

from shopify_sandbox.clock import SystemClock
from shopify_sandbox.config import SandboxConfig
from shopify_sandbox.trading import generate_shop, generate_trading
from shopify_sandbox.trading.graphql_client import AdminGraphQL
from shopify_sandbox.trading.player import TradePlayer
from shopify_sandbox.webhooks import HttpTransport, InMemorySubscriptionRegistry, WebhookDispatcher, sign
from tests.sandbox.trading.live_sandbox import TOKEN, live_sandbox
from tests.sandbox.webhooks.webhook_factories import SECRET, Receiver

SUBSCRIBE = """mutation Subscribe($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri: $uri}) {
    webhookSubscription { id } userErrors { message } } }"""


def test_orders_placed_through_the_api_arrive_as_signed_webhooks():
    clock = SystemClock()
    registry = InMemorySubscriptionRegistry(clock)
    dispatcher = WebhookDispatcher(
        registry, api_secret=SECRET, shop_domain="x.myshopify.com", clock=clock, transport=HttpTransport()
    )
    config = SandboxConfig(
        seed=2, plan="plus", access_token=TOKEN, api_secret=SECRET, bus=dispatcher, registry=registry
    )
    with Receiver() as receiver, dispatcher, live_sandbox(config) as url:
        client = AdminGraphQL(url, TOKEN)
        answer = client.execute(SUBSCRIBE, {"topic": "ORDERS_CREATE", "uri": receiver.url("ok")})
        assert answer["data"]["webhookSubscriptionCreate"]["userErrors"] == []
        player = TradePlayer(client)
        player.load_ids()
        plan = [a for a in generate_trading(2, generate_shop(2), orders=5) if a.kind == "order_create"]
        summary = player.play(plan)
        client.close()
        assert dispatcher.wait_idle(10)
    assert summary.orders_placed == 5
    bodies = [json.loads(r.body) for r in receiver.received]
    assert [r.headers["x-shopify-topic"] for r in receiver.received] == ["orders/create"] * 5
    assert all(r.headers["x-shopify-hmac-sha256"] == sign(r.body, SECRET) for r in receiver.received)
    assert sorted(b["admin_graphql_api_id"] for b in bodies) == sorted(o.id for o in player.placed_orders())
    assert dispatcher.summary() == {"delivered": 5}
