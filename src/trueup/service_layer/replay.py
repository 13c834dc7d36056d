"""Parked orders replay themselves once their cause is fixed, or when a person says so."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import structlog

from trueup.domain.errors import Cause
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.service_layer.fulfilment_status import retry_shipments
from trueup.service_layer.jobs import SyncOrder, request
from trueup.service_layer.needs import needs_are_met
from trueup.service_layer.order_context import OrderContext
from trueup.service_layer.ports import Store
from trueup.service_layer.refund_replay import replay_fixed_refunds, replay_refunds

log = structlog.get_logger(__name__)


def cause_is_fixed(entry: LedgerEntry, ctx: OrderContext) -> bool:
    """Whether what the entry was parked for now exists (service_layer/needs.py). Causes that only a person
    can judge (totals mismatch, rejected documents) name nothing they need: they wait for `trueup replay`."""
    return needs_are_met(entry.needs, ctx)


def replay_fixed(store: Store, contexts: Mapping[str, OrderContext]) -> int:
    """Queue every parked order whose cause is now fixed; returns how many."""
    queued = 0
    for entry in store.ledger_entries(OrderState.EXCEPTION):
        ctx = contexts.get(entry.shop)
        if ctx is not None and cause_is_fixed(entry, ctx):
            queued += store.enqueue(request(SyncOrder(entry.shop, entry.order_id)))
    queued += replay_fixed_refunds(store, contexts)  # refunds parked for a cause now fixed: their order's sync
    if queued:
        log.info("replaying_fixed_orders", queued=queued)
    return queued


def replay(store: Store, *, shop: str | None = None, cause: Cause | None = None, order: str | None = None) -> int:
    """Queue parked orders again on command, optionally only one shop, one cause or one order (id or name)."""
    queued = 0
    for entry in store.ledger_entries(OrderState.EXCEPTION, shop=shop):
        if cause is not None and entry.cause != cause:
            continue
        if order is not None and order not in (entry.order_id, entry.name):
            continue
        queued += store.enqueue(request(SyncOrder(entry.shop, entry.order_id)))
    queued += replay_refunds(store, shop=shop, cause=cause, order=order)  # parked refunds: their order's sync
    # Shipments that could not be fulfilled: the next fulfilment run tries them again.
    return queued + retry_shipments(store, shop=shop, cause=cause, order=order)


def replay_entries(store: Store, entries: Iterable[LedgerEntry]) -> list[str]:
    """Queue these parked orders again (those no longer parked are left as they are); the names queued. Their
    parked refunds go with their order's sync."""
    queued = []
    for entry in entries:
        if entry.state == OrderState.EXCEPTION:
            store.enqueue(request(SyncOrder(entry.shop, entry.order_id)))
            queued.append(entry.name)
    return queued
