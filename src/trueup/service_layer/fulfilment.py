"""Fulfilment back to Shopify: each shipment the ERP/WMS despatches becomes one Shopify fulfilment.

Never two fulfilments for one shipment: before creating, the shipment is recorded PENDING in trueup's
store with the number of fulfilments the order had; after, the fulfilment id is recorded (FULFILLED). A
retry that finds the record pending and the order with more fulfilments than then knows the create went
through (its answer was lost) and records the newer fulfilment instead of creating another. One shop's
poll runs as one job key, so two workers never handle the same shipment at once.

A shipment the ERP writes again after its fulfilment (a tracking number added or corrected) updates the
fulfilment's tracking in Shopify, never creates another. Shipments of orders trueup never took in (the
ERP's history before trueup, sales entered by hand) are passed over.

A shipment that cannot be fulfilled (warehouse mapped to no location, order unknown, lines closed, held or
already fulfilled by hand) is recorded FAILED with its cause and what to do, and shown by `trueup status`.
It is tried again when the ERP writes the shipment again, when `trueup replay` asks for it, or by itself
once its warehouse is mapped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from types import MappingProxyType

import structlog

from trueup.domain.errors import Cause, StructuralError
from trueup.domain.fulfilment import (
    FulfilmentRecord,
    FulfilmentRequest,
    FulfilmentState,
    OrderFulfilment,
    Shipment,
    Tracking,
    plan_fulfilment,
    shipment_locations,
    shopify_order_id,
    tracking_of,
)
from trueup.service_layer.bundles import bundles_among
from trueup.service_layer.order_context import OrderContext

log = structlog.get_logger(__name__)

CURSOR = "shipments_despatched"
NO_URLS: Mapping[str, str] = MappingProxyType({})


def fulfil_despatched(
    ctx: OrderContext,
    *,
    notify_customer: bool,
    tracking_urls: Mapping[str, str] = NO_URLS,
    first_lookback: timedelta | None = None,
) -> int:
    """Fulfil in Shopify the shipments of this shop's orders despatched since the cursor (one batch), then
    those asked to be retried; returns how many fulfilments were created. Moves the cursor once the batch
    is handled. `tracking_urls`: carrier name → tracking URL template ("{number}"). The very first read
    starts `first_lookback` ago (None: at the start of the ERP's history)."""
    shop = ctx.shopify.shop
    since = ctx.store.cursor(shop, CURSOR)
    if since is None and first_lookback is not None:
        since = ctx.back_office.shipments_cursor_at(ctx.clock.now() - first_lookback)
    shipments, cursor = ctx.back_office.despatched_shipments(since)
    created = 0
    for shipment in shipments:
        if _taken_in_by_trueup(ctx, shipment):
            made = fulfil_shipment(ctx, shipment, notify_customer=notify_customer, tracking_urls=tracking_urls)
            created += made is not None
    if cursor is not None:
        ctx.store.set_cursor(shop, CURSOR, cursor)
    return created + retry_failed(ctx, notify_customer=notify_customer, tracking_urls=tracking_urls)


def _taken_in_by_trueup(ctx: OrderContext, shipment: Shipment) -> bool:
    order_id = shopify_order_id(shipment.sale_reference, ctx.shopify.shop)
    return order_id is not None and ctx.store.ledger_entry(ctx.shopify.shop, order_id) is not None


def retry_failed(ctx: OrderContext, *, notify_customer: bool, tracking_urls: Mapping[str, str] = NO_URLS) -> int:
    """Try again the failed shipments a person asked to retry (RETRY) and those whose warehouse is now
    mapped to a location; returns how many fulfilments were created."""
    created = 0
    for record in ctx.store.fulfilment_records(ctx.shopify.shop, (FulfilmentState.RETRY, FulfilmentState.FAILED)):
        if record.state is FulfilmentState.FAILED and not _location_now_mapped(ctx, record):
            continue
        if not record.shipment.lines:  # an old record without its lines: only the ERP can send it again
            continue
        made = fulfil_shipment(ctx, record.shipment, notify_customer=notify_customer, tracking_urls=tracking_urls)
        created += made is not None
    return created


def _location_now_mapped(ctx: OrderContext, record: FulfilmentRecord) -> bool:
    return record.cause is Cause.UNMAPPED_LOCATION and record.shipment.warehouse in ctx.policy.locations.values()


def fulfil_shipment(
    ctx: OrderContext, shipment: Shipment, *, notify_customer: bool, tracking_urls: Mapping[str, str] = NO_URLS
) -> str | None:
    """Create the Shopify fulfilment of `shipment` unless one was made (then follow its tracking); returns
    the id of the one created now, None if it already existed or the shipment was recorded as failed.
    TransientError propagates."""
    record = ctx.store.fulfilment_record(ctx.shopify.shop, shipment.shipment_id)
    tracking = tracking_of(shipment, tracking_urls)
    if record is not None and record.state is FulfilmentState.FULFILLED:
        _follow_tracking(ctx, record, shipment, tracking, notify_customer=notify_customer)
        return None
    try:
        return _fulfil(ctx, shipment, record, tracking, notify_customer=notify_customer)
    except StructuralError as problem:
        _failed(ctx, shipment, problem)
        return None


def _fulfil(
    ctx: OrderContext, shipment: Shipment, record: FulfilmentRecord | None, tracking: Tracking, *, notify_customer: bool
) -> str | None:
    shop = ctx.shopify.shop
    order_id = shopify_order_id(shipment.sale_reference, shop) or ""
    locations = shipment_locations(shipment, ctx.policy.locations)
    state = ctx.shopify.order_fulfilment(order_id)
    if state is None:
        raise StructuralError(
            Cause.FULFILMENT_ORDER_NOT_FOUND,
            f"shipment {shipment.shipment_id}: Shopify has no order {order_id} ({shipment.sale_reference})",
        )
    lost = record is not None and record.state is FulfilmentState.PENDING
    if record is not None and lost and len(state.fulfillment_ids) > record.fulfilments_before:
        # The create went through; its answer was lost.
        done = _recorded(ctx, record, state.fulfillment_ids[record.fulfilments_before])
        _follow_tracking(ctx, done, shipment, tracking, notify_customer=notify_customer)
        return None
    request = _plan(ctx, shipment, state, locations, tracking, notify_customer=notify_customer)
    pending = FulfilmentRecord(
        shop,
        shipment,
        order_id,
        FulfilmentState.PENDING,
        ctx.clock.now(),
        fulfilments_before=len(state.fulfillment_ids),
        tracking=request.tracking,
    )
    ctx.store.save_fulfilment_record(pending)
    fulfillment_id = ctx.shopify.create_fulfilment(request)
    _recorded(ctx, pending, fulfillment_id)
    log.info("shipment_fulfilled", shop=shop, shipment=shipment.shipment_id, fulfillment=fulfillment_id)
    return fulfillment_id


def _plan(
    ctx: OrderContext,
    shipment: Shipment,
    state: OrderFulfilment,
    locations: frozenset[str] | None,
    tracking: Tracking,
    *,
    notify_customer: bool,
) -> FulfilmentRequest:
    """The fulfilment of `shipment`; when its SKUs alone do not fit, single-SKU bundles on the order's
    lines are looked up, the ERP having shipped their components."""
    try:
        return plan_fulfilment(
            shipment, state.fulfillment_orders, notify_customer=notify_customer, locations=locations, tracking=tracking
        )
    except StructuralError:
        shipped = {line.sku for line in shipment.lines}
        candidates = {line.sku for fo in state.fulfillment_orders for line in fo.lines if line.sku} - shipped
        kits = bundles_among(ctx.back_office, ctx.policy.bundles, candidates) if candidates else {}
        if not kits:
            raise
        return plan_fulfilment(
            shipment,
            state.fulfillment_orders,
            notify_customer=notify_customer,
            locations=locations,
            kits=kits,
            tracking=tracking,
        )


def _recorded(ctx: OrderContext, record: FulfilmentRecord, fulfillment_id: str) -> FulfilmentRecord:
    done = replace(
        record,
        state=FulfilmentState.FULFILLED,
        fulfillment_id=fulfillment_id,
        updated_at=ctx.clock.now(),
        cause=None,
        detail=None,
    )
    ctx.store.save_fulfilment_record(done)
    return done


def _follow_tracking(
    ctx: OrderContext, record: FulfilmentRecord, shipment: Shipment, tracking: Tracking, *, notify_customer: bool
) -> None:
    """The ERP wrote a fulfilled shipment again: a tracking added or changed goes to Shopify's fulfilment."""
    if not tracking or tracking == record.tracking or record.fulfillment_id is None:
        return
    try:
        ctx.shopify.update_tracking(record.fulfillment_id, tracking, notify_customer=notify_customer)
    except StructuralError as problem:
        log.warning(
            "tracking_not_updated",
            shop=record.shop,
            shipment=record.shipment_id,
            cause=str(problem.cause),
            detail=problem.detail,
        )
        return
    ctx.store.save_fulfilment_record(replace(record, shipment=shipment, tracking=tracking, updated_at=ctx.clock.now()))
    log.info("tracking_updated", shop=record.shop, shipment=record.shipment_id, fulfillment=record.fulfillment_id)


def _failed(ctx: OrderContext, shipment: Shipment, problem: StructuralError) -> None:
    shop = ctx.shopify.shop
    order_id = shopify_order_id(shipment.sale_reference, shop) or ""
    ctx.store.save_fulfilment_record(
        FulfilmentRecord(
            shop,
            shipment,
            order_id,
            FulfilmentState.FAILED,
            ctx.clock.now(),
            cause=problem.cause,
            detail=problem.detail,
        )
    )
    log.warning(
        "shipment_not_fulfilled",
        shop=shop,
        shipment=shipment.shipment_id,
        cause=str(problem.cause),
        detail=problem.detail,
        what_to_do=problem.what_to_do,
    )
