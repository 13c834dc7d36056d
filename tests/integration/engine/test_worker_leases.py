"""The worker's heartbeat on every store: a job that runs long keeps its lease; a job whose lease was taken over
writes nothing more, and its new holder posts the order once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from tests.factories import SHOP, an_order
from tests.unit.engine.harness import Engine
from trueup.domain.ledger import OrderState
from trueup.service_layer.jobs import SyncOrder, request
from trueup.service_layer.worker import Worker


def during_find(engine: Engine, step: Callable[[], None]) -> None:
    """Run `step` inside the sync, when it asks the ERP for the order (before it creates the sale)."""
    find = engine.erp.find_sales_order

    def find_then_step(reference: str) -> Any:
        found = find(reference)
        engine.erp.find_sales_order = find  # type: ignore[method-assign]
        step()
        return found

    engine.erp.find_sales_order = find_then_step  # type: ignore[method-assign]


def renewals_of(engine: Engine) -> Callable[[], None]:
    """A function that waits until the heartbeat has renewed the lease at the clock's present time."""
    renewed = threading.Condition()
    latest: list[Any] = []
    renew = engine.store.renew_lease

    def observed(job, worker, now, lease_seconds):  # type: ignore[no-untyped-def]
        kept = renew(job, worker, now, lease_seconds)
        with renewed:
            latest.append(now)
            renewed.notify_all()
        return kept

    engine.store.renew_lease = observed

    def wait() -> None:
        now = engine.clock.now()
        with renewed:
            assert renewed.wait_for(lambda: bool(latest) and latest[-1] >= now, timeout=60), "no renewal"

    return wait


def test_a_job_running_past_its_lease_keeps_it_while_its_heartbeat_beats(engine: Engine):
    order = engine.shopify.put_order(an_order())
    engine.notify(order.order_id)
    worker = engine.worker_named("w1", lease_seconds=0.4)
    wait_for_renewal = renewals_of(engine)
    others: list[object] = []

    def long_step() -> None:
        for _ in range(3):  # 0.9 s on the clock: more than twice the lease
            engine.clock.advance(0.3)
            wait_for_renewal()
            others.append(engine.store.claim("w2", engine.clock.now(), 0.4))

    during_find(engine, long_step)
    assert worker.run_once()

    assert others == [None, None, None], "nobody else ran it"
    assert engine.entry(order.order_id).state == OrderState.POSTED
    assert len(engine.erp.sales) == 1
    assert (engine.store.pending_jobs(), engine.store.running_jobs()) == (0, 0)


def test_a_job_whose_lease_was_taken_over_writes_nothing_and_its_new_holder_posts_once(engine: Engine):
    order = engine.shopify.put_order(an_order())
    engine.notify(order.order_id)
    stalled = engine.worker_named("stalled", lease_seconds=10)
    taken: list[object] = []

    def stall_past_the_lease() -> None:  # the process frozen: no heartbeat reaches the store
        engine.clock.advance(11)
        taken.append(engine.store.claim("w2", engine.clock.now(), 10))

    during_find(engine, stall_past_the_lease)
    assert stalled.run_once()

    assert taken != [None], "the job was taken over"
    assert engine.erp.sales == {}, "the stalled run stopped before creating the sale"
    assert engine.store.running_jobs() == 1, "still the new holder's: the stalled run neither completed nor retried it"

    engine.clock.advance(11)  # the new holder died too; a third worker takes over and posts
    Worker("w3", engine.store, {SHOP: engine.ctx}, engine.clock).run_once()
    assert engine.entry(order.order_id).state == OrderState.POSTED
    assert len(engine.erp.sales) == 1


def test_a_worker_that_finished_its_job_leaves_no_heartbeat_running(engine: Engine):
    engine.store.enqueue(request(SyncOrder(SHOP, engine.shopify.put_order(an_order()).order_id)))
    assert engine.worker.run_once()
    assert not [t for t in threading.enumerate() if t.name.startswith("heartbeat-")]
