"""Delivery over real HTTP to a receiver on 127.0.0.1."""

import json

from shopify_sandbox.webhooks import HttpTransport, sign
from tests.sandbox.webhooks.webhook_factories import SECRET, Receiver, make_rig, order_payload


def test_a_webhook_reaches_a_real_receiver_signed():
    with Receiver() as receiver:
        rig = make_rig(transport=HttpTransport())
        rig.registry.create("ORDERS_CREATE", receiver.url("ok"))
        with rig.dispatcher:
            rig.dispatcher.publish("orders/create", order_payload())
            assert rig.dispatcher.wait_idle()
    [request] = receiver.received
    assert json.loads(request.body) == order_payload()
    assert request.headers["x-shopify-hmac-sha256"] == sign(request.body, SECRET)
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-shopify-topic"] == "orders/create"
    [attempt] = rig.dispatcher.log()[0]["attempts"]
    assert attempt["status_code"] == 200
    assert 0 < attempt["seconds"] < 5, "how long the receiver took to answer, timed by the sender"


def test_a_non_2xx_answer_is_a_failure_to_retry():
    with Receiver() as receiver:
        rig = make_rig(transport=HttpTransport())
        rig.registry.create("ORDERS_CREATE", receiver.url("fail"))
        with rig.dispatcher:
            rig.dispatcher.publish("orders/create", order_payload())
            assert rig.dispatcher.wait_idle()
    [entry] = rig.dispatcher.log()
    assert entry["status"] == "retrying"
    assert entry["attempts"][0]["status_code"] == 500


def test_an_answer_slower_than_the_timeout_is_a_failure():
    with Receiver(slow_seconds=1.5) as receiver:
        rig = make_rig(transport=HttpTransport(timeout=0.2, connect_timeout=0.2))
        rig.registry.create("ORDERS_CREATE", receiver.url("slow"))
        with rig.dispatcher:
            rig.dispatcher.publish("orders/create", order_payload())
            assert rig.dispatcher.wait_idle()
    [entry] = rig.dispatcher.log()
    assert entry["status"] == "retrying"
    assert entry["attempts"][0]["status_code"] is None
    assert entry["attempts"][0]["error"].startswith("timeout")
    assert len(receiver.received) == 1  # it did arrive; the answer came too late


def test_an_unreachable_endpoint_is_a_failure():
    with Receiver() as receiver:
        closed_url = receiver.url("ok")
    rig = make_rig(transport=HttpTransport(timeout=0.5, connect_timeout=0.5))
    rig.registry.create("ORDERS_CREATE", closed_url)
    with rig.dispatcher:
        rig.dispatcher.publish("orders/create", order_payload())
        assert rig.dispatcher.wait_idle()
    [entry] = rig.dispatcher.log()
    assert entry["status"] == "retrying"
    assert entry["attempts"][0]["status_code"] is None
