"""Fulfilment back to Shopify: each shipment the ERP/WMS despatches becomes one Shopify fulfilment.

Never two fulfilments for one shipment: before creating, the shipment is marked pending in trueup's store
with the number of fulfilments the order had; after, the fulfilment id is recorded. A retry that finds the
mark pending and the order with more fulfilments than then knows the create went through (its answer was
lost) and records the newer fulfilment instead of creating another. One shop's poll runs as one job key,
so two workers never handle the same shipment at once.

A shipment that cannot be fulfilled (order unknown, lines closed, held or already fulfilled by hand) is
recorded as failed with its cause and what to do, and logged; it is tried again whenever the ERP writes the
shipment again (it then comes back in the poll).
"""

from __future__ import annotations

import structlog

from trueup.domain.errors import Cause, StructuralError
from trueup.domain.fulfilment import Shipment, plan_fulfilment, shopify_order_id
from trueup.service_layer.sync_order import OrderContext

log = structlog.get_logger(__name__)

CURSOR = "shipments_despatched"
_PENDING = "pending:"
_FAILED = "failed:"


def record_name(shipment: Shipment) -> str:
    """The store key of what trueup did with `shipment` (a fulfilment id, pending, or failed)."""
    return f"fulfilment:{shipment.shipment_id}"


def fulfil_despatched(ctx: OrderContext, *, notify_customer: bool) -> int:
    """Fulfil in Shopify the shipments of this shop's sales despatched since the cursor (one batch);
    returns how many fulfilments were created. Moves the cursor once the batch is handled."""
    shop = ctx.shopify.shop
    shipments, cursor = ctx.back_office.despatched_shipments(ctx.store.cursor(shop, CURSOR))
    created = 0
    for shipment in shipments:
        if shopify_order_id(shipment.sale_reference, shop) is not None:
            created += fulfil_shipment(ctx, shipment, notify_customer=notify_customer) is not None
    if cursor is not None:
        ctx.store.set_cursor(shop, CURSOR, cursor)
    return created


def fulfil_shipment(ctx: OrderContext, shipment: Shipment, *, notify_customer: bool) -> str | None:
    """Create the Shopify fulfilment of `shipment` unless one was made; returns the id of the one created
    now, None if it already existed or the shipment was recorded as failed. TransientError propagates."""
    shop = ctx.shopify.shop
    recorded = ctx.store.cursor(shop, record_name(shipment))
    if recorded and not recorded.startswith((_PENDING, _FAILED)):
        return None
    try:
        return _fulfil(ctx, shipment, recorded, notify_customer=notify_customer)
    except StructuralError as problem:
        ctx.store.set_cursor(shop, record_name(shipment), f"{_FAILED}{problem.cause}: {problem.detail}")
        log.warning(
            "shipment_not_fulfilled", shop=shop, shipment=shipment.shipment_id, cause=str(problem.cause),
            detail=problem.detail, what_to_do=problem.what_to_do,
        )  # fmt: skip
        return None


def _fulfil(ctx: OrderContext, shipment: Shipment, recorded: str | None, *, notify_customer: bool) -> str | None:
    shop, name = ctx.shopify.shop, record_name(shipment)
    order_id = shopify_order_id(shipment.sale_reference, shop) or ""
    state = ctx.shopify.order_fulfilment(order_id)
    if state is None:
        raise StructuralError(
            Cause.FULFILMENT_ORDER_NOT_FOUND,
            f"shipment {shipment.shipment_id}: Shopify has no order {order_id} ({shipment.sale_reference})",
        )
    if recorded and recorded.startswith(_PENDING):
        before = int(recorded.removeprefix(_PENDING))
        if len(state.fulfillment_ids) > before:  # the create went through; its answer was lost
            ctx.store.set_cursor(shop, name, state.fulfillment_ids[before])
            return None
    request = plan_fulfilment(shipment, state.fulfillment_orders, notify_customer=notify_customer)
    ctx.store.set_cursor(shop, name, f"{_PENDING}{len(state.fulfillment_ids)}")
    fulfillment_id = ctx.shopify.create_fulfilment(request)
    ctx.store.set_cursor(shop, name, fulfillment_id)
    log.info("shipment_fulfilled", shop=shop, shipment=shipment.shipment_id, fulfillment=fulfillment_id)
    return fulfillment_id
