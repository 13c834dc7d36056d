"""Fulfilment back to Shopify: which open fulfilment order lines a despatched ERP shipment covers.

Pure: the shipment (what left the warehouse, by SKU) and the order's fulfilment orders (what Shopify
still expects to ship) in, the lines of one fulfilment out, or a StructuralError saying what to do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from trueup.domain.errors import Cause, StructuralError

# Fulfilment order statuses Shopify accepts a fulfilment on.
OPEN_STATUSES = frozenset({"OPEN", "IN_PROGRESS"})


@dataclass(frozen=True)
class ShipmentLine:
    sku: str
    quantity: int


@dataclass(frozen=True)
class Shipment:
    """A customer shipment the ERP/WMS has despatched. `sale_reference` is the sale's external reference
    as trueup posted it ("shopify:<shop>:<order number>")."""

    shipment_id: str
    sale_reference: str
    lines: tuple[ShipmentLine, ...]
    carrier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None


@dataclass(frozen=True)
class FulfillmentOrderLine:
    line_id: str  # gid://shopify/FulfillmentOrderLineItem/<n>
    sku: str
    remaining: int


@dataclass(frozen=True)
class FulfillmentOrder:
    fulfillment_order_id: str
    status: str  # Shopify's FulfillmentOrderStatus: OPEN, IN_PROGRESS, CLOSED, ...
    lines: tuple[FulfillmentOrderLine, ...]


@dataclass(frozen=True)
class OrderFulfilment:
    """What Shopify holds about an order's fulfilment: its fulfilment orders and the fulfilments made."""

    order_id: str
    fulfillment_orders: tuple[FulfillmentOrder, ...]
    fulfillment_ids: tuple[str, ...]


@dataclass(frozen=True)
class FulfilmentRequest:
    """One fulfilmentCreate: quantities per fulfilment order line, grouped by fulfilment order."""

    lines_by_order: dict[str, dict[str, int]]
    carrier: str | None
    tracking_number: str | None
    tracking_url: str | None
    notify_customer: bool


def shopify_order_id(sale_reference: str, shop: str) -> str | None:
    """The Shopify order id behind a sale reference of `shop` (see posting.order_reference), or None when
    the reference is not one of this shop's orders."""
    prefix = f"shopify:{shop}:"
    number = sale_reference.removeprefix(prefix)
    if not sale_reference.startswith(prefix) or not number.isdigit():
        return None
    return f"gid://shopify/Order/{number}"


def plan_fulfilment(
    shipment: Shipment, fulfillment_orders: Sequence[FulfillmentOrder], *, notify_customer: bool
) -> FulfilmentRequest:
    """The fulfilment covering `shipment`: each shipped SKU taken from the open lines with that SKU, in
    Shopify's order. Raises StructuralError when some shipped quantity has no open line to go on."""
    open_orders = [fo for fo in fulfillment_orders if fo.status in OPEN_STATUSES]
    wanted: dict[str, int] = defaultdict(int)
    for line in shipment.lines:
        wanted[line.sku] += line.quantity
    taken: dict[str, dict[str, int]] = defaultdict(dict)
    for fo in open_orders:
        for fo_line in fo.lines:
            quantity = min(wanted.get(fo_line.sku, 0), fo_line.remaining)
            if quantity > 0:
                taken[fo.fulfillment_order_id][fo_line.line_id] = quantity
                wanted[fo_line.sku] -= quantity
    missing = {sku: q for sku, q in wanted.items() if q > 0}
    if missing:
        raise _not_fulfillable(shipment, missing, closed=len(open_orders) < len(fulfillment_orders))
    return FulfilmentRequest(
        dict(taken), shipment.carrier, shipment.tracking_number, shipment.tracking_url, notify_customer
    )


def _not_fulfillable(shipment: Shipment, missing: dict[str, int], *, closed: bool) -> StructuralError:
    shown = ", ".join(f"{q} × {sku}" for sku, q in sorted(missing.items()))
    why = "some fulfilment orders are closed or on hold" if closed else "no open fulfilment order line has them"
    return StructuralError(
        Cause.FULFILMENT_ORDER_NOT_FOUND,
        f"shipment {shipment.shipment_id} of {shipment.sale_reference}: {shown} cannot be fulfilled ({why})",
        {"shipments": [shipment.shipment_id]},
    )
