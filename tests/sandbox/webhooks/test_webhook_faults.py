"""Each webhook fault knob does what it says, at rate 1, at rate 0, and at a seeded rate."""

import json
import random

import pytest

from shopify_sandbox.faults import Faults, decide_webhook
from tests.sandbox.webhooks.webhook_factories import make_rig, order_payload


def deliver_one(faults: Faults):
    rig = make_rig(faults=faults)
    rig.registry.create("ORDERS_CREATE", "https://a.example/hooks")
    with rig.dispatcher:
        rig.dispatcher.publish("orders/create", order_payload())
        assert rig.dispatcher.wait_idle()
    return rig


def test_drop_at_rate_one_sends_nothing_but_logs_it():
    rig = deliver_one(Faults(webhook_drop_rate=1.0))
    assert rig.transport.sent == []
    [entry] = rig.dispatcher.log()
    assert entry["status"] == "dropped"
    assert entry["faults"] == ["dropped"]


def test_webhook_faults_are_counted_once_per_delivery_by_kind():
    rig = deliver_one(Faults(webhook_drop_rate=1.0, webhook_duplicate_rate=1.0))
    counts = rig.injector.injected()
    assert (counts["webhook_dropped"], counts["webhook_duplicated"]) == (1, 1)
    assert counts["webhook_late"] == counts["webhook_reordered"] == counts["api_5xx"] == 0


def test_duplicate_at_rate_one_sends_the_same_webhook_twice():
    rig = deliver_one(Faults(webhook_duplicate_rate=1.0))
    first, second = rig.transport.sent
    assert first.body == second.body
    assert first.headers["X-Shopify-Webhook-Id"] == second.headers["X-Shopify-Webhook-Id"]
    assert first.headers["X-Shopify-Event-Id"] == second.headers["X-Shopify-Event-Id"]
    assert [e["faults"] for e in rig.dispatcher.log()] == [["duplicated"], ["duplicated"]]


def test_late_at_rate_one_waits_its_delay_on_the_clock():
    rig = make_rig(faults=Faults(webhook_late_rate=1.0, webhook_late_seconds=600))
    rig.registry.create("ORDERS_CREATE", "https://a.example/hooks")
    with rig.dispatcher:
        rig.dispatcher.publish("orders/create", order_payload())
        assert rig.dispatcher.wait_idle()
        assert rig.transport.sent == []
        rig.clock.advance(599)
        assert rig.dispatcher.wait_idle()
        assert rig.transport.sent == []
        rig.clock.advance(1)
        assert rig.dispatcher.wait_idle()
    assert len(rig.transport.sent) == 1
    assert rig.dispatcher.log()[0]["faults"] == ["late"]


def test_a_reordered_webhook_is_overtaken_by_the_next_one():
    rig = make_rig(faults=Faults(webhook_reorder_rate=1.0, webhook_reorder_hold_seconds=30))
    rig.registry.create("ORDERS_CREATE", "https://a.example/hooks")
    with rig.dispatcher:
        rig.dispatcher.publish("orders/create", order_payload(1))
        rig.injector.update({"webhook_reorder_rate": 0.0})
        rig.dispatcher.publish("orders/create", order_payload(2))
        assert rig.dispatcher.wait_idle()
        rig.clock.advance(30)
        assert rig.dispatcher.wait_idle()
    assert [json.loads(r.body)["id"] for r in rig.transport.sent] == [2, 1]
    assert [e["faults"] for e in rig.dispatcher.log()] == [["reordered"], []]


@pytest.mark.parametrize(
    "knob", ["webhook_drop_rate", "webhook_duplicate_rate", "webhook_late_rate", "webhook_reorder_rate"]
)
def test_rate_zero_never_applies_a_fault(knob):
    rig = make_rig(faults=Faults(**{knob: 0.0}))
    rig.registry.create("ORDERS_CREATE", "https://a.example/hooks")
    with rig.dispatcher:
        for n in range(50):
            rig.dispatcher.publish("orders/create", order_payload(n))
        assert rig.dispatcher.wait_idle()
    assert len(rig.transport.sent) == 50
    assert all(entry["faults"] == [] for entry in rig.dispatcher.log())


@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_a_seeded_rate_is_reproducible_and_near_its_rate(seed):
    faults = Faults(seed=seed, webhook_drop_rate=0.25, webhook_duplicate_rate=0.1)
    first = [decide_webhook(faults, rng) for rng in [random.Random(seed)] for _ in range(2000)]
    second = [decide_webhook(faults, rng) for rng in [random.Random(seed)] for _ in range(2000)]
    assert first == second
    drops = sum(d.drop for d in first)
    duplicates = sum(d.duplicate for d in first)
    assert 400 < drops < 600
    assert 120 < duplicates < 280


def test_a_seeded_rate_drops_that_share_of_deliveries_through_the_dispatcher():
    def dropped(seed: int) -> list[int]:
        rig = make_rig(faults=Faults(seed=seed, webhook_drop_rate=0.5))
        rig.registry.create("ORDERS_CREATE", "https://a.example/hooks")
        for n in range(200):
            rig.dispatcher.publish("orders/create", order_payload(n))
        return [n for n, entry in enumerate(rig.dispatcher.log()) if entry["status"] == "dropped"]

    assert dropped(3) == dropped(3)
    assert dropped(3) != dropped(4)
    assert 60 < len(dropped(3)) < 140
