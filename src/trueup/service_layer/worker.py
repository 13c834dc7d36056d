"""The worker: claims one job at a time, runs it, and stores what happens next (done, or retry when).

Any number of workers, in any number of processes or machines, share one store: the store guarantees
that one order's jobs never run two at a time, so per-order ordering holds while orders run in parallel.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import structlog

from trueup.domain.api_usage import minute_of
from trueup.domain.errors import Cause, TransientError
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.domain.privacy import PRIVACY_TOPICS
from trueup.domain.retry import RetryPolicy
from trueup.service_layer.fulfilment import fulfil_despatched
from trueup.service_layer.inventory import StockContext, StockPolicy, run_stock_pass, sync_changes
from trueup.service_layer.jobs import (
    FulfilShipments,
    HonourPrivacyRequest,
    PollOrders,
    PollPayouts,
    PurgeHistory,
    QueuedWork,
    ReconcileStock,
    ReplayParked,
    SyncOrder,
    SyncStock,
    VerifyOrders,
    job_of,
    request,
)
from trueup.service_layer.leases import RENEWALS_PER_LEASE, Heartbeat, Lease, LeaseLost, fenced
from trueup.service_layer.order_context import OrderContext
from trueup.service_layer.payments import OrderPayments
from trueup.service_layer.payouts import PayoutContext, poll_payouts
from trueup.service_layer.poll_orders import poll_orders
from trueup.service_layer.ports import ApiUsageSource, Clock, ConsolePrivacy, Job, JobRequest, Store
from trueup.service_layer.privacy import honour
from trueup.service_layer.replay import replay_fixed
from trueup.service_layer.stock_groups import group_context, runs_group
from trueup.service_layer.stock_reconcile import reconcile
from trueup.service_layer.sync_order import sync_order
from trueup.service_layer.verify import verify_shop

log = structlog.get_logger(__name__)

RECONCILED_AT = "stock_reconciled_at"  # when the group's last reconciliation ran (a cursor of its first shop)


@dataclass(frozen=True)
class WorkerSettings:
    # A running job's lease, renewed every quarter of it by the worker's heartbeat: a dead worker's jobs are
    # taken over this long after its last renewal.
    lease_seconds: float = 10.0
    poll_interval_seconds: float = 60.0
    poll_overlap_seconds: float = 300.0
    first_lookback_seconds: float = 86400.0
    replay_interval_seconds: float = 30.0
    # Despatched ERP shipments are read this often and fulfilled in Shopify, the customer notified or not.
    fulfil_interval_seconds: float = 30.0
    notify_customer: bool = True
    # Carrier name -> tracking URL template ("{number}" is the tracking number), for ERPs that give no URL.
    tracking_urls: Mapping[str, str] = field(default_factory=dict)
    # The first fulfilment run reads the shipments despatched this long before it, not the ERP's whole history.
    fulfil_first_lookback_seconds: float = 86400.0
    # History kept: finished jobs, and raw deliveries (which also bound how long a duplicate is recognised).
    done_jobs_retention_days: float = 7.0
    deliveries_retention_days: float = 30.0
    delivery_bodies_retention_days: float = 7.0  # bodies (customer data) expire sooner than the deliveries
    api_usage_retention_days: float = 7.0  # Shopify API use per shop and minute (the activity page, alerts)
    purge_interval_seconds: float = 3600.0
    idle_sleep_seconds: float = 0.2
    # A job failing with an unexpected error (a defect, not the other side) is parked after this many tries.
    max_unexpected_attempts: int = 5
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Inventory: the shops whose stock trueup sends to Shopify (shop -> its policy), and how often.
    stock: Mapping[str, StockPolicy] = field(default_factory=dict)
    stock_sync_interval_seconds: float = 2.0
    stock_reconcile_interval_seconds: float = 3600.0
    payout_poll_interval_seconds: float = 3600.0  # [payments]: how often each shop's payouts are read
    # The completeness check (verify.py): how often, and over the orders first seen how long before.
    verify_interval_seconds: float = 3600.0
    verify_lookback_seconds: float = 172800.0


class Worker:
    """Runs jobs from `store` for the shops in `contexts` (shop domain -> what syncing it needs)."""

    def __init__(
        self,
        name: str,
        store: Store,
        contexts: Mapping[str, OrderContext],
        clock: Clock,
        settings: WorkerSettings | None = None,
        rng: random.Random | None = None,
        payouts: Mapping[str, PayoutContext] | None = None,
        usage: Sequence[ApiUsageSource] = (),
        console: ConsolePrivacy | None = None,
    ) -> None:
        self.name = name
        self.console = console  # the console's records, which privacy requests reach too
        self.usage = usage  # each shop's Shopify API use, counted in memory: stored once a minute
        self._usage_stored_until: datetime | None = None
        self.payouts = payouts or {}  # shop -> what booking its payouts needs ([payments] enabled)
        self.store = store
        self.contexts = contexts
        self.clock = clock
        self.settings = settings or WorkerSettings()
        self.rng = rng or random.Random()

    def schedule_periodic(self) -> None:
        """Queue the periodic jobs if no worker has (the queueing lock makes this safe to repeat)."""
        for shop in self.contexts:
            self.store.enqueue(request(PollOrders(shop)))
            self.store.enqueue(request(FulfilShipments(shop)))
            self.store.enqueue(request(VerifyOrders(shop), self._after(self.settings.verify_interval_seconds)))
        for shop in self.payouts:
            self.store.enqueue(request(PollPayouts(shop)))
        self.store.enqueue(request(ReplayParked()))
        self.store.enqueue(request(PurgeHistory()))
        for shop, policy in self.settings.stock.items():
            if runs_group(shop, policy):  # one pass for the shops sharing a warehouse, run by the first
                self.store.enqueue(request(ReconcileStock(shop)))  # at start: everything brought to target first
                self.store.enqueue(request(SyncStock(shop)))

    def run_once(self) -> bool:
        """Claim and run one job; False when there was nothing to run."""
        lease_seconds = self.settings.lease_seconds
        job = self.store.claim(self.name, self.clock.now(), lease_seconds)
        if job is None:
            return False
        lease = Lease(self.store, self.clock, job, self.name, lease_seconds)
        with Heartbeat(lease, every=lease_seconds / RENEWALS_PER_LEASE):
            self._run_leased(job, lease)
        return True

    def _run_leased(self, job: Job, lease: Lease) -> None:
        try:
            self._run(job_of(job), self._fenced_contexts(lease), fenced(self.store, lease), self._fenced_payouts(lease))
            lease.check()
        except LeaseLost:
            # Taken over (or the store out of reach for most of the lease): the job is its new holder's now,
            # so nothing of this run is committed, not even its completion or retry.
            log.warning("job_abandoned", kind=job.kind, key=job.key, worker=self.name, reason="lease lost")
        except TransientError as error:
            self._retry(job, error, error.retry_after)
        except Exception as error:  # a defect: retried a few times, then the order is parked
            log.exception("job_failed", kind=job.kind, key=job.key, attempts=job.attempts)
            if job.attempts + 1 >= self.settings.max_unexpected_attempts:
                self._park_defect(job, error)
                self.store.complete(job, self.name)
            else:
                self._retry(job, error, None)
        else:
            self.store.complete(job, self.name)

    def _fenced_contexts(self, lease: Lease) -> dict[str, OrderContext]:
        """The shops' contexts with every call to Shopify, the ERP and the store checked against `lease`."""
        return {
            shop: replace(
                ctx,
                shopify=fenced(ctx.shopify, lease),
                back_office=fenced(ctx.back_office, lease),
                store=fenced(ctx.store, lease),
                payments=replace(ctx.payments, accounting=fenced(ctx.payments.accounting, lease))
                if ctx.payments
                else None,
            )
            for shop, ctx in self.contexts.items()
        }

    def _fenced_payouts(self, lease: Lease) -> dict[str, PayoutContext]:
        """The shops' payout contexts with every call to Shopify, the ERP and the store checked against `lease`."""
        return {
            shop: replace(
                ctx,
                shopify=fenced(ctx.shopify, lease),
                accounting=fenced(ctx.accounting, lease),
                store=fenced(ctx.store, lease),
            )
            for shop, ctx in self.payouts.items()
        }

    def run(self, stop: threading.Event) -> None:
        """Run jobs until `stop` is set, sleeping briefly when there is nothing to do."""
        self.schedule_periodic()
        log.info("worker_started", worker=self.name, shops=len(self.contexts))
        while not stop.is_set():
            if not self.run_once():
                stop.wait(self.settings.idle_sleep_seconds)
            self.store_api_usage()
        self.store_api_usage(everything=True)
        log.info("worker_stopped", worker=self.name)

    def store_api_usage(self, everything: bool = False) -> int:
        """Add the finished minutes of the shops' API use to the store (all of it when `everything`): at most
        once a minute, one upsert per shop and minute; how many minutes were stored. The worker threads of a
        process share the counts: whichever comes first takes a minute, the others find nothing."""
        minute = minute_of(self.clock.now())
        if not everything and self._usage_stored_until == minute:
            return 0
        self._usage_stored_until = minute
        samples = [sample for source in self.usage for sample in source.take_usage(None if everything else minute)]
        if not samples:
            return 0
        try:
            self.store.add_api_usage(samples)
        except TransientError as error:  # the store out of reach: these minutes are lost to the charts, no more
            log.warning("api_usage_not_stored", minutes=len(samples), error=str(error))
            return 0
        return len(samples)

    def _retry(self, job: Job, error: Exception, retry_after: float | None) -> None:
        delay = self.settings.retry.delay(job.attempts + 1, retry_after, self.rng)
        run_at = self.clock.now() + timedelta(seconds=delay)
        log.info("job_retry", kind=job.kind, key=job.key, attempts=job.attempts + 1, delay=round(delay, 2))
        self.store.retry_later(job, self.name, run_at, f"{type(error).__name__}: {error}")

    def _run(
        self,
        work: QueuedWork,
        contexts: Mapping[str, OrderContext],
        store: Store,
        payouts: Mapping[str, PayoutContext] | None = None,
    ) -> None:
        """Run `work` with `contexts` and `store`, every call of theirs checked against the job's lease."""
        match work:
            case SyncOrder():
                sync_order(contexts[work.shop], work.order_id, release=work.release)
            case PollOrders():
                self._poll_orders(work, contexts[work.shop])
            case FulfilShipments():
                self._fulfil_shipments(work, contexts[work.shop])
            case PollPayouts():
                self._poll_payouts(work, payouts or {})
            case VerifyOrders():
                self._verify_orders(work, contexts[work.shop])
            case SyncStock():
                self._sync_stock(work, contexts)
            case ReconcileStock():
                self._reconcile_stock(work, contexts)
            case ReplayParked():
                self._replay_parked(contexts, store)
            case PurgeHistory():
                self._purge_history()
            case HonourPrivacyRequest():
                keys = {shop: ctx.email_key for shop, ctx in self.contexts.items() if ctx.email_key is not None}
                honour(store, work.webhook_id, self.clock.now, self.console, keys)

    def _poll_orders(self, job: PollOrders, ctx: OrderContext) -> None:
        s = self.settings
        try:
            poll_orders(
                ctx,
                overlap=timedelta(seconds=s.poll_overlap_seconds),
                first_lookback=timedelta(seconds=s.first_lookback_seconds),
            )
        finally:
            self._again(request(PollOrders(job.shop), self._after(s.poll_interval_seconds)))

    def _fulfil_shipments(self, job: FulfilShipments, ctx: OrderContext) -> None:
        s = self.settings
        try:
            fulfil_despatched(
                ctx,
                notify_customer=s.notify_customer,
                tracking_urls=s.tracking_urls,
                first_lookback=timedelta(seconds=s.fulfil_first_lookback_seconds),
            )
        finally:
            self._again(request(FulfilShipments(job.shop), self._after(s.fulfil_interval_seconds)))

    def _verify_orders(self, job: VerifyOrders, ctx: OrderContext) -> None:
        """The periodic sweep of `trueup verify` over the shop's recent orders: findings logged, fixes applied."""
        s = self.settings
        try:
            since = self.clock.now() - timedelta(seconds=s.verify_lookback_seconds)
            report = verify_shop(ctx, job.shop, since, figures=False)
            log.info("verify_swept", shop=job.shop, orders=report.orders, open=len(report.open), fixed=report.fixed)
        finally:
            self._again(request(VerifyOrders(job.shop), self._after(s.verify_interval_seconds)))

    def _poll_payouts(self, job: PollPayouts, payouts: Mapping[str, PayoutContext]) -> None:
        if job.shop not in payouts:  # payments turned off since the job was queued: it ends here
            return
        try:
            poll_payouts(payouts[job.shop])
        finally:
            self._again(request(PollPayouts(job.shop), self._after(self.settings.payout_poll_interval_seconds)))

    def _stock_context(self, shop: str, contexts: Mapping[str, OrderContext]) -> StockContext:
        ctx, shopify = contexts[shop], {domain: c.shopify for domain, c in contexts.items()}
        return group_context(shop, self.settings.stock, shopify, ctx.back_office, ctx.store, ctx.clock)

    def _runs_stock(self, shop: str) -> bool:
        # Inventory turned off, or the shop joined another's group, since the job was queued: it ends here.
        policy = self.settings.stock.get(shop)
        return policy is not None and runs_group(shop, policy)

    def _sync_stock(self, job: SyncStock, contexts: Mapping[str, OrderContext]) -> None:
        if not self._runs_stock(job.shop):
            return
        try:
            run_stock_pass(sync_changes, self._stock_context(job.shop, contexts))
        finally:
            if self._reconciliation_due(job.shop):
                self.store.enqueue(request(ReconcileStock(job.shop)))  # due now: it runs before the next sync
            self._again(request(SyncStock(job.shop), self._after(self.settings.stock_sync_interval_seconds)))

    def _reconciliation_due(self, shop: str) -> bool:
        last = self.store.cursor(shop, RECONCILED_AT)
        interval = timedelta(seconds=self.settings.stock_reconcile_interval_seconds)
        return last is not None and datetime.fromisoformat(last) + interval <= self.clock.now()

    def _reconcile_stock(self, job: ReconcileStock, contexts: Mapping[str, OrderContext]) -> None:
        if not self._runs_stock(job.shop):
            return
        try:
            run_stock_pass(reconcile, self._stock_context(job.shop, contexts))
        finally:
            self.store.set_cursor(job.shop, RECONCILED_AT, self.clock.now().isoformat())

    def _replay_parked(self, contexts: Mapping[str, OrderContext], store: Store) -> None:
        try:
            replay_fixed(store, contexts)
        finally:
            self._again(request(ReplayParked(), self._after(self.settings.replay_interval_seconds)))

    def _purge_history(self) -> None:
        s, now = self.settings, self.clock.now()
        try:
            jobs = self.store.purge_finished_jobs(now - timedelta(days=s.done_jobs_retention_days))
            deliveries = self.store.purge_deliveries(now - timedelta(days=s.deliveries_retention_days))
            bodies = self.store.expire_delivery_bodies(
                now - timedelta(days=s.delivery_bodies_retention_days), keep_topics=PRIVACY_TOPICS
            )
            usage = self.store.purge_api_usage(now - timedelta(days=s.api_usage_retention_days))
            if jobs or deliveries or bodies or usage:
                log.info("history_purged", jobs=jobs, deliveries=deliveries, bodies_expired=bodies, api_minutes=usage)
        finally:
            self._again(request(PurgeHistory(), self._after(s.purge_interval_seconds)))

    def _again(self, request: JobRequest) -> None:
        # The next run is queued while this one still runs: the queueing lock counts only waiting jobs.
        self.store.enqueue(request)

    def _after(self, seconds: float) -> datetime:
        return self.clock.now() + timedelta(seconds=seconds)

    def _park_defect(self, job: Job, error: Exception) -> None:
        try:
            work = job_of(job)
        except LookupError:
            return
        if not isinstance(work, SyncOrder):
            return
        order_id = work.order_id
        now = self.clock.now()
        entry = self.store.ledger_entry(job.shop, order_id) or LedgerEntry.received(job.shop, order_id, order_id, now)
        detail = f"{type(error).__name__} after {job.attempts + 1} attempts"
        self.store.save_ledger_entry(
            entry.moved_to(OrderState.EXCEPTION, now, cause=Cause.PROCESSING_FAILED, detail=detail)
        )


def _fenced_payments(payments: OrderPayments | None, lease: Lease) -> OrderPayments | None:
    return replace(payments, accounting=fenced(payments.accounting, lease)) if payments is not None else None
