"""SqlStore: the Store port on SQLite (embedded default) or PostgreSQL (several workers, several machines)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime

import structlog
from sqlalchemy import exc

from trueup.adapters.storage import (
    cursors_sql,
    deliveries_sql,
    fulfilments_sql,
    jobs_sql,
    ledger_sql,
    privacy_sql,
    refunds_sql,
)
from trueup.adapters.storage.api_usage_sql import ApiUsageRecordsSql
from trueup.adapters.storage.completeness_sql import OpenFindingRecordsSql
from trueup.adapters.storage.engine import SQLITE_BUSY_TIMEOUT_S, make_engine, reading, translate_driver_errors, writing
from trueup.adapters.storage.inventory_store import InventoryRecords
from trueup.adapters.storage.order_emails_sql import OrderEmailsSql
from trueup.adapters.storage.payouts_sql import PayoutRecordsSql
from trueup.adapters.storage.tax_variances_sql import TaxVarianceRecordsSql
from trueup.domain.errors import Cause
from trueup.domain.fulfilment import FulfilmentRecord, FulfilmentState
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.domain.refunds import RefundRecord, RefundState
from trueup.service_layer.ports import (
    IncomingDelivery,
    IntakeStats,
    Job,
    JobRequest,
    NotUnderstood,
    PrivacyReport,
    StoredDelivery,
    WaitingJob,
)

log = structlog.get_logger(__name__)

# Two PostgreSQL transactions can race for one key; the loser gets a unique violation and simply tries again.
_CLAIM_RACES = 3


def utc_now() -> datetime:
    return datetime.now(UTC)


class SqlStore(
    InventoryRecords, PayoutRecordsSql, ApiUsageRecordsSql, TaxVarianceRecordsSql, OpenFindingRecordsSql, OrderEmailsSql
):
    """trueup's durable state in a SQL database migrated by `trueup.adapters.storage.migrate.upgrade`: every
    role of the Store port (service_layer/ports.py).

    Every method runs in its own transaction. Lost connections and a locked database raise TransientError.
    """

    def __init__(
        self,
        url: str,
        clock: Callable[[], datetime] = utc_now,
        sqlite_busy_timeout_s: float = SQLITE_BUSY_TIMEOUT_S,
        durable_commits: bool = True,
    ) -> None:
        self._engine = make_engine(url, sqlite_busy_timeout_s, durable_commits)
        self._clock = clock

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- intake ---------------------------------------------------------------------------------
    @translate_driver_errors
    def accept_deliveries(
        self, deliveries: Sequence[IncomingDelivery], job_for: Callable[[IncomingDelivery], JobRequest | None]
    ) -> list[bool]:
        with writing(self._engine) as connection:
            return deliveries_sql.accept(connection, deliveries, job_for)

    @translate_driver_errors
    def count_refused(self, counts: Mapping[str, int]) -> None:
        with writing(self._engine) as connection:
            deliveries_sql.count_refused(connection, counts)

    @translate_driver_errors
    def intake_stats(self, shop: str | None = None) -> IntakeStats:
        with reading(self._engine) as connection:
            return deliveries_sql.stats(connection, shop)

    @translate_driver_errors
    def not_understood(self, shop: str | None = None) -> NotUnderstood:
        with reading(self._engine) as connection:
            return deliveries_sql.not_understood(connection, shop)

    # --- queue ----------------------------------------------------------------------------------
    @translate_driver_errors
    def enqueue(self, job: JobRequest) -> bool:
        with writing(self._engine) as connection:
            return jobs_sql.enqueue(connection, job, self._clock())

    @translate_driver_errors
    def claim(self, worker: str, now: datetime, lease_seconds: float) -> Job | None:
        for _ in range(_CLAIM_RACES):
            try:
                with writing(self._engine) as connection:
                    return jobs_sql.claim(connection, worker, now, lease_seconds)
            except exc.IntegrityError:
                log.debug("job.claim_race", worker=worker)
        return None

    @translate_driver_errors
    def complete(self, job: Job, worker: str) -> None:
        with writing(self._engine) as connection:
            done = jobs_sql.complete(connection, job, worker, self._clock())
        if not done:
            log.warning("job.completion_ignored", job_id=job.id, worker=worker, reason="lease taken over")

    @translate_driver_errors
    def renew_lease(self, job: Job, worker: str, now: datetime, lease_seconds: float) -> bool:
        with writing(self._engine) as connection:
            return jobs_sql.renew_lease(connection, job, worker, now, lease_seconds)

    @translate_driver_errors
    def retry_later(self, job: Job, worker: str, run_at: datetime, error: str) -> None:
        kept = False
        for attempt in range(_CLAIM_RACES):
            try:
                with writing(self._engine) as connection:
                    kept = jobs_sql.retry_later(connection, job, worker, run_at, error, self._clock())
                break
            except exc.IntegrityError:
                # A new waiting job of this key and kind was committed between our two updates (PostgreSQL,
                # READ COMMITTED): the next attempt merges it too.
                if attempt == _CLAIM_RACES - 1:
                    raise
        if not kept:
            log.warning("job.retry_ignored", job_id=job.id, worker=worker, reason="lease taken over")

    @translate_driver_errors
    def purge_finished_jobs(self, before: datetime) -> int:
        with writing(self._engine) as connection:
            return jobs_sql.purge_done(connection, before)

    @translate_driver_errors
    def purge_deliveries(self, before: datetime) -> int:
        with writing(self._engine) as connection:
            return deliveries_sql.purge(connection, before)

    @translate_driver_errors
    def expire_delivery_bodies(self, before: datetime, keep_topics: Collection[str]) -> int:
        with writing(self._engine) as connection:
            return deliveries_sql.expire_bodies(connection, before, keep_topics)

    # --- privacy --------------------------------------------------------------------------------
    @translate_driver_errors
    def stored_deliveries(self, shop: str) -> list[StoredDelivery]:
        with reading(self._engine) as connection:
            return privacy_sql.stored_deliveries(connection, shop)

    @translate_driver_errors
    def stored_delivery(self, webhook_id: str) -> StoredDelivery | None:
        with reading(self._engine) as connection:
            return privacy_sql.stored_delivery(connection, webhook_id)

    @translate_driver_errors
    def replace_delivery_bodies(self, webhook_ids: Sequence[str], body: bytes) -> int:
        with writing(self._engine) as connection:
            return privacy_sql.replace_delivery_bodies(connection, webhook_ids, body)

    @translate_driver_errors
    def free_text_about(self, shop: str, needles: Sequence[str]) -> list[tuple[str, str]]:
        with reading(self._engine) as connection:
            return privacy_sql.free_text_about(connection, shop, needles)

    @translate_driver_errors
    def redact_free_text(self, shop: str, needles: Sequence[str], replacement: str) -> dict[str, int]:
        with writing(self._engine) as connection:
            return privacy_sql.redact_free_text(connection, shop, needles, replacement)

    @translate_driver_errors
    def erase_shop(self, shop: str) -> dict[str, int]:
        with writing(self._engine) as connection:
            return privacy_sql.erase_shop(connection, shop)

    @translate_driver_errors
    def save_privacy_report(self, report: PrivacyReport) -> None:
        with writing(self._engine) as connection:
            privacy_sql.save_report(connection, report)

    @translate_driver_errors
    def privacy_reports(self, shop: str | None = None) -> list[PrivacyReport]:
        with reading(self._engine) as connection:
            return privacy_sql.reports(connection, shop)

    @translate_driver_errors
    def pending_jobs(self, shop: str | None = None) -> int:
        with reading(self._engine) as connection:
            return jobs_sql.count(connection, jobs_sql.TODO, shop)

    @translate_driver_errors
    def retrying_jobs(self) -> int:
        with reading(self._engine) as connection:
            return jobs_sql.count_retrying(connection)

    @translate_driver_errors
    def waiting_jobs(self, kind: str, shop: str | None = None) -> list[WaitingJob]:
        with reading(self._engine) as connection:
            return jobs_sql.waiting(connection, kind, shop)

    @translate_driver_errors
    def running_jobs(self) -> int:
        with reading(self._engine) as connection:
            return jobs_sql.count(connection, jobs_sql.DOING)

    @translate_driver_errors
    def run_now(self, kind: str, key: str, now: datetime) -> bool:
        with writing(self._engine) as connection:
            return jobs_sql.run_now(connection, kind, key, now)

    # --- ledger ---------------------------------------------------------------------------------
    @translate_driver_errors
    def ledger_entry(self, shop: str, order_id: str) -> LedgerEntry | None:
        with reading(self._engine) as connection:
            return ledger_sql.one(connection, shop, order_id)

    @translate_driver_errors
    def save_ledger_entry(self, entry: LedgerEntry) -> None:
        with writing(self._engine) as connection:
            ledger_sql.save(connection, entry, self._clock())

    @translate_driver_errors
    def ledger_entries(self, state: OrderState | None = None, shop: str | None = None) -> list[LedgerEntry]:
        with reading(self._engine) as connection:
            return ledger_sql.entries(connection, state, shop)

    @translate_driver_errors
    def ledger_counts(self, shop: str | None = None) -> dict[OrderState, int]:
        with reading(self._engine) as connection:
            return ledger_sql.counts_by_state(connection, shop)

    @translate_driver_errors
    def exception_counts(self, shop: str | None = None) -> dict[Cause, int]:
        with reading(self._engine) as connection:
            return ledger_sql.counts_by_cause(connection, shop)

    @translate_driver_errors
    def oldest_open_entry(self, shop: str | None = None) -> LedgerEntry | None:
        with reading(self._engine) as connection:
            return ledger_sql.oldest_open(connection, shop)

    # --- cursors --------------------------------------------------------------------------------
    @translate_driver_errors
    def cursor(self, shop: str, name: str) -> str | None:
        with reading(self._engine) as connection:
            return cursors_sql.get(connection, shop, name)

    @translate_driver_errors
    def set_cursor(self, shop: str, name: str, value: str) -> None:
        with writing(self._engine) as connection:
            cursors_sql.put(connection, shop, name, value, self._clock())

    # --- fulfilment records -----------------------------------------------------------------------
    @translate_driver_errors
    def fulfilment_record(self, shop: str, shipment_id: str) -> FulfilmentRecord | None:
        with reading(self._engine) as connection:
            return fulfilments_sql.get(connection, shop, shipment_id)

    @translate_driver_errors
    def save_fulfilment_record(self, record: FulfilmentRecord) -> None:
        with writing(self._engine) as connection:
            fulfilments_sql.save(connection, record)

    @translate_driver_errors
    def fulfilment_records(
        self, shop: str | None = None, states: Iterable[FulfilmentState] | None = None
    ) -> list[FulfilmentRecord]:
        with reading(self._engine) as connection:
            return fulfilments_sql.listed(connection, shop, states)

    # --- refund records ---------------------------------------------------------------------------
    @translate_driver_errors
    def refund_record(self, shop: str, refund_id: str) -> RefundRecord | None:
        with reading(self._engine) as connection:
            return refunds_sql.one(connection, shop, refund_id)

    @translate_driver_errors
    def save_refund_record(self, record: RefundRecord) -> None:
        with writing(self._engine) as connection:
            refunds_sql.save(connection, record)

    @translate_driver_errors
    def refund_records(
        self, shop: str | None = None, order_id: str | None = None, state: RefundState | None = None
    ) -> list[RefundRecord]:
        with reading(self._engine) as connection:
            return refunds_sql.listed(connection, shop, order_id, state)

    @translate_driver_errors
    def refund_counts(self, shop: str | None = None) -> dict[RefundState, int]:
        with reading(self._engine) as connection:
            return refunds_sql.counts(connection, shop)
