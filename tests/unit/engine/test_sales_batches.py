"""New sales orders from several worker threads, posted to the ERP together: each thread gets its own sale or
its own error, and orders that arrive while a batch posts go together in the next one."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from tests.factories import NOW, SHOP, an_order
from tests.fakes.back_office import FakeBackOffice
from tests.fakes.shopify import FakeShopifyAdmin
from tests.fakes.store import InMemoryStore
from tests.unit.engine.harness import MovableClock

from trueup.domain.errors import Cause, StructuralError, TransientError
from trueup.domain.ledger import OrderState
from trueup.domain.posting import PostingPolicy, build_sales_order
from trueup.domain.sales import PostedSale, SalesOrderRequest
from trueup.service_layer.jobs import SyncOrder, request
from trueup.service_layer.order_context import OrderContext
from trueup.service_layer.sales_batches import BatchedSalesOrders
from trueup.service_layer.worker import Worker

POLICY = PostingPolicy(taxes={"VAT 20": "VAT20"})


def a_request(number: int, sku: str = "TEE-M") -> SalesOrderRequest:
    order = an_order(number=number)
    order = replace(order, lines=tuple(replace(line, sku=sku) for line in order.lines))
    return build_sales_order(order, POLICY, {})


def an_erp() -> FakeBackOffice:
    erp = FakeBackOffice()
    erp.add_products("TEE-M", "TEE-L", "MUG")
    return erp


def in_threads(
    call: Callable[[SalesOrderRequest], Any],
    requests: list[SalesOrderRequest],
    first_alone: threading.Event | None = None,
) -> list[Any]:
    """`call` for each request, each in its own thread; with `first_alone`, the others start only once it is set
    (the first request's batch is then held in the ERP with that request alone in it)."""
    results: list[Any] = [None] * len(requests)

    def run(index: int) -> None:
        try:
            results[index] = call(requests[index])
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for index, thread in enumerate(threads):
        thread.start()
        if index == 0 and first_alone is not None:
            first_alone.wait(10)
    for thread in threads:
        thread.join()
    return results


def hold_the_first_batch(erp: FakeBackOffice, batches: BatchedSalesOrders, total: int) -> threading.Event:
    """The ERP answers the first batch only once the rest of the `total` orders wait behind it; the event
    returned is set when the ERP holds that first batch."""
    post = erp.create_sales_orders
    first = threading.Event()

    def held(orders):  # type: ignore[no-untyped-def]
        if not first.is_set():
            first.set()
            while batches.queued() < total - len(orders):
                threading.Event().wait(0.005)
        return post(orders)

    erp.create_sales_orders = held  # type: ignore[method-assign]
    return first


def test_orders_arriving_while_a_batch_posts_go_together_in_the_next():
    erp = an_erp()
    batches = BatchedSalesOrders(erp, max_batch=10)
    held = hold_the_first_batch(erp, batches, total=5)
    requests = [a_request(n) for n in range(1, 6)]

    # The first order alone reaches the ERP first (on a busy machine all five could be queued before the
    # poster takes its first batch, which would then be the only one).
    sales = in_threads(batches.create_sales_order, requests, first_alone=held)
    batches.close()

    assert len(erp.batches) == 2, "the first, then all that waited behind it"
    assert sum(erp.batches) == 5
    assert [sale.reference for sale in sales] == [r.reference for r in requests]
    assert all(isinstance(sale, PostedSale) for sale in sales)


def test_a_batch_is_never_larger_than_its_maximum():
    erp = an_erp()
    batches = BatchedSalesOrders(erp, max_batch=2)
    hold_the_first_batch(erp, batches, total=6)

    sales = in_threads(batches.create_sales_order, [a_request(n) for n in range(1, 7)])
    batches.close()

    assert max(erp.batches) == 2
    assert sum(erp.batches) == 6
    assert len({sale.reference for sale in sales}) == 6


def test_an_order_that_cannot_post_fails_alone():
    erp = an_erp()
    batches = BatchedSalesOrders(erp)
    hold_the_first_batch(erp, batches, total=3)
    requests = [a_request(1), a_request(2, sku="NOT-IN-THE-ERP"), a_request(3)]

    results = in_threads(batches.create_sales_order, requests)
    batches.close()

    assert isinstance(results[1], StructuralError)
    assert results[1].cause is Cause.SKU_NOT_IN_ITEM_MASTER
    assert [type(r) for r in (results[0], results[2])] == [PostedSale, PostedSale]
    assert set(erp.sales) == {requests[0].reference, requests[2].reference}


def test_an_erp_out_of_reach_fails_every_order_of_the_batch_transiently():
    erp = an_erp()
    erp.down = True
    batches = BatchedSalesOrders(erp)

    results = in_threads(batches.create_sales_order, [a_request(n) for n in range(1, 4)])
    batches.close()

    assert [type(r) for r in results] == [TransientError] * 3
    assert len({id(r) for r in results}) == 3, "each thread raises its own exception object"


def test_every_other_call_goes_straight_to_the_back_office():
    erp = an_erp()
    batches = BatchedSalesOrders(erp)
    posted = batches.create_sales_order(a_request(1))
    batches.close()

    assert batches.find_sales_order(posted.reference) == posted
    assert batches.unknown_skus(["TEE-M", "NOPE"]) == {"NOPE"}


def test_workers_in_threads_sharing_the_batches_post_every_order_once():
    clock = MovableClock(NOW)
    shopify = FakeShopifyAdmin(SHOP, clock=clock.now)
    erp, store = an_erp(), InMemoryStore(clock.now)
    batches = BatchedSalesOrders(erp)
    ctx = OrderContext(shopify, batches.as_back_office(), store, clock, POLICY)
    orders = [shopify.put_order(an_order(number=n)) for n in range(1, 13)]
    for order in orders:
        store.enqueue(request(SyncOrder(SHOP, order.order_id)))
    workers = [Worker(f"w{n}", store, {SHOP: ctx}, clock) for n in range(4)]

    def drain(worker: Worker) -> None:
        while worker.run_once():
            pass

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    batches.close()

    assert {store.ledger_entry(SHOP, o.order_id).state for o in orders} == {OrderState.POSTED}  # type: ignore[union-attr]
    assert len(erp.sales) == 12
    assert sum(erp.batches) == 12


@pytest.fixture(autouse=True)
def _no_poster_left_behind():
    yield
    assert not [t for t in threading.enumerate() if t.name == "sales-order-poster"]
