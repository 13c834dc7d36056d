"""InMemoryStore: every role of the Store port in memory, held to SqlStore's semantics by the Store contract
tests (tests/contract/test_store_*.py)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.store_api_usage import ApiUsageRecordsInMemory
from tests.fakes.store_findings import OpenFindingRecordsInMemory
from tests.fakes.store_fulfilments import FulfilmentRecordsInMemory
from tests.fakes.store_inventory import InventoryRecordsInMemory
from tests.fakes.store_order_emails import OrderEmailsInMemory
from tests.fakes.store_payouts import PayoutRecordsInMemory
from tests.fakes.store_privacy import PrivacyRecordsInMemory
from tests.fakes.store_tax_variances import TaxVarianceRecordsInMemory
from trueup.domain.errors import Cause
from trueup.domain.ledger import OPEN_STATES, LedgerEntry, OrderState
from trueup.domain.refunds import RefundRecord, RefundState
from trueup.service_layer.ports import (
    EXPIRED_BODY,
    IncomingDelivery,
    IntakeStats,
    Job,
    JobRequest,
    NotUnderstood,
    WaitingJob,
)


@dataclass
class _JobRow:
    id: int
    kind: str
    key: str
    shop: str
    payload: dict[str, Any]
    state: str
    attempts: int
    run_at: datetime
    locked_by: str | None = None
    lease_until: datetime | None = None
    last_error: str | None = None
    finished_at: datetime | None = None
    created_at: datetime | None = None

    def as_job(self) -> Job:
        return Job(self.id, self.kind, self.key, self.shop, dict(self.payload), self.attempts, self.run_at)


class InMemoryStore(
    InventoryRecordsInMemory,
    FulfilmentRecordsInMemory,
    PayoutRecordsInMemory,
    PrivacyRecordsInMemory,
    ApiUsageRecordsInMemory,
    TaxVarianceRecordsInMemory,
    OpenFindingRecordsInMemory,
    OrderEmailsInMemory,
):
    """The Store port in memory; thread-safe. `deliveries` and `jobs` are open for tests to inspect."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._clock = clock
        self._lock = threading.RLock()
        self.deliveries: list[IncomingDelivery] = []
        self.jobs: list[_JobRow] = []
        self._last_id = 0  # ids are never reused, also after a purge
        self._duplicates: Counter[str] = Counter()
        self._refused: Counter[str] = Counter()
        self._ledger: dict[tuple[str, str], LedgerEntry] = {}
        self._cursors: dict[tuple[str, str], str] = {}
        self._refunds: dict[tuple[str, str], RefundRecord] = {}

    # --- intake ---------------------------------------------------------------------------------
    def accept_deliveries(
        self, deliveries: Sequence[IncomingDelivery], job_for: Callable[[IncomingDelivery], JobRequest | None]
    ) -> list[bool]:
        with self._lock:
            accepted = [self._accept(delivery, job_for) for delivery in deliveries]
            self._duplicates.update(d.shop for d, new in zip(deliveries, accepted, strict=True) if not new)
            return accepted

    def _accept(self, delivery: IncomingDelivery, job_for: Callable[[IncomingDelivery], JobRequest | None]) -> bool:
        if any(self._same_delivery(kept, delivery) for kept in self.deliveries):
            return False
        self.deliveries.append(delivery)
        job = job_for(delivery)
        if job is not None:
            self._enqueue(job)
        return True

    @staticmethod
    def _same_delivery(kept: IncomingDelivery, new: IncomingDelivery) -> bool:
        if kept.webhook_id == new.webhook_id:
            return True
        same_event = (kept.shop, kept.topic, kept.event_id) == (new.shop, new.topic, new.event_id)
        return new.event_id is not None and same_event

    def intake_stats(self, shop: str | None = None) -> IntakeStats:
        with self._lock:
            kept = [d for d in self.deliveries if shop in (None, d.shop)]
            return IntakeStats(
                deliveries=len(kept),
                duplicates=self._duplicates.total() if shop is None else self._duplicates[shop],
                unknown_topics=dict(Counter(d.topic for d in kept if not d.known_topic)),
                last_received_at=max((d.received_at for d in kept), default=None),
                problems=dict(Counter(d.problem for d in kept if d.problem)),
                refused=dict(self._refused) if shop is None else {},
            )

    def not_understood(self, shop: str | None = None) -> NotUnderstood:
        with self._lock:
            kept = [d for d in self.deliveries if shop in (None, d.shop)]
            return NotUnderstood(
                problems=dict(Counter(d.problem for d in kept if d.problem)),
                unknown_topics=dict(Counter(d.topic for d in kept if not d.known_topic)),
            )

    def count_refused(self, counts: Mapping[str, int]) -> None:
        with self._lock:
            self._refused.update(counts)

    # --- queue ----------------------------------------------------------------------------------
    def enqueue(self, job: JobRequest) -> bool:
        with self._lock:
            return self._enqueue(job)

    def _enqueue(self, job: JobRequest) -> bool:
        if any(r.state == "todo" and (r.key, r.kind) == (job.key, job.kind) for r in self.jobs):
            return False
        run_at = job.run_at or self._clock()
        self._last_id += 1
        row = _JobRow(self._last_id, job.kind, job.key, job.shop, dict(job.payload), "todo", 0, run_at)
        row.created_at = self._clock()
        self.jobs.append(row)
        return True

    def claim(self, worker: str, now: datetime, lease_seconds: float) -> Job | None:
        with self._lock:
            row = next((r for r in self.jobs if self._runnable(r, now) and not self._blocked(r)), None)
            if row is None:
                return None
            job = row.as_job()  # attempts: the runs started before this one
            row.state, row.attempts, row.locked_by = "doing", row.attempts + 1, worker
            row.lease_until = now + timedelta(seconds=lease_seconds)
            return job

    @staticmethod
    def _runnable(row: _JobRow, now: datetime) -> bool:
        if row.state == "todo":
            return row.run_at <= now
        return row.state == "doing" and row.lease_until is not None and row.lease_until <= now

    def _blocked(self, row: _JobRow) -> bool:
        for other in self.jobs:
            if other.key != row.key or other.id == row.id:
                continue
            if other.state == "doing" or (row.state == other.state == "todo" and other.id < row.id):
                return True
        return False

    def _held(self, job: Job, worker: str) -> _JobRow | None:
        row = next((r for r in self.jobs if r.id == job.id), None)
        if row is None:
            return None
        return row if row.state == "doing" and row.locked_by == worker else None

    def complete(self, job: Job, worker: str) -> None:
        with self._lock:
            row = self._held(job, worker)
            if row is not None:
                row.state, row.lease_until, row.finished_at = "done", None, self._clock()

    def renew_lease(self, job: Job, worker: str, now: datetime, lease_seconds: float) -> bool:
        with self._lock:
            row = self._held(job, worker)
            if row is None:
                return False
            row.lease_until = now + timedelta(seconds=lease_seconds)
            return True

    def retry_later(self, job: Job, worker: str, run_at: datetime, error: str) -> None:
        with self._lock:
            row = self._held(job, worker)
            if row is None:
                return
            for other in self.jobs:
                if other.state == "todo" and (other.key, other.kind) == (row.key, row.kind):
                    other.state, other.last_error = "done", f"merged into job {row.id}"
                    other.finished_at = self._clock()
            row.state, row.run_at, row.last_error, row.locked_by, row.lease_until = "todo", run_at, error, None, None

    def purge_finished_jobs(self, before: datetime) -> int:
        with self._lock:
            kept = [r for r in self.jobs if not (r.state == "done" and r.finished_at and r.finished_at < before)]
            purged, self.jobs = len(self.jobs) - len(kept), kept
            return purged

    def expire_delivery_bodies(self, before: datetime, keep_topics: Collection[str]) -> int:
        expired = 0
        with self._lock:
            for index, d in enumerate(self.deliveries):
                if d.received_at < before and d.topic not in keep_topics and d.body != EXPIRED_BODY:
                    self.deliveries[index] = replace(d, body=EXPIRED_BODY)
                    expired += 1
        return expired

    def purge_deliveries(self, before: datetime) -> int:
        with self._lock:
            kept = [d for d in self.deliveries if d.received_at >= before]
            purged, self.deliveries = len(self.deliveries) - len(kept), kept
            return purged

    def pending_jobs(self, shop: str | None = None) -> int:
        with self._lock:
            return sum(r.state == "todo" and shop in (None, r.shop) for r in self.jobs)

    def retrying_jobs(self) -> int:
        with self._lock:
            return sum(r.state == "todo" and r.attempts > 0 for r in self.jobs)

    def waiting_jobs(self, kind: str, shop: str | None = None) -> list[WaitingJob]:
        with self._lock:
            rows = [r for r in self.jobs if r.kind == kind and r.state in ("todo", "doing") and shop in (None, r.shop)]
            return [
                WaitingJob(r.kind, r.key, r.shop, r.attempts, r.last_error, r.created_at or r.run_at)
                for r in sorted(rows, key=lambda r: (r.created_at or r.run_at, r.id))
            ]

    def running_jobs(self) -> int:
        with self._lock:
            return sum(r.state == "doing" for r in self.jobs)

    def run_now(self, kind: str, key: str, now: datetime) -> bool:
        with self._lock:
            waiting = [r for r in self.jobs if r.state == "todo" and (r.key, r.kind) == (key, kind)]
            for row in waiting:
                row.run_at = min(row.run_at, now)
            return bool(waiting)

    # --- ledger ---------------------------------------------------------------------------------
    def ledger_entry(self, shop: str, order_id: str) -> LedgerEntry | None:
        with self._lock:
            return self._ledger.get((shop, order_id))

    def save_ledger_entry(self, entry: LedgerEntry) -> None:
        with self._lock:
            kept = self._ledger.get((entry.shop, entry.order_id))
            first_seen = kept.first_seen_at if kept else entry.first_seen_at
            self._ledger[(entry.shop, entry.order_id)] = replace(entry, first_seen_at=first_seen)

    def _entries(self, shop: str | None) -> list[LedgerEntry]:
        entries = [e for e in self._ledger.values() if shop is None or e.shop == shop]
        return sorted(entries, key=lambda e: (e.first_seen_at, e.order_id))

    def ledger_entries(self, state: OrderState | None = None, shop: str | None = None) -> list[LedgerEntry]:
        with self._lock:
            return [e for e in self._entries(shop) if state is None or e.state == state]

    def ledger_counts(self, shop: str | None = None) -> dict[OrderState, int]:
        with self._lock:
            return dict(Counter(e.state for e in self._entries(shop)))

    def exception_counts(self, shop: str | None = None) -> dict[Cause, int]:
        with self._lock:
            parked = self._entries(shop)
            return dict(Counter(e.cause for e in parked if e.state == OrderState.EXCEPTION and e.cause))

    def oldest_open_entry(self, shop: str | None = None) -> LedgerEntry | None:
        with self._lock:
            open_entries = [e for e in self._entries(shop) if e.state in OPEN_STATES]
            return min(open_entries, key=lambda e: (e.state_since, e.order_id), default=None)

    # --- cursors --------------------------------------------------------------------------------
    def cursor(self, shop: str, name: str) -> str | None:
        with self._lock:
            return self._cursors.get((shop, name))

    def set_cursor(self, shop: str, name: str, value: str) -> None:
        with self._lock:
            self._cursors[(shop, name)] = value

    # --- refund records ---------------------------------------------------------------------------
    def refund_record(self, shop: str, refund_id: str) -> RefundRecord | None:
        with self._lock:
            return self._refunds.get((shop, refund_id))

    def save_refund_record(self, record: RefundRecord) -> None:
        with self._lock:
            kept = self._refunds.get((record.shop, record.refund_id))
            first_seen = kept.first_seen_at if kept else record.first_seen_at
            self._refunds[(record.shop, record.refund_id)] = replace(record, first_seen_at=first_seen)

    def refund_records(
        self, shop: str | None = None, order_id: str | None = None, state: RefundState | None = None
    ) -> list[RefundRecord]:
        with self._lock:
            chosen = [
                r
                for r in self._refunds.values()
                if (shop is None or r.shop == shop)
                and (order_id is None or r.order_id == order_id)
                and (state is None or r.state == state)
            ]
            return sorted(chosen, key=lambda r: (r.shop, r.order_id, r.ordinal))

    def refund_counts(self, shop: str | None = None) -> dict[RefundState, int]:
        with self._lock:
            return dict(Counter(r.state for r in self._refunds.values() if shop is None or r.shop == shop))
