import itertools

import pytest

from shopify_sandbox.webhooks import SendResult, retry_delays
from shopify_sandbox.webhooks.transport import RecordingTransport
from tests.sandbox.webhooks.webhook_factories import make_rig, order_payload


def test_eight_retries_spread_over_four_hours_with_exponential_backoff():
    delays = retry_delays()
    assert len(delays) == 8
    assert sum(delays) == pytest.approx(4 * 3600)
    assert all(later == pytest.approx(2 * earlier) for earlier, later in itertools.pairwise(delays))
    assert 50 < delays[0] < 70


def test_a_failing_endpoint_is_tried_nine_times_on_the_schedule_then_given_up():
    rig = make_rig(answer=500)
    rig.registry.create("ORDERS_CREATE", "https://app.example/webhooks")
    with rig.dispatcher:
        rig.dispatcher.publish("orders/create", order_payload())
        assert rig.dispatcher.wait_idle()
        for delay in retry_delays():
            assert len(rig.transport.sent) == len(rig.dispatcher.log()[0]["attempts"])
            rig.clock.advance(delay * 0.99)  # not yet due
            assert rig.dispatcher.wait_idle()
            attempts_before = len(rig.transport.sent)
            rig.clock.advance(delay * 0.01 + 0.001)
            assert rig.dispatcher.wait_idle()
            assert len(rig.transport.sent) == attempts_before + 1

    [entry] = rig.dispatcher.log()
    assert entry["status"] == "failed"
    assert [a["number"] for a in entry["attempts"]] == list(range(1, 10))
    assert {a["status_code"] for a in entry["attempts"]} == {500}
    assert entry["next_attempt_at"] is None
    assert len(rig.transport.sent) == 9


def test_a_retry_keeps_its_webhook_id_body_and_signature():
    rig = make_rig(answer=503)
    rig.registry.create("ORDERS_CREATE", "https://app.example/webhooks")
    with rig.dispatcher:
        rig.dispatcher.publish("orders/create", order_payload())
        assert rig.dispatcher.wait_idle()
        rig.clock.advance(retry_delays()[0] + 1)
        assert rig.dispatcher.wait_idle()
    first, retry = rig.transport.sent
    assert first.body == retry.body
    assert first.headers == retry.headers


def test_a_delivery_that_succeeds_on_a_retry_stops_retrying():
    answers = iter([SendResult(None, "timeout"), SendResult(502), SendResult(200)])
    rig = make_rig(transport=RecordingTransport(lambda _url: next(answers)))
    rig.registry.create("ORDERS_PAID", "https://app.example/webhooks")
    with rig.dispatcher:
        rig.dispatcher.publish("orders/paid", order_payload())
        for delay in retry_delays()[:3]:
            assert rig.dispatcher.wait_idle()
            rig.clock.advance(delay)
        assert rig.dispatcher.wait_idle()
    [entry] = rig.dispatcher.log()
    assert entry["status"] == "delivered"
    assert [a["status_code"] for a in entry["attempts"]] == [None, 502, 200]
    assert entry["attempts"][0]["error"] == "timeout"
    assert rig.dispatcher.pending() == 0


def test_an_api_subscription_whose_webhook_failed_every_retry_is_removed():
    rig = make_rig(answer=500)
    failing = rig.registry.create("ORDERS_CREATE", "https://app.example/broken")
    with rig.dispatcher:
        rig.dispatcher.publish("orders/create", order_payload())
        for delay in retry_delays():
            assert rig.dispatcher.wait_idle()
            rig.clock.advance(delay)
        assert rig.dispatcher.wait_idle()
    assert rig.registry.get(failing.id) is None


def test_subscriptions_can_be_kept_after_failures_when_asked():
    rig = make_rig(answer=500, delays=(1.0,), remove_failing_subscriptions=False)
    kept = rig.registry.create("ORDERS_CREATE", "https://app.example/broken")
    with rig.dispatcher:
        rig.dispatcher.publish("orders/create", order_payload())
        assert rig.dispatcher.wait_idle()
        rig.clock.advance(1.0)
        assert rig.dispatcher.wait_idle()
    assert rig.dispatcher.log()[0]["status"] == "failed"
    assert rig.registry.get(kept.id) == kept


def test_four_hours_of_retries_pass_quickly_on_a_scaled_clock():
    import time
    from datetime import datetime

    from shopify_sandbox.clock import ScaledClock
    from shopify_sandbox.webhooks import InMemorySubscriptionRegistry, WebhookDispatcher

    clock = ScaledClock(factor=50_000)
    registry = InMemorySubscriptionRegistry(clock)
    registry.create("ORDERS_CREATE", "https://a.example/hooks")
    transport = RecordingTransport(lambda _url: SendResult(500))
    dispatcher = WebhookDispatcher(
        registry, api_secret="s", shop_domain="x.myshopify.com", clock=clock, transport=transport
    )
    with dispatcher:
        dispatcher.publish("orders/create", order_payload())
        deadline = time.monotonic() + 30
        while dispatcher.summary() != {"failed": 1} and time.monotonic() < deadline:
            time.sleep(0.01)
    [entry] = dispatcher.log()
    assert entry["status"] == "failed"
    times = [datetime.fromisoformat(a["at"]) for a in entry["attempts"]]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
    assert len(gaps) == 8
    assert all(gap >= delay for gap, delay in zip(gaps, retry_delays(), strict=True))
    assert (times[-1] - times[0]).total_seconds() >= 4 * 3600 - 1
