"""The work trueup queues, one dataclass per kind, and the key each runs under (one key = one line of strictly
ordered work: never two jobs of a key running, never two waiting per key and kind).

The store keeps a job as its kind, key, shop and a JSON payload (`ports.JobRequest`, `ports.Job`); `request`
and `job_of` turn a typed job into that and back. The worker runs what `job_of` gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from trueup.domain.privacy import PRIVACY_TOPICS
from trueup.service_layer.ports import IncomingDelivery, Job, JobRequest

ALL_SHOPS = "*"  # the shop of a job that is about every shop


def order_key(shop: str, order_id: str) -> str:
    """The key of one shop order's work: its syncs (and so its refunds, edits, cancellations) one at a time."""
    return f"{shop}|{order_id}"


@dataclass(frozen=True)
class SyncOrder:
    """Bring one order to where it belongs in the ERP (sync_order.py). `release`: this sync ends the order's
    hold window (it is due, or a person released it early), so it posts."""

    kind: ClassVar[str] = "sync_order"
    shop: str
    order_id: str
    release: bool = False

    @property
    def key(self) -> str:
        return order_key(self.shop, self.order_id)

    def payload(self) -> dict[str, Any]:
        return {"order_id": self.order_id, **({"release": True} if self.release else {})}


@dataclass(frozen=True)
class PollOrders:
    """The shop's reconciliation poll (poll_orders.py)."""

    kind: ClassVar[str] = "poll_orders"
    shop: str

    @property
    def key(self) -> str:
        return f"{self.shop}|poll"


@dataclass(frozen=True)
class FulfilShipments:
    """The shop's despatched ERP shipments, fulfilled in Shopify (fulfilment.py)."""

    kind: ClassVar[str] = "fulfil_shipments"
    shop: str

    @property
    def key(self) -> str:
        return f"{self.shop}|fulfil"


@dataclass(frozen=True)
class VerifyOrders:
    """The shop's completeness check: its recent orders' ERP documents read from the ERP (verify.py)."""

    kind: ClassVar[str] = "verify_orders"
    shop: str

    @property
    def key(self) -> str:
        return f"{self.shop}|verify"


@dataclass(frozen=True)
class PollPayouts:
    """The shop's Shopify Payments payouts, each booked once in the ERP (payouts.py)."""

    kind: ClassVar[str] = "poll_payouts"
    shop: str

    @property
    def key(self) -> str:
        return f"{self.shop}|payouts"


@dataclass(frozen=True)
class SyncStock:
    """The triggered stock updates of the shop and the shops sharing its warehouses (ERP changes since a cursor,
    demand changed in any of them): one key, so one pass at a time."""

    kind: ClassVar[str] = "sync_stock"
    shop: str

    @property
    def key(self) -> str:
        return f"{self.shop}|stock"


@dataclass(frozen=True)
class ReconcileStock:
    """The full stock reconciliation of the shop and the shops sharing its warehouses. The sync's key: never
    both at once, so one pass at a time decides what every shop offers (a level is lowered in one shop before
    another's is raised). It is queued due now, by the worker at start and by the sync once the interval has
    passed, never for later: a job waiting for its hour would hold the sync back."""

    kind: ClassVar[str] = "reconcile_stock"
    shop: str

    @property
    def key(self) -> str:
        return f"{self.shop}|stock"


@dataclass(frozen=True)
class ReplayParked:
    """Queue the parked orders, refunds and shipments whose cause is now fixed (replay.py)."""

    kind: ClassVar[str] = "replay_parked"
    shop: ClassVar[str] = ALL_SHOPS
    key: ClassVar[str] = "replay"


@dataclass(frozen=True)
class PurgeHistory:
    """Delete finished jobs and old deliveries (worker.py)."""

    kind: ClassVar[str] = "purge_history"
    shop: ClassVar[str] = ALL_SHOPS
    key: ClassVar[str] = "purge"


@dataclass(frozen=True)
class HonourPrivacyRequest:
    """Act on the privacy request delivered as `webhook_id` (privacy.py)."""

    kind: ClassVar[str] = "honour_privacy_request"
    shop: str
    webhook_id: str

    @property
    def key(self) -> str:
        # One key per request: under a shop-wide key, a second request waiting behind the first would not be
        # queued at all (never two waiting per key and kind), and would be lost.
        return f"{self.shop}|privacy|{self.webhook_id}"

    def payload(self) -> dict[str, Any]:
        return {"webhook_id": self.webhook_id}


QueuedWork = (
    SyncOrder
    | PollOrders
    | FulfilShipments
    | PollPayouts
    | VerifyOrders
    | SyncStock
    | ReconcileStock
    | ReplayParked
    | PurgeHistory
    | HonourPrivacyRequest
)


def request(work: QueuedWork, run_at: datetime | None = None) -> JobRequest:
    """`work` as the store queues it, due at `run_at` (None: now)."""
    payload = work.payload() if isinstance(work, SyncOrder | HonourPrivacyRequest) else {}
    return JobRequest(work.kind, work.key, work.shop, payload, run_at)


def job_of(job: Job) -> QueuedWork:
    """The typed work of a job the store handed out; LookupError for a kind trueup does not know."""
    if job.kind == SyncOrder.kind:
        return SyncOrder(job.shop, str(job.payload["order_id"]), release=bool(job.payload.get("release")))
    if job.kind == HonourPrivacyRequest.kind:
        return HonourPrivacyRequest(job.shop, str(job.payload["webhook_id"]))
    if job.kind == ReplayParked.kind:
        return ReplayParked()
    if job.kind == PurgeHistory.kind:
        return PurgeHistory()
    for kind in (PollOrders, FulfilShipments, PollPayouts, VerifyOrders, SyncStock, ReconcileStock):
        if job.kind == kind.kind:
            return kind(job.shop)
    raise LookupError(f"no handler for job kind {job.kind!r}")


def delivery_job(delivery: IncomingDelivery) -> JobRequest | None:
    """The job a webhook delivery calls for, stored in the same transaction: a sync of the order it is about
    (due when it arrived), or the honouring of a privacy request; none for a delivery about no order."""
    if delivery.topic in PRIVACY_TOPICS:
        return request(HonourPrivacyRequest(delivery.shop, delivery.webhook_id), run_at=delivery.received_at)
    if delivery.order_id is None:
        return None
    return request(SyncOrder(delivery.shop, delivery.order_id), run_at=delivery.received_at)
