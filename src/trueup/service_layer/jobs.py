"""The kinds of job trueup queues, and their keys (one key = one line of strictly ordered work)."""

from __future__ import annotations

from datetime import datetime

from trueup.service_layer.ports import JobRequest

SYNC_ORDER = "sync_order"
POLL_ORDERS = "poll_orders"
REPLAY_PARKED = "replay_parked"
PURGE_HISTORY = "purge_history"
FULFIL_SHIPMENTS = "fulfil_shipments"
SYNC_STOCK = "sync_stock"
RECONCILE_STOCK = "reconcile_stock"


def order_key(shop: str, order_id: str) -> str:
    return f"{shop}|{order_id}"


def sync_order_job(shop: str, order_id: str, run_at: datetime | None = None) -> JobRequest:
    return JobRequest(SYNC_ORDER, order_key(shop, order_id), shop, {"order_id": order_id}, run_at)


def release_order_job(shop: str, order_id: str, run_at: datetime | None = None) -> JobRequest:
    """The sync that ends an order's hold window (at `run_at`, or earlier when released): it posts the order."""
    return JobRequest(SYNC_ORDER, order_key(shop, order_id), shop, {"order_id": order_id, "release": True}, run_at)


def poll_orders_job(shop: str, run_at: datetime | None = None) -> JobRequest:
    return JobRequest(POLL_ORDERS, f"{shop}|poll", shop, {}, run_at)


def fulfil_shipments_job(shop: str, run_at: datetime | None = None) -> JobRequest:
    return JobRequest(FULFIL_SHIPMENTS, f"{shop}|fulfil", shop, {}, run_at)


def replay_parked_job(run_at: datetime | None = None) -> JobRequest:
    return JobRequest(REPLAY_PARKED, "replay", "*", {}, run_at)


def purge_history_job(run_at: datetime | None = None) -> JobRequest:
    return JobRequest(PURGE_HISTORY, "purge", "*", {}, run_at)


def sync_stock_job(shop: str, run_at: datetime | None = None) -> JobRequest:
    """The shop's triggered stock updates (ERP changes since a cursor): one key, so one pass at a time."""
    return JobRequest(SYNC_STOCK, f"{shop}|stock", shop, {}, run_at)


def reconcile_stock_job(shop: str, run_at: datetime | None = None) -> JobRequest:
    """The shop's full stock reconciliation, one at a time. Its own key: a reconciliation waiting for its hour
    must not hold the sync back (a waiting job blocks the later ones of its key). The two may run at once;
    every write is compare-and-set, so neither overwrites what the other has just set."""
    return JobRequest(RECONCILE_STOCK, f"{shop}|stock-reconcile", shop, {}, run_at)
