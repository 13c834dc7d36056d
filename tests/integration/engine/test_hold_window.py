"""The hold window: a new order waits, its fulfilment held in Shopify, then posts and is released (on every
store: the waiting release job, its early release and the held entries are the store's)."""

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.factories import SHOP, a_line, an_order
from tests.integration.engine.conftest import StoreFactory
from tests.unit.engine.harness import Engine
from trueup.domain.ledger import OrderState
from trueup.domain.orders import FinancialStatus
from trueup.domain.post_purchase import PostPurchasePolicy
from trueup.service_layer.hold_window import release_now
from trueup.service_layer.worker import Worker

WINDOW_MINUTES = 30


@pytest.fixture
def engine(store_factory: StoreFactory) -> Engine:
    engine = Engine(store_factory=store_factory)
    engine.ctx = replace(engine.ctx, post_purchase=PostPurchasePolicy(hold_minutes=WINDOW_MINUTES))
    engine.worker = Worker("w1", engine.store, {SHOP: engine.ctx}, engine.clock)
    return engine


def placed(engine: Engine, **changes):
    order = engine.shopify.put_order(an_order([a_line("TEE-M", quantity=2)], **changes))
    engine.notify(order.order_id)
    engine.run_until_idle()
    return order


def test_a_new_order_is_held_in_shopify_and_not_posted_during_the_window(engine: Engine):
    order = placed(engine)

    entry = engine.entry(order.order_id)
    assert entry.state == OrderState.HELD
    assert entry.held_until == engine.clock.now() + timedelta(minutes=WINDOW_MINUTES)
    assert order.order_id in engine.shopify.held_by_trueup
    assert engine.erp.sales == {}


def test_webhooks_during_the_window_fold_into_the_one_waiting_release(engine: Engine):
    order = placed(engine)
    for _ in range(3):
        engine.notify(order.order_id)
        engine.clock.advance(60)
        engine.run_until_idle()

    assert engine.erp.sales == {}
    assert engine.store.pending_jobs() == 1


def test_at_the_end_of_the_window_the_order_as_edited_posts_and_is_released(engine: Engine):
    order = placed(engine)
    edited = replace(order, lines=(a_line("TEE-M", quantity=1),))
    engine.shopify.update_order(order.order_id, lines=edited.lines, total_price=edited.computed_total())

    engine.clock.advance(WINDOW_MINUTES * 60)
    engine.run_until_idle()

    entry = engine.entry(order.order_id)
    assert entry.state == OrderState.POSTED
    assert entry.held_until is None
    assert order.order_id not in engine.shopify.held_by_trueup
    assert [line.quantity for line in engine.erp.sale_progress(entry.erp_sale_id).lines] == [1]
    assert engine.store.pending_jobs() == 0


def test_an_order_cancelled_in_the_window_never_reaches_the_erp(engine: Engine):
    order = placed(engine)
    engine.shopify.update_order(order.order_id, cancelled_at=engine.clock.now())

    engine.clock.advance(WINDOW_MINUTES * 60)
    engine.run_until_idle()

    assert engine.entry(order.order_id).state == OrderState.CANCELLED_UNPOSTED
    assert engine.erp.sales == {}
    assert order.order_id not in engine.shopify.held_by_trueup


def test_a_release_on_demand_posts_the_order_now(engine: Engine):
    order = placed(engine)
    engine.clock.advance(60)

    released = release_now(engine.store, engine.clock, order.name)
    engine.run_until_idle()

    assert [(r.order, r.queued) for r in released] == [(order.name, True)]
    assert engine.entry(order.order_id).state == OrderState.POSTED
    assert order.order_id not in engine.shopify.held_by_trueup


def test_releasing_an_order_that_is_not_held_does_nothing(engine: Engine):
    assert release_now(engine.store, engine.clock, "#4242") == []


def test_a_release_that_cannot_reach_shopify_is_retried_and_the_order_posts_once(engine: Engine):
    order = placed(engine)
    engine.shopify.down = True
    engine.clock.advance(WINDOW_MINUTES * 60)
    engine.run_until_idle()
    assert engine.entry(order.order_id).state == OrderState.HELD

    engine.shopify.down = False
    engine.clock.advance(3600)
    engine.run_until_idle()

    assert engine.entry(order.order_id).state == OrderState.POSTED
    assert len(engine.erp.sales) == 1


def test_a_pending_order_is_held_only_once_paid(engine: Engine):
    order = placed(engine, status=FinancialStatus.PENDING)
    assert engine.entry(order.order_id).state == OrderState.WAITING_FOR_PAYMENT
    assert engine.shopify.held_by_trueup == set()

    engine.shopify.update_order(order.order_id, financial_status=FinancialStatus.PAID)
    engine.notify(order.order_id)
    engine.run_until_idle()

    assert engine.entry(order.order_id).state == OrderState.HELD


def test_without_a_window_orders_post_at_once_and_nothing_is_held():
    engine = Engine()
    order = placed(engine)

    assert engine.entry(order.order_id).state == OrderState.POSTED
    assert "hold_fulfilment" not in engine.shopify.calls
