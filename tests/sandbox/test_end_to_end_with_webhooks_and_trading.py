"""The sandbox with its neighbours: signed webhooks really delivered, and a trading plan played through HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx

from shopify_sandbox.app import create_app
from shopify_sandbox.config import SandboxConfig
from shopify_sandbox.live_server import running_server
from shopify_sandbox.trading import generate_shop, generate_trading
from shopify_sandbox.trading.graphql_client import AdminGraphQL
from shopify_sandbox.trading.player import TradePlayer
from shopify_sandbox.webhook_wiring import enable_webhook_delivery
from tests.sandbox.factories import SandboxClient, shop_spec


@contextmanager
def webhook_receiver() -> Iterator[tuple[str, list[tuple[str, str, bytes]]]]:
    received: list[tuple[str, str, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["X-Shopify-Topic"], self.headers["X-Shopify-Hmac-Sha256"], body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            return None

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/webhooks", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def wait_for(condition: object, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.02)


def test_an_order_placed_through_the_api_reaches_a_subscriber_signed() -> None:
    config = SandboxConfig(access_token="token", api_secret="secret", shop_spec=shop_spec())
    dispatcher = enable_webhook_delivery(config)
    client = SandboxClient(config)
    with webhook_receiver() as (url, received):
        dispatcher.start()
        try:
            for topic in ("ORDERS_CREATE", "ORDERS_PAID"):
                created = client.graphql(
                    "mutation($t: WebhookSubscriptionTopic!, $u: URL!) { webhookSubscriptionCreate(topic: $t,"
                    " webhookSubscription: {callbackUrl: $u}) { userErrors { message } } }",
                    {"t": topic, "u": url},
                )
                assert created["data"]["webhookSubscriptionCreate"]["userErrors"] == []
            client.graphql(
                "mutation($o: OrderCreateOrderInput!) { orderCreate(order: $o) { order { id } } }",
                {
                    "o": {
                        "lineItems": [{"variantId": client.variant_id("TOTE"), "quantity": 1}],
                        "financialStatus": "PAID",
                    }
                },
            )
            wait_for(lambda: len(received) >= 2)
        finally:
            dispatcher.stop()
    assert sorted(topic for topic, _, _ in received) == ["orders/create", "orders/paid"]
    for _, signature, body in received:
        expected = base64.b64encode(hmac.new(b"secret", body, hashlib.sha256).digest()).decode()
        assert hmac.compare_digest(signature, expected)


def test_a_trading_plan_balances_in_the_sandbox_exactly_as_the_generator_computed_it() -> None:
    shop = generate_shop(11)
    config = SandboxConfig(shop_spec=shop, plan="enterprise")
    app = create_app(config)
    plan = generate_trading(11, shop, orders=80)
    with running_server(app) as url, httpx.Client(timeout=10) as http:
        player = TradePlayer(AdminGraphQL(url, config.access_token, http=http))
        player.load_ids()
        summary = player.play([action for action in plan if action.kind == "order_create"])
    assert summary.orders_failed == 0
    assert summary.orders_placed == 80
    assert summary.mismatched_orders == []
