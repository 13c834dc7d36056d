"""Group commit: concurrent deliveries share one transaction, and nobody is answered before the commit."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence

import pytest

from tests.fakes.store import InMemoryStore
from tests.support.deliveries import make_delivery
from trueup.domain.errors import TransientError
from trueup.service_layer.intake import Intake
from trueup.service_layer.ports import IncomingDelivery, JobRequest

WAIT = 10.0  # generous bound on waiting for a thread; never a measure of speed


class GatedStore(InMemoryStore):
    """Holds each commit until the test opens the gate, and records the batch sizes."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.committing = threading.Event()
        self.batches: list[int] = []
        self.fail = False

    def accept_deliveries(
        self, deliveries: Sequence[IncomingDelivery], job_for: Callable[[IncomingDelivery], JobRequest | None]
    ) -> list[bool]:
        self.committing.set()
        assert self.gate.wait(WAIT)
        self.batches.append(len(deliveries))
        if self.fail:
            raise TransientError("disk full")
        return super().accept_deliveries(deliveries, job_for)


async def _wait_for(event: threading.Event) -> None:
    assert await asyncio.to_thread(event.wait, WAIT)


def test_deliveries_arriving_during_a_commit_go_into_the_next_one_together() -> None:
    store = GatedStore()
    intake = Intake(store)

    async def scenario() -> list[bool]:
        first = asyncio.create_task(intake.receive(make_delivery()))
        await _wait_for(store.committing)
        later = [asyncio.create_task(intake.receive(make_delivery())) for _ in range(5)]
        await asyncio.sleep(0)  # let them queue behind the commit in progress
        while not all(task.done() for task in later):
            store.gate.set()
            await asyncio.sleep(0.01)
        return [await first, *[await task for task in later]]

    results = asyncio.run(scenario())
    intake.stop()

    assert results == [True] * 6
    assert store.batches == [1, 5]


def test_no_request_is_answered_before_its_delivery_is_committed() -> None:
    store = GatedStore()
    intake = Intake(store)

    async def scenario() -> tuple[bool, int]:
        task = asyncio.create_task(intake.receive(make_delivery()))
        await _wait_for(store.committing)
        await asyncio.sleep(0.05)
        answered_early = task.done()
        store.gate.set()
        await task
        return answered_early, len(store.deliveries)

    answered_early, stored = asyncio.run(scenario())
    intake.stop()

    assert (answered_early, stored) == (False, 1)


def test_a_failed_commit_fails_every_request_of_its_batch_and_the_next_one_succeeds() -> None:
    store = GatedStore()
    store.fail = True
    store.gate.set()
    intake = Intake(store)

    async def scenario() -> bool:
        with pytest.raises(TransientError):
            await intake.receive(make_delivery())
        store.fail = False
        return await intake.receive(make_delivery())

    assert asyncio.run(scenario()) is True
    intake.stop()


def test_many_concurrent_deliveries_are_each_answered_and_stored() -> None:
    store = InMemoryStore()
    intake = Intake(store)

    async def scenario() -> list[bool]:
        return list(await asyncio.gather(*(intake.receive(make_delivery()) for _ in range(20))))

    assert asyncio.run(scenario()) == [True] * 20
    intake.stop()
    assert len(store.deliveries) == 20


class OneBadRowStore(InMemoryStore):
    """Refuses any batch holding the delivery with webhook id "bad", as a database refuses a whole
    transaction for one row it cannot take."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()

    def accept_deliveries(
        self, deliveries: Sequence[IncomingDelivery], job_for: Callable[[IncomingDelivery], JobRequest | None]
    ) -> list[bool]:
        assert self.gate.wait(WAIT)
        if any(d.webhook_id == "bad" for d in deliveries):
            raise ValueError("value too long for type character varying(255)")
        return super().accept_deliveries(deliveries, job_for)


def test_one_bad_delivery_never_fails_the_others_of_its_batch() -> None:
    store = OneBadRowStore()
    intake = Intake(store)

    async def scenario() -> list[bool | str]:
        tasks = [asyncio.create_task(intake.receive(make_delivery())) for _ in range(3)]
        tasks.insert(1, asyncio.create_task(intake.receive(make_delivery(webhook_id="bad"))))
        tasks += [asyncio.create_task(intake.receive(make_delivery())) for _ in range(3)]
        await asyncio.sleep(0.05)  # all queued before the first commit may start
        store.gate.set()
        done = await asyncio.gather(*tasks, return_exceptions=True)
        return [type(r).__name__ if isinstance(r, BaseException) else r for r in done]

    results = asyncio.run(scenario())
    intake.stop()

    assert results == [True, "ValueError", True, True, True, True, True]
    assert len(store.deliveries) == 6
