"""Coalesced stock writes: the latest quantity per (item, location), 250 per call, stale ones handed back,
a failed call's batch retried first under the same key."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from tests.fakes.shopify import FakeShopifyAdmin

from trueup.domain.errors import TransientError
from trueup.domain.inventory import StockWrite, StockWriteResult
from trueup.service_layer.stock_writes import StockWriteQueue, batch_key, flush

NORTH = "gid://shopify/Location/1"


def w(n: int, quantity: int, expected: int = 0, location: str = NORTH) -> StockWrite:
    return StockWrite(f"SKU-{n}", f"gid://shopify/InventoryItem/{n}", location, quantity, expected)


def stocked_shop(items: int, available: int = 0) -> tuple[FakeShopifyAdmin, list[str]]:
    admin = FakeShopifyAdmin(clock=lambda: datetime(2026, 11, 27, tzinfo=UTC))
    location = admin.inventory.add_location("North", location_id=NORTH).location_id
    for n in range(items):
        admin.inventory.items[f"SKU-{n}"] = f"gid://shopify/InventoryItem/{n}"
        admin.inventory.put_level(f"SKU-{n}", location, available)
    return admin, [location]


def test_only_the_latest_quantity_per_item_and_location_is_kept() -> None:
    queue = StockWriteQueue()
    queue.put_all([w(1, 5), w(2, 7), w(1, 3), w(1, 4)])
    assert queue.take() == [w(1, 4), w(2, 7)]  # item 1 keeps its place in line
    assert queue.coalesced == 2


def test_the_same_item_at_two_locations_is_two_writes() -> None:
    queue = StockWriteQueue()
    queue.put_all([w(1, 5), w(1, 5, location="gid://shopify/Location/2")])
    assert len(queue) == 2


def test_a_write_that_changes_nothing_cancels_the_pending_one() -> None:
    queue = StockWriteQueue()
    queue.put(w(1, 5, expected=2))
    queue.put(w(1, 2, expected=2))  # back where Shopify already is
    queue.put(w(2, 4, expected=4))
    assert len(queue) == 0
    assert queue.coalesced == 2


def test_a_batch_holds_at_most_250_writes_oldest_first() -> None:
    queue = StockWriteQueue()
    queue.put_all(w(n, 1) for n in range(600))
    sizes = []
    while len(queue):
        batch = queue.take(limit=1000)
        sizes.append(len(batch))
    assert sizes == [250, 250, 100]


def test_flush_sends_each_pending_write_once_in_calls_of_250() -> None:
    admin, _ = stocked_shop(600)
    queue = StockWriteQueue()
    queue.put_all(w(n, n % 7 + 1) for n in range(600))
    queue.put_all(w(n, 9) for n in range(100))  # newer quantities for the first hundred
    report = flush(admin, queue, "run-1")
    assert report.calls == 3
    assert (len(report.applied), report.stale) == (600, [])
    assert [len(batch) for _, batch in admin.inventory.batches] == [250, 250, 100]
    assert admin.inventory.available("SKU-0", NORTH) == 9
    assert admin.inventory.available("SKU-599", NORTH) == 599 % 7 + 1


def test_stale_writes_come_back_for_a_re_read_and_the_others_apply() -> None:
    admin, _ = stocked_shop(3, available=5)
    admin.inventory.drift("SKU-1", NORTH, -2)  # an order placed in Shopify meanwhile
    queue = StockWriteQueue()
    queue.put_all([w(0, 8, expected=5), w(1, 8, expected=5), w(2, 8, expected=5)])
    report = flush(admin, queue, "run-1")
    assert report.stale == [w(1, 8, expected=5)]
    assert report.applied == [w(0, 8, expected=5), w(2, 8, expected=5)]
    assert admin.inventory.available("SKU-1", NORTH) == 3


class FailingOnce:
    """The fake shop, with the first set_available failing after it was sent (a timeout): keys recorded."""

    def __init__(self, admin: FakeShopifyAdmin) -> None:
        self.admin, self.failed = admin, False
        self.keys: list[str] = []
        self.lock = threading.Lock()  # calls run concurrently: exactly one of them fails

    def set_available(self, writes: Sequence[StockWrite], idempotency_key: str) -> StockWriteResult:
        self.keys.append(idempotency_key)
        result = self.admin.set_available(writes, idempotency_key)
        with self.lock:
            first, self.failed = not self.failed, True
        if first:
            raise TransientError("Shopify timed out")
        return result


def test_a_failed_call_is_retried_first_under_the_same_key_and_applies_once() -> None:
    admin, _ = stocked_shop(300)
    shop = FailingOnce(admin)
    queue = StockWriteQueue()
    queue.put_all(w(n, 2) for n in range(300))
    with pytest.raises(TransientError):
        flush(shop, queue, "run-7")  # type: ignore[arg-type]
    assert len(queue) == 300
    report = flush(shop, queue, "run-7")  # type: ignore[arg-type]
    assert shop.keys[0] == shop.keys[1]  # the same batch again, the same key: Shopify replays its answer
    assert report.calls == 2
    assert (len(report.applied), report.stale) == (300, [])
    assert len(admin.inventory.batches) == 2  # two calls reached Shopify, the replay applied nothing


def test_a_newer_write_beats_a_put_back_one() -> None:
    queue = StockWriteQueue()
    queue.put_all([w(0, 2), w(1, 2)])
    batch = queue.take()
    queue.put(w(0, 6))
    queue.put_back(batch)
    assert queue.take() == [w(1, 2), w(0, 6)]


def test_keys_differ_by_run_and_by_content_and_ignore_order() -> None:
    batch = [w(1, 2), w(2, 3)]
    assert batch_key("a", batch) == batch_key("a", list(reversed(batch)))
    assert batch_key("a", batch) != batch_key("b", batch)
    assert batch_key("a", batch) != batch_key("a", [w(1, 2), w(2, 4)])


def test_max_calls_leaves_the_rest_queued() -> None:
    admin, _ = stocked_shop(600)
    queue = StockWriteQueue()
    queue.put_all(w(n, 1) for n in range(600))
    report = flush(admin, queue, "run-1", max_calls=1)
    assert (report.calls, len(queue)) == (1, 350)


def test_several_calls_in_flight_send_every_write_once_in_disjoint_batches() -> None:
    admin, _ = stocked_shop(1000)
    queue = StockWriteQueue()
    queue.put_all(w(n, 3) for n in range(1000))
    report = flush(admin, queue, "run-3", concurrency=3)
    assert (report.calls, len(report.applied), report.stale, len(queue)) == (4, 1000, [], 0)
    sent = [(x.inventory_item_id, x.location_id) for _, batch in admin.inventory.batches for x in batch]
    assert len(sent) == len(set(sent)) == 1000
    assert all(admin.inventory.available(f"SKU-{n}", NORTH) == 3 for n in range(1000))


def test_a_failure_among_concurrent_calls_stops_new_calls_and_keeps_the_failed_batch() -> None:
    admin, _ = stocked_shop(2000)
    shop = FailingOnce(admin)
    queue = StockWriteQueue()
    queue.put_all(w(n, 4) for n in range(2000))
    with pytest.raises(TransientError):
        flush(shop, queue, "run-4", concurrency=3)  # type: ignore[arg-type]
    applied = sum(admin.inventory.available(f"SKU-{n}", NORTH) == 4 for n in range(2000))
    # The failed call had reached Shopify (a timeout after the write): its batch is applied *and* queued
    # again, to be replayed under the same key; every other write is either applied or still queued.
    assert applied + len(queue) - 250 == 2000
    report = flush(shop, queue, "run-4")  # type: ignore[arg-type]
    assert report.stale == []
    assert all(admin.inventory.available(f"SKU-{n}", NORTH) == 4 for n in range(2000))
