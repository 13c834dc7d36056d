"""Webhook intake: store each delivery durably before it is acknowledged, many per transaction.

Group commit: requests hand their delivery to one committer thread and await their own result. While
one transaction commits, the next requests pile up and go into the following one, so a disk flush is
paid per batch rather than per webhook, and no request is answered before its delivery is committed.
One bad delivery never fails another: a batch the store refuses for any reason but a transient one (the
database down) is committed again one delivery at a time, so only the delivery at fault fails.

Refused requests (bad signature, too old, too large...) are counted in memory and the counts written by the
committer thread at most once a second, so a flood of refusals costs one small transaction a second.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from trueup.domain.errors import TransientError
from trueup.service_layer.jobs import delivery_job
from trueup.service_layer.ports import DeliveryLog, IncomingDelivery, triggered_time

log = structlog.get_logger(__name__)

MAX_BATCH = 512
REFUSALS_FLUSH_SECONDS = 1.0


@dataclass
class _Waiting:
    delivery: IncomingDelivery
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[bool]


class _Stop:
    """Queued by `GroupCommitter.stop` to end the committer thread after what was queued before it."""


def _settle(waiting: Sequence[_Waiting], results: Sequence[bool] | None, error: BaseException | None) -> None:
    # Runs on the event loop: futures may only be resolved there.
    for index, item in enumerate(waiting):
        if item.future.done():  # the request went away (client hung up)
            continue
        if error is not None:
            item.future.set_exception(error)
        else:
            assert results is not None
            item.future.set_result(results[index])


class GroupCommitter:
    """Commits deliveries in batches on one thread; `submit` resolves once its batch is committed."""

    def __init__(self, store: DeliveryLog, max_batch: int = MAX_BATCH) -> None:
        self._store = store
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Waiting | _Stop] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._started = threading.Lock()
        self._refusals: Counter[str] = Counter()
        self._refusals_lock = threading.Lock()
        self._flushed_at = time.monotonic()

    def count_refused(self, reason: str) -> None:
        """Count one refused request; written to the store soon after, with others."""
        with self._refusals_lock:
            self._refusals[reason] += 1
        self.start()

    def start(self) -> None:
        """Start the committer thread (idempotent)."""
        with self._started:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="intake-committer", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        """Commit what is queued, then end the thread."""
        with self._started:
            if self._thread is not None:
                self._queue.put(_Stop())
                self._thread.join()
                self._thread = None
        self._flush_refusals()

    async def submit(self, delivery: IncomingDelivery) -> bool:
        """True once `delivery` is committed as new, False if it was a duplicate; raises what the store raised."""
        self.start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        self._queue.put(_Waiting(delivery, loop, future))
        return await future

    def _next_batch(self) -> tuple[list[_Waiting], bool]:
        try:
            first = self._queue.get(timeout=REFUSALS_FLUSH_SECONDS)
        except queue.Empty:
            return [], False
        if isinstance(first, _Stop):
            return [], True
        batch, stop = [first], False
        while len(batch) < self._max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, _Stop):
                stop = True
                break
            batch.append(item)
        return batch, stop

    def _run(self) -> None:
        stop = False
        while not stop:
            batch, stop = self._next_batch()
            if batch:
                self._commit(batch)
            if stop or time.monotonic() - self._flushed_at >= REFUSALS_FLUSH_SECONDS:
                self._flush_refusals()

    def _flush_refusals(self) -> None:
        self._flushed_at = time.monotonic()
        with self._refusals_lock:
            counts, self._refusals = self._refusals, Counter()
        if not counts:
            return
        try:
            self._store.count_refused(dict(counts))
        except Exception as failure:  # the counts are a report, not a promise: kept for the next flush
            log.warning("intake.refusals_not_counted", error=type(failure).__name__)
            with self._refusals_lock:
                self._refusals.update(counts)

    def _commit(self, batch: list[_Waiting]) -> None:
        try:
            results = self._store.accept_deliveries([item.delivery for item in batch], delivery_job)
        except TransientError as failure:  # the store cannot take any now: each request answers 503
            log.warning("intake.commit_failed", batch=len(batch), error=type(failure).__name__)
            self._settle_all(batch, None, failure)
            return
        except Exception as failure:  # one delivery at fault must not fail the others
            # Only the type is logged: a driver's message may quote the rows, customer data included.
            log.warning("intake.commit_failed", batch=len(batch), error=type(failure).__name__)
            if len(batch) == 1:
                self._settle_all(batch, None, failure)
            else:
                for item in batch:
                    self._commit([item])
            return
        self._settle_all(batch, results, None)

    def _settle_all(self, batch: list[_Waiting], results: list[bool] | None, error: BaseException | None) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[int]] = {}
        for index, item in enumerate(batch):
            by_loop.setdefault(item.loop, []).append(index)
        for loop, indexes in by_loop.items():
            waiting = [batch[i] for i in indexes]
            mine = None if results is None else [results[i] for i in indexes]
            if not loop.is_closed():
                loop.call_soon_threadsafe(_settle, waiting, mine, error)


class Intake:
    """The intake use case: deliveries in, durably stored (or recognised as duplicates) out."""

    def __init__(
        self,
        store: DeliveryLog,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_batch: int = MAX_BATCH,
        max_age: timedelta | None = None,
    ) -> None:
        self.clock = clock
        self._committer = GroupCommitter(store, max_batch)
        self._max_age = max_age

    def is_stale(self, delivery: IncomingDelivery) -> bool:
        """True when the delivery says it was triggered longer ago than the configured window (a replay:
        Shopify retries for 4 hours, with the original Triggered-At). Without the header, it is not."""
        if self._max_age is None or delivery.triggered_at is None:
            return False
        triggered = triggered_time(delivery.triggered_at)
        return triggered is not None and self.clock() - triggered > self._max_age

    def count_refused(self, reason: str) -> None:
        """Count a refused request by its reason; `trueup status` shows the counts."""
        self._committer.count_refused(reason)

    def start(self) -> None:
        self._committer.start()

    def stop(self) -> None:
        self._committer.stop()

    async def receive(self, delivery: IncomingDelivery) -> bool:
        """Store `delivery` durably; True if new, False if already received. Returns only after the commit."""
        new = await self._committer.submit(delivery)
        if not delivery.known_topic or delivery.problem:
            log.warning(
                "webhook.kept_not_understood",
                shop=delivery.shop,
                topic=delivery.topic,
                known_topic=delivery.known_topic,
                problem=delivery.problem,
                new=new,
            )
        return new
