import json

import pytest

from shopify_sandbox.webhooks import UnknownTopic, sign
from tests.sandbox.webhooks.webhook_factories import SECRET, SHOP, make_rig, order_payload


def test_every_subscriber_gets_the_event_with_one_event_id_and_its_own_webhook_id():
    rig = make_rig()
    rig.registry.create("ORDERS_CREATE", "https://a.example/hooks")
    rig.registry.create("ORDERS_CREATE", "https://b.example/hooks")
    rig.registry.create("ORDERS_UPDATED", "https://c.example/hooks")
    with rig.dispatcher:
        rig.dispatcher.publish("orders/create", order_payload())
        assert rig.dispatcher.wait_idle()
    sent = sorted(rig.transport.sent, key=lambda r: r.url)
    assert [r.url for r in sent] == ["https://a.example/hooks", "https://b.example/hooks"]
    assert sent[0].headers["X-Shopify-Event-Id"] == sent[1].headers["X-Shopify-Event-Id"]
    assert sent[0].headers["X-Shopify-Webhook-Id"] != sent[1].headers["X-Shopify-Webhook-Id"]
    for request in sent:
        assert json.loads(request.body) == order_payload()
        assert request.headers["X-Shopify-Hmac-Sha256"] == sign(request.body, SECRET)
        assert request.headers["X-Shopify-Topic"] == "orders/create"
        assert request.headers["X-Shopify-Shop-Domain"] == SHOP
        assert request.headers["X-Shopify-API-Version"] == "2026-10"
        assert request.headers["X-Shopify-Triggered-At"].startswith("2026-11-27T09:00:00")


def test_publish_returns_before_anything_is_sent():
    rig = make_rig()
    rig.registry.create("REFUNDS_CREATE", "https://a.example/hooks")
    rig.dispatcher.publish("refunds/create", {"id": 5})  # the worker is not even running
    assert rig.transport.sent == []
    assert rig.dispatcher.log()[0]["status"] == "scheduled"
    with rig.dispatcher:
        assert rig.dispatcher.wait_idle()
    assert rig.dispatcher.log()[0]["status"] == "delivered"


def test_two_events_get_two_event_ids():
    rig = make_rig()
    rig.registry.create("ORDERS_CREATE", "https://a.example/hooks")
    with rig.dispatcher:
        rig.dispatcher.publish("orders/create", order_payload(1))
        rig.dispatcher.publish("orders/create", order_payload(2))
        assert rig.dispatcher.wait_idle()
    assert len({r.headers["X-Shopify-Event-Id"] for r in rig.transport.sent}) == 2


def test_an_event_without_subscribers_is_not_logged():
    rig = make_rig()
    rig.dispatcher.publish("orders/create", order_payload())
    assert rig.dispatcher.log() == []


def test_a_topic_shopify_does_not_have_is_refused_loudly():
    rig = make_rig()
    with pytest.raises(UnknownTopic):
        rig.dispatcher.publish("orders/exploded", order_payload())


def test_privacy_topics_go_to_the_app_configured_endpoint():
    rig = make_rig()
    rig.registry.configure_app_endpoint("customers/redact", "https://app.example/privacy")
    with rig.dispatcher:
        rig.dispatcher.publish("customers/redact", {"shop_id": 1, "shop_domain": SHOP})
        assert rig.dispatcher.wait_idle()
    [request] = rig.transport.sent
    assert request.url == "https://app.example/privacy"
    assert request.headers["X-Shopify-Topic"] == "customers/redact"
    assert rig.dispatcher.log()[0]["subscription_id"] is None


def test_the_log_can_be_filtered_and_summarised():
    rig = make_rig()
    rig.registry.create("ORDERS_CREATE", "https://a.example/hooks")
    rig.registry.create("ORDERS_PAID", "https://a.example/hooks")
    with rig.dispatcher:
        rig.dispatcher.publish("orders/create", order_payload())
        rig.dispatcher.publish("orders/paid", order_payload())
        assert rig.dispatcher.wait_idle()
    assert [e["topic"] for e in rig.dispatcher.log(topic="orders/paid")] == ["orders/paid"]
    assert rig.dispatcher.summary() == {"delivered": 2}


def test_concurrency_is_limited():
    import threading

    from shopify_sandbox.webhooks import SendResult
    from shopify_sandbox.webhooks.transport import RecordingTransport

    lock = threading.Lock()
    active = {"now": 0, "max": 0}
    release = threading.Event()

    def slow(_url):
        with lock:
            active["now"] += 1
            active["max"] = max(active["max"], active["now"])
        release.wait(0.05)
        with lock:
            active["now"] -= 1
        return SendResult(200)

    rig = make_rig(transport=RecordingTransport(slow), concurrency=2)
    rig.registry.create("ORDERS_CREATE", "https://a.example/hooks")
    with rig.dispatcher:
        for n in range(8):
            rig.dispatcher.publish("orders/create", order_payload(n))
        assert rig.dispatcher.wait_idle()
    assert active["max"] <= 2
    assert rig.dispatcher.summary() == {"delivered": 8}


def test_stop_is_clean_and_start_again_resumes():
    rig = make_rig()
    rig.registry.create("ORDERS_CREATE", "https://a.example/hooks")
    rig.dispatcher.start()
    rig.dispatcher.stop()
    rig.dispatcher.publish("orders/create", order_payload())
    assert rig.dispatcher.summary() == {"scheduled": 1}
    rig.dispatcher.start()
    assert rig.dispatcher.wait_idle()
    rig.dispatcher.stop()
    assert rig.dispatcher.summary() == {"delivered": 1}


def test_the_delivery_log_is_served_over_http():
    import asyncio

    import httpx
    from starlette.applications import Starlette

    from shopify_sandbox.webhooks import delivery_routes

    rig = make_rig(answer=500)
    rig.registry.create("ORDERS_CREATE", "https://a.example/hooks")
    rig.registry.create("ORDERS_PAID", "https://a.example/hooks")
    with rig.dispatcher:
        rig.dispatcher.publish("orders/create", order_payload())
        rig.dispatcher.publish("orders/paid", order_payload())
        assert rig.dispatcher.wait_idle()
    app = Starlette(routes=delivery_routes(rig.dispatcher))

    async def get(path: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as client:
            return await client.get(path)

    body = asyncio.run(get("/sandbox/webhooks/deliveries?topic=orders/paid")).json()
    assert [d["topic"] for d in body["deliveries"]] == ["orders/paid"]
    assert body["deliveries"][0]["attempts"][0]["status_code"] == 500
    assert body["summary"] == {"retrying": 2}
    assert body["pending"] == 2


def test_the_route_provider_serves_the_log_only_for_a_dispatcher_bus():
    from types import SimpleNamespace

    from shopify_sandbox.events import NullBus
    from shopify_sandbox.webhooks.inspection import sandbox_routes

    rig = make_rig()
    [route] = sandbox_routes(SimpleNamespace(config=SimpleNamespace(bus=rig.dispatcher)))
    assert route.path == "/sandbox/webhooks/deliveries"
    assert sandbox_routes(SimpleNamespace(config=SimpleNamespace(bus=NullBus()))) == []
