"""Each app's deliveries are signed with its own secret (Shopify signs with the app's client secret)."""

from __future__ import annotations

from shopify_sandbox.app import create_app
from shopify_sandbox.oauth import SandboxApp
from shopify_sandbox.webhook_wiring import enable_webhook_delivery
from shopify_sandbox.webhooks import sign
from tests.sandbox.factories import sandbox_config
from tests.sandbox.webhooks.webhook_factories import SECRET, make_rig, order_payload

APP = SandboxApp("own-app", "own-app-secret", frozenset({"read_orders"}))


def test_an_apps_subscription_is_signed_with_the_apps_secret_the_static_apps_with_the_api_secret() -> None:
    rig = make_rig()
    rig.dispatcher.app_secrets = {APP.client_id: APP.client_secret}
    rig.registry.create("ORDERS_CREATE", "https://static.example/hooks")
    rig.registry.create("ORDERS_CREATE", "https://own.example/hooks", app=APP.client_id)
    with rig.dispatcher:
        rig.dispatcher.publish("orders/create", order_payload())
        assert rig.dispatcher.wait_idle()
    signatures = {r.url: r.headers["X-Shopify-Hmac-Sha256"] for r in rig.transport.sent}
    body = rig.transport.sent[0].body
    assert signatures == {
        "https://static.example/hooks": sign(body, SECRET),
        "https://own.example/hooks": sign(body, APP.client_secret),
    }


def test_a_sandbox_with_delivery_knows_its_apps_secrets() -> None:
    config = sandbox_config(apps=(APP,))
    dispatcher = enable_webhook_delivery(config)
    create_app(config)
    assert dispatcher.app_secrets == {APP.client_id: APP.client_secret}
