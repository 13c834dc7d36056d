import threading
from datetime import timedelta

from tests.factories import SHOP, an_order
from tests.unit.engine.harness import Engine

from trueup.adapters.shopify.api_usage import ApiUsageMeter
from trueup.adapters.shopify.cost_budget import ThrottleStatus
from trueup.domain.errors import Cause
from trueup.domain.ledger import OrderState
from trueup.service_layer.jobs import SyncOrder
from trueup.service_layer.worker import Worker


def waiting_sync_jobs(engine: Engine):  # type: ignore[no-untyped-def]
    return [j for j in engine.store.jobs if j.kind == SyncOrder.kind and j.state == "todo"]


def test_an_erp_that_is_down_loses_nothing_and_the_retry_is_stored_not_slept():
    engine = Engine()
    orders = [engine.shopify.put_order(an_order(number=n)) for n in range(1, 4)]
    engine.erp.down = True
    for order in orders:
        engine.notify(order.order_id)
    engine.run_until_idle()
    jobs = waiting_sync_jobs(engine)
    assert len(jobs) == 3
    assert all(job.attempts == 1 and job.run_at > engine.clock.now() for job in jobs)
    assert all("TransientError" in (job.last_error or "") for job in jobs)
    engine.clock.advance(3600)
    engine.erp.down = False
    engine.run_until_idle()
    assert {engine.entry(o.order_id).state for o in orders} == {OrderState.POSTED}
    assert len(engine.erp.sales) == 3


def test_retry_after_from_a_throttled_shopify_is_a_floor_on_the_wait():
    engine = Engine()
    order = engine.shopify.put_order(an_order())
    engine.shopify.throttled_next = 1
    engine.shopify.retry_after = 120.0
    engine.notify(order.order_id)
    engine.run_until_idle()
    (job,) = waiting_sync_jobs(engine)
    assert job.run_at >= engine.clock.now() + timedelta(seconds=120)


def test_backoff_grows_with_each_attempt():
    engine = Engine()
    order = engine.shopify.put_order(an_order())
    engine.erp.down = True
    engine.notify(order.order_id)
    waits = []
    for _ in range(6):
        engine.run_until_idle()
        (job,) = waiting_sync_jobs(engine)
        waits.append((job.run_at - engine.clock.now()).total_seconds())
        engine.clock.at = job.run_at
    assert waits[-1] > waits[0] * 4


def test_a_defect_is_retried_then_parked_as_processing_failed():
    engine = Engine()
    order = engine.shopify.put_order(an_order())

    def broken(reference):  # type: ignore[no-untyped-def]
        raise KeyError("a bug")

    engine.erp.find_sales_order = broken  # type: ignore[method-assign]
    engine.notify(order.order_id)
    for _ in range(10):
        engine.run_until_idle()
        engine.clock.advance(3600)
    entry = engine.entry(order.order_id)
    assert (entry.state, entry.cause) == (OrderState.EXCEPTION, Cause.PROCESSING_FAILED)
    assert waiting_sync_jobs(engine) == []


def test_the_poll_catches_an_order_whose_webhook_never_came():
    engine = Engine()
    engine.worker.schedule_periodic()
    engine.run_until_idle()
    order = engine.shopify.put_order(an_order(updated_at=engine.clock.now() + timedelta(seconds=1)))
    engine.clock.advance(120)  # past the poll interval; no webhook was ever received
    engine.run_until_idle()
    assert engine.entry(order.order_id).state == OrderState.POSTED


def test_the_poll_does_not_requeue_orders_already_seen_at_that_version():
    engine = Engine()
    order = engine.shopify.put_order(an_order())
    engine.notify(order.order_id)
    engine.run_until_idle()
    calls_before = engine.shopify.calls.count("fetch_order")
    engine.worker.schedule_periodic()
    engine.clock.advance(120)
    engine.run_until_idle()
    assert engine.shopify.calls.count("fetch_order") == calls_before


def test_a_job_held_by_a_dead_worker_is_taken_over_after_its_lease():
    engine = Engine()
    order = engine.shopify.put_order(an_order())
    engine.notify(order.order_id)
    dead = engine.store.claim("dead-worker", engine.clock.now(), lease_seconds=30)
    assert dead is not None
    assert engine.run_until_idle() == 0  # the key is held: nobody else may run it
    engine.clock.advance(31)
    engine.run_until_idle()
    assert engine.entry(order.order_id).state == OrderState.POSTED
    assert len(engine.erp.sales) == 1


def test_finished_jobs_and_old_deliveries_are_purged_on_schedule_never_open_work():
    engine = Engine()
    order = engine.shopify.put_order(an_order())
    engine.notify(order.order_id)
    engine.run_until_idle()
    engine.erp.down = True
    other = engine.shopify.put_order(an_order(number=2))
    engine.notify(other.order_id)
    engine.worker.schedule_periodic()
    engine.run_until_idle()
    engine.clock.advance(8 * 86400)  # past the 7 days finished jobs are kept
    engine.run_until_idle()
    finished = [j for j in engine.store.jobs if j.state == "done" and j.kind == SyncOrder.kind]
    assert finished == []
    assert [j.payload["order_id"] for j in waiting_sync_jobs(engine)] == [other.order_id]


def test_the_shops_api_use_is_stored_once_a_minute_then_all_of_it_at_stop_and_purged_with_the_history():
    engine = Engine()
    meter = ApiUsageMeter(SHOP, engine.clock.now)
    worker = Worker("w1", engine.store, {SHOP: engine.ctx}, engine.clock, usage=[meter])
    bucket = ThrottleStatus(maximum_available=2000, currently_available=1500, restore_rate=100)
    start = engine.clock.now() - timedelta(hours=1)
    meter.record(bucket, requested_cost=352, actual_cost=80)

    assert worker.store_api_usage() == 0  # the minute is not over: nothing written
    engine.clock.advance(60)
    meter.record(bucket, requested_cost=10, actual_cost=10, throttled=True)
    assert worker.store_api_usage() == 1
    assert worker.store_api_usage() == 0  # once a minute at most
    assert [(u.calls, u.actual_cost, u.lowest_available) for u in engine.store.api_usage(start)] == [(1, 80, 1500)]

    stop = threading.Event()
    stop.set()
    worker.run(stop)  # stopping stores the minute still open
    assert [u.throttled for u in engine.store.api_usage(start)] == [0, 1]

    engine.clock.advance(8 * 86400)  # past the 7 days the API use is kept
    engine.worker.schedule_periodic()
    engine.run_until_idle()
    assert engine.store.api_usage(start) == []
