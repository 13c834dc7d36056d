"""Shipments that could not be fulfilled: shown by cause with what to do, and retried on command."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from trueup.domain.errors import WHAT_TO_DO, Cause
from trueup.domain.fulfilment import FulfilmentRecord, FulfilmentState
from trueup.service_layer.ports import Store

_WAITING = (FulfilmentState.FAILED, FulfilmentState.RETRY)


def unfulfilled_shipments(store: Store, examples: int = 3, *, shop: str | None = None) -> list[dict[str, object]]:
    """The failed shipments (of `shop`, or of every shop) grouped by cause, most first: count, what to do and a
    few examples, each naming its order and shop."""
    by_cause: dict[Cause, list[FulfilmentRecord]] = defaultdict(list)
    for record in store.fulfilment_records(shop=shop, states=_WAITING):
        if record.cause is not None:
            by_cause[record.cause].append(record)
    return [
        {
            "cause": str(cause),
            "count": len(records),
            "what_to_do": WHAT_TO_DO[cause],
            "examples": [_example(store, r) for r in records[:examples]],
        }
        for cause, records in sorted(by_cause.items(), key=lambda item: -len(item[1]))
    ]


def _example(store: Store, record: FulfilmentRecord) -> dict[str, str]:
    entry = store.ledger_entry(record.shop, record.order_id) if record.order_id else None
    return {
        "shipment": record.shipment_id,
        "order": entry.name if entry else record.shipment.sale_reference,
        "shop": record.shop,
        "state": str(record.state),
        "detail": record.detail or "",
    }


def retry_shipments(
    store: Store, *, shop: str | None = None, cause: Cause | None = None, order: str | None = None
) -> int:
    """Mark failed shipments to be tried again by the next fulfilment run (optionally one shop, one cause,
    one order by id or name); returns how many."""
    marked = 0
    for record in store.fulfilment_records(shop=shop, states=(FulfilmentState.FAILED,)):
        if cause is not None and record.cause != cause:
            continue
        if order is not None and order not in _names(store, record):
            continue
        store.save_fulfilment_record(replace(record, state=FulfilmentState.RETRY))
        marked += 1
    return marked


def _names(store: Store, record: FulfilmentRecord) -> set[str]:
    entry = store.ledger_entry(record.shop, record.order_id) if record.order_id else None
    return {record.order_id, record.shipment_id, *([entry.name] if entry else [])}
