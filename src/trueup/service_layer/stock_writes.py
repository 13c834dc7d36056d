"""Coalesced stock writes to one shop: only the latest quantity per (item, location) is sent, up to 250 per
call, each compared with what Shopify held when it was computed.

The queue is the service's: it decides what is worth a call (nothing when Shopify already shows the
quantity; one write when several came for the same pair). The call itself is the ShopifyAdmin port's
`set_available`, which runs at inventory priority on the shop's cost budget.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from trueup.domain.inventory import StockWrite, StockWriteResult
from trueup.service_layer.ports import ShopifyAdmin

MAX_PER_CALL = 250

Pair = tuple[str, str]  # (inventory item gid, location gid)


class StockWriteQueue:
    """The writes waiting for one shop, one per (item, location): a later write replaces an earlier one
    (and keeps its place in line, so a busy item cannot starve the others). Thread-safe."""

    def __init__(self) -> None:
        self._pending: dict[Pair, StockWrite] = {}
        self._lock = threading.Lock()
        self.coalesced = 0  # writes replaced by a later one for the same pair, or dropped as no change

    def put(self, write: StockWrite) -> None:
        """Queue `write`; a write that changes nothing (quantity == expected) cancels the pair's pending one."""
        pair = (write.inventory_item_id, write.location_id)
        with self._lock:
            if pair in self._pending:
                self.coalesced += 1
            if write.quantity == write.expected:
                if self._pending.pop(pair, None) is None:
                    self.coalesced += 1
                return
            self._pending[pair] = write

    def put_all(self, writes: Iterable[StockWrite]) -> None:
        for write in writes:
            self.put(write)

    def put_back(self, writes: Iterable[StockWrite]) -> None:
        """Return writes that were taken but not sent to the front of the line (so that a retry sends the
        same batch again), unless a newer write for the pair came meanwhile."""
        returned = {(w.inventory_item_id, w.location_id): w for w in writes}
        with self._lock:
            for pair in returned.keys() & self._pending.keys():
                del returned[pair]
            self._pending = {**returned, **self._pending}

    def take(self, limit: int = MAX_PER_CALL) -> list[StockWrite]:
        """The oldest `limit` pending writes (at most 250), removed from the queue."""
        with self._lock:
            return [self._pending.pop(pair) for pair in list(self._pending)[: max(min(limit, MAX_PER_CALL), 0)]]

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)


@dataclass
class FlushReport:
    """What a flush did: calls made, writes applied, writes found stale (to re-read and recompute)."""

    calls: int = 0
    applied: list[StockWrite] = field(default_factory=list)
    stale: list[StockWrite] = field(default_factory=list)

    def add(self, result: StockWriteResult) -> None:
        self.calls += 1
        self.applied.extend(result.applied)
        self.stale.extend(result.stale)


def batch_key(run_id: str, batch: Sequence[StockWrite]) -> str:
    """The idempotency key of one call: the run and the writes' content. The same batch sent again in the
    same run (a retry after a timeout) has the same key, and Shopify applies nothing twice; another run,
    or other writes, never reuse one (the same change made again tomorrow must not be taken for a replay)."""
    content = "|".join(
        f"{w.inventory_item_id}@{w.location_id}:{w.expected}>{w.quantity}"
        for w in sorted(batch, key=lambda w: (w.inventory_item_id, w.location_id))
    )
    digest = hashlib.sha256(content.encode()).hexdigest()[:20]
    return f"trueup-stock:{run_id}:{digest}"


def flush(
    admin: ShopifyAdmin, queue: StockWriteQueue, run_id: str, *, max_calls: int | None = None, concurrency: int = 1
) -> FlushReport:
    """Send the queue's writes, 250 per call, oldest first, until it is empty (or `max_calls` calls were made),
    with up to `concurrency` calls in flight. Batches never share a pair and each write is compare-and-set, so
    calls in flight together cannot undo each other; several in flight keep the restore rate used when
    Shopify is far away (one call at a time reaches only 1 / round-trip calls a second).

    A call that fails (TransientError: throttled, Shopify unreachable) puts its writes back at the front
    (unless newer ones for the same pairs arrived meanwhile), no further call starts, and the error goes up:
    flushing again under the same `run_id` sends that batch first, with the same key."""
    report = FlushReport()
    lock = threading.Lock()
    started = 0
    failures: list[Exception] = []

    def next_batch() -> list[StockWrite]:
        nonlocal started
        with lock:
            if failures or (max_calls is not None and started >= max_calls):
                return []
            batch = queue.take()
            started += 1 if batch else 0
            return batch

    def send() -> None:
        while batch := next_batch():
            try:
                result = admin.set_available(batch, batch_key(run_id, batch))
            except Exception as exc:
                queue.put_back(batch)
                with lock:
                    failures.append(exc)
                return
            with lock:
                report.add(result)

    if concurrency <= 1:
        send()
    else:
        senders = [threading.Thread(target=send, name=f"stock-writer-{n}") for n in range(concurrency)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
    if failures:
        raise failures[0]
    return report
