"""Parked refunds replay like parked orders: by themselves once their cause is fixed, or on `trueup replay`.

A refund is credited by its order's sync, so replaying one queues a sync of its order.
"""

from __future__ import annotations

from collections.abc import Mapping

import structlog

from trueup.domain.errors import Cause
from trueup.domain.refunds import RefundRecord, RefundState
from trueup.service_layer.jobs import SyncOrder, request
from trueup.service_layer.needs import needs_are_met
from trueup.service_layer.order_context import OrderContext
from trueup.service_layer.ports import Store

log = structlog.get_logger(__name__)


def refund_cause_is_fixed(record: RefundRecord, ctx: OrderContext) -> bool:
    """Whether what the refund was parked for now exists (service_layer/needs.py): its SKUs, its taxes (mapped
    and in the ERP), its restock locations mapped. Other causes wait for a person (`trueup replay`)."""
    return needs_are_met(record.needs, ctx)


def replay_fixed_refunds(store: Store, contexts: Mapping[str, OrderContext]) -> int:
    """Queue a sync of every order with a parked refund whose cause is now fixed; returns how many."""
    queued = 0
    for order_key in sorted({(r.shop, r.order_id) for r in _fixed(store, contexts)}):
        queued += store.enqueue(request(SyncOrder(*order_key)))
    if queued:
        log.info("replaying_fixed_refunds", queued=queued)
    return queued


def _fixed(store: Store, contexts: Mapping[str, OrderContext]) -> list[RefundRecord]:
    parked = store.refund_records(state=RefundState.EXCEPTION)
    return [r for r in parked if r.shop in contexts and refund_cause_is_fixed(r, contexts[r.shop])]


def replay_refunds(
    store: Store, *, shop: str | None = None, cause: Cause | None = None, order: str | None = None
) -> int:
    """Queue a sync of the orders with parked refunds, optionally of one shop, one cause or one order."""
    chosen = {
        (r.shop, r.order_id)
        for r in store.refund_records(shop=shop, state=RefundState.EXCEPTION)
        if (cause is None or r.cause == cause) and (order is None or order in (r.order_id, r.order_name))
    }
    return sum(store.enqueue(request(SyncOrder(*key))) for key in sorted(chosen))
