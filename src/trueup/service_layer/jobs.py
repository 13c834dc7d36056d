"""The kinds of job trueup queues, and their keys (one key = one line of strictly ordered work)."""

from __future__ import annotations

from datetime import datetime

from trueup.service_layer.ports import JobRequest

SYNC_ORDER = "sync_order"
POLL_ORDERS = "poll_orders"
REPLAY_PARKED = "replay_parked"
PURGE_HISTORY = "purge_history"
FULFIL_SHIPMENTS = "fulfil_shipments"


def order_key(shop: str, order_id: str) -> str:
    return f"{shop}|{order_id}"


def sync_order_job(shop: str, order_id: str, run_at: datetime | None = None) -> JobRequest:
    return JobRequest(SYNC_ORDER, order_key(shop, order_id), shop, {"order_id": order_id}, run_at)


def poll_orders_job(shop: str, run_at: datetime | None = None) -> JobRequest:
    return JobRequest(POLL_ORDERS, f"{shop}|poll", shop, {}, run_at)


def fulfil_shipments_job(shop: str, run_at: datetime | None = None) -> JobRequest:
    return JobRequest(FULFIL_SHIPMENTS, f"{shop}|fulfil", shop, {}, run_at)


def replay_parked_job(run_at: datetime | None = None) -> JobRequest:
    return JobRequest(REPLAY_PARKED, "replay", "*", {}, run_at)


def purge_history_job(run_at: datetime | None = None) -> JobRequest:
    return JobRequest(PURGE_HISTORY, "purge", "*", {}, run_at)
