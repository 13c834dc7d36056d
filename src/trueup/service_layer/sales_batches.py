"""New sales orders from several worker threads posted to the ERP together, a few per round trip.

Posting a sale costs the ERP a handful of calls (create, tax, quote, confirm, process, read), and most of its
time is Tryton's confirm and process; `SalesLedger.create_sales_orders` makes each of those calls once for
several orders. A worker running several threads shares one `BatchedSalesOrders`: each thread's
`create_sales_order` waits while one poster thread posts whatever has queued up since its last batch (at most
`max_batch`), so a batch grows with the load and costs nothing when orders come one at a time: no window is
waited for. Each order is still checked and its tax settled exactly as a single post does, each order's jobs
still run one at a time (the queue's per-order key), and a structural problem of one order is that order's
alone. An error of the whole batch (the ERP out of reach) is raised in every thread that waited on it; those
jobs are retried, and, as always, ask the ERP for their order's reference before posting again.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import Any, cast

import structlog

from trueup.domain.errors import TransientError
from trueup.domain.sales import PostedSale, SalesOrderRequest
from trueup.service_layer.ports import BackOffice

log = structlog.get_logger(__name__)

MAX_BATCH = 10


@dataclass
class _Waiting:
    order: SalesOrderRequest
    done: threading.Event = field(default_factory=threading.Event)
    sale: PostedSale | None = None
    error: BaseException | None = None
    shared: bool = False  # the error is the whole batch's, not this order's

    def settle(self, result: PostedSale | BaseException, shared: bool = False) -> None:
        if isinstance(result, BaseException):
            self.error, self.shared = result, shared
        else:
            self.sale = result
        self.done.set()


class _Stop:
    pass


class BatchedSalesOrders:
    """`back_office` with its `create_sales_order` calls from several threads posted in batches; every other
    call goes straight to `back_office`. `close` ends the poster thread."""

    def __init__(self, back_office: BackOffice, max_batch: int = MAX_BATCH) -> None:
        self._back_office = back_office
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Waiting | _Stop] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._started = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._back_office, name)

    def as_back_office(self) -> BackOffice:
        """This object as the BackOffice port it stands in for."""
        return cast(BackOffice, self)

    def create_sales_order(self, order: SalesOrderRequest) -> PostedSale:
        """Post `order` with the others waiting; returns its sale, or raises what posting it raised."""
        self._start()
        waiting = _Waiting(order)
        self._queue.put(waiting)
        waiting.done.wait()
        if isinstance(waiting.error, TransientError) and waiting.shared:
            # The whole batch's error: each waiting thread raises its own, with what the ERP said.
            raise TransientError(str(waiting.error), retry_after=waiting.error.retry_after) from waiting.error
        if waiting.error is not None:
            raise waiting.error
        assert waiting.sale is not None
        return waiting.sale

    def queued(self) -> int:
        """Orders waiting for the next batch."""
        return self._queue.qsize()

    def close(self) -> None:
        """Post what is queued, then end the poster thread."""
        with self._started:
            if self._thread is not None:
                self._queue.put(_Stop())
                self._thread.join()
                self._thread = None

    def _start(self) -> None:
        with self._started:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sales-order-poster", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        stop = False
        while not stop:
            batch, stop = self._next_batch()
            if batch:
                self._post(batch)

    def _next_batch(self) -> tuple[list[_Waiting], bool]:
        first = self._queue.get()
        if isinstance(first, _Stop):
            return [], True
        batch: list[_Waiting] = [first]
        while len(batch) < self._max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, _Stop):
                return batch, True
            batch.append(item)
        return batch, False

    def _post(self, batch: list[_Waiting]) -> None:
        try:
            results = self._back_office.create_sales_orders([waiting.order for waiting in batch])
        except Exception as error:  # handed to every waiting thread: each job retries as its error says
            log.warning("sales_batch_failed", orders=len(batch), error=type(error).__name__)
            for waiting in batch:
                waiting.settle(error, shared=True)
            return
        log.info("sales_batch_posted", orders=len(batch))
        for waiting, result in zip(batch, results, strict=True):
            waiting.settle(result)
