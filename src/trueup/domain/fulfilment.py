"""Fulfilment back to Shopify: which open fulfilment order lines a despatched ERP shipment covers.

Pure: the shipment (what left which warehouse, by SKU) and the order's fulfilment orders (what Shopify
still expects to ship, from which location) in, the lines of one fulfilment out, or a StructuralError
saying what to do.

Shopify takes one fulfilment from one location: the shipment's warehouse names the locations it may come
from (through the configured location → warehouse map), and the whole shipment must fit the open lines
of one of them. A single-SKU bundle the ERP shipped as its components fulfils the bundle's line by the
number of complete bundles in the shipment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from trueup.domain.bundles import KitComponent
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.inventory import location_gid
from trueup.domain.orders import order_gid

# Fulfilment order statuses Shopify accepts a fulfilment on.
OPEN_STATUSES = frozenset({"OPEN", "IN_PROGRESS"})


@dataclass(frozen=True)
class ShipmentLine:
    sku: str
    quantity: int


@dataclass(frozen=True)
class Shipment:
    """A customer shipment the ERP/WMS has despatched. `sale_reference` is the sale's external reference
    as trueup posted it ("shopify:<shop>:<numeric order id>"); `warehouse` the code of the ERP warehouse it
    left from (None when the ERP does not say)."""

    shipment_id: str
    sale_reference: str
    lines: tuple[ShipmentLine, ...]
    carrier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    warehouse: str | None = None


@dataclass(frozen=True)
class Tracking:
    """What Shopify shows the customer: the carrier's name, the tracking number and its web page."""

    company: str | None = None
    number: str | None = None
    url: str | None = None

    def __bool__(self) -> bool:
        return any((self.company, self.number, self.url))


@dataclass(frozen=True)
class FulfillmentOrderLine:
    line_id: str  # gid://shopify/FulfillmentOrderLineItem/<n>
    sku: str
    remaining: int


@dataclass(frozen=True)
class FulfillmentOrder:
    fulfillment_order_id: str
    status: str  # Shopify's FulfillmentOrderStatus: OPEN, IN_PROGRESS, CLOSED, ON_HOLD, ...
    lines: tuple[FulfillmentOrderLine, ...]
    location_id: str | None = None  # the assigned location, gid://shopify/Location/<n>


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

    @property
    def tracking(self) -> Tracking:
        return Tracking(self.carrier, self.tracking_number, self.tracking_url)


class FulfilmentState(StrEnum):
    """What trueup did with one ERP shipment."""

    PENDING = "pending"  # a fulfilmentCreate was sent; its answer is not recorded yet
    FULFILLED = "fulfilled"  # Shopify has its fulfilment (`fulfillment_id`)
    FAILED = "failed"  # it could not be fulfilled: `cause`, `detail`
    RETRY = "retry"  # failed, then asked to be tried again (replay): the next fulfilment run tries it


@dataclass(frozen=True)
class FulfilmentRecord:
    """trueup's record of one shipment: never two fulfilments for it, and its failure shown until fixed."""

    shop: str
    shipment: Shipment  # as last handled (its tracking is what Shopify was given)
    order_id: str  # gid://shopify/Order/<n>
    state: FulfilmentState
    updated_at: datetime
    fulfillment_id: str | None = None
    fulfilments_before: int = 0  # PENDING: how many fulfilments the order had before the create
    tracking: Tracking = field(default_factory=Tracking)  # what Shopify holds for the fulfilment
    cause: Cause | None = None
    detail: str | None = None

    @property
    def shipment_id(self) -> str:
        return self.shipment.shipment_id


def shopify_order_id(sale_reference: str, shop: str) -> str | None:
    """The Shopify order id behind a sale reference of `shop` (see posting.order_reference), or None when
    the reference is not one of this shop's orders."""
    prefix = f"shopify:{shop}:"
    if not sale_reference.startswith(prefix):
        return None
    return order_gid(sale_reference.removeprefix(prefix))


def shipment_locations(shipment: Shipment, locations: Mapping[str, str]) -> frozenset[str] | None:
    """The Shopify locations (gids) the shipment's warehouse is mapped to; None when no location is mapped
    at all (a one-warehouse shop: any location). Raises UNMAPPED_LOCATION for a warehouse mapped to none."""
    if not locations:
        return None
    mapped = frozenset(location_gid(loc) for loc, warehouse in locations.items() if warehouse == shipment.warehouse)
    if not mapped:
        raise StructuralError(
            Cause.UNMAPPED_LOCATION,
            f"shipment {shipment.shipment_id} of {shipment.sale_reference} left warehouse "
            f"{shipment.warehouse or '(none given)'}, which no Shopify location is mapped to",
            {"warehouses": [shipment.warehouse or ""]},
        )
    return mapped


def tracking_of(shipment: Shipment, url_templates: Mapping[str, str]) -> Tracking:
    """The shipment's tracking for Shopify: the ERP's URL, else the carrier's URL template (configured by
    carrier name, "{number}" standing for the tracking number) filled in."""
    url = shipment.tracking_url
    template = url_templates.get(shipment.carrier or "")
    if not url and template and shipment.tracking_number:
        url = template.replace("{number}", shipment.tracking_number)
    return Tracking(shipment.carrier, shipment.tracking_number, url)


def plan_fulfilment(
    shipment: Shipment,
    fulfillment_orders: Sequence[FulfillmentOrder],
    *,
    notify_customer: bool,
    locations: Collection[str] | None = None,
    kits: Mapping[str, Sequence[KitComponent]] | None = None,
    tracking: Tracking | None = None,
) -> FulfilmentRequest:
    """The fulfilment covering `shipment`: the open fulfilment orders of one location among `locations`
    (None: any) whose lines take every shipped unit — each SKU from the lines with that SKU, in Shopify's
    order; then complete `kits` (bundle SKU → components) from their components. Raises StructuralError
    when no location's open lines take the whole shipment."""
    here = [fo for fo in fulfillment_orders if locations is None or fo.location_id in locations]
    open_orders = [fo for fo in here if fo.status in OPEN_STATUSES]
    by_location: dict[str | None, list[FulfillmentOrder]] = defaultdict(list)
    for fo in open_orders:
        by_location[fo.location_id].append(fo)
    wanted = shipped_units(shipment)
    best: dict[str, int] = wanted
    for orders in by_location.values():
        taken, missing = _take(wanted, orders, kits or {})
        if not missing:
            chosen = tracking if tracking is not None else tracking_of(shipment, {})
            return FulfilmentRequest(taken, chosen.company, chosen.number, chosen.url, notify_customer)
        if sum(missing.values()) < sum(best.values()):
            best = missing
    closed = len(open_orders) < len(here)
    raise _not_fulfillable(shipment, best, closed=closed, locations=locations)


def shipped_units(shipment: Shipment) -> dict[str, int]:
    """Units shipped per SKU."""
    units: dict[str, int] = defaultdict(int)
    for line in shipment.lines:
        units[line.sku] += line.quantity
    return dict(units)


def _take(
    wanted: Mapping[str, int], orders: Sequence[FulfillmentOrder], kits: Mapping[str, Sequence[KitComponent]]
) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """Quantities per fulfilment order line taking `wanted` from `orders`, and what is left over."""
    left = dict(wanted)
    taken: dict[str, dict[str, int]] = defaultdict(dict)
    for fo in orders:
        for line in fo.lines:
            quantity = min(left.get(line.sku, 0), line.remaining)
            if quantity > 0:
                taken[fo.fulfillment_order_id][line.line_id] = quantity
                left[line.sku] -= quantity
    for fo in orders:
        for line in fo.lines:
            components = kits.get(line.sku)
            if components and line.remaining > 0 and line.line_id not in taken[fo.fulfillment_order_id]:
                bundles = min(complete_bundles(left, components), line.remaining)
                if bundles > 0:
                    taken[fo.fulfillment_order_id][line.line_id] = bundles
                    for component in components:
                        left[component.sku] -= int(component.quantity_for(bundles))
    return {fo: lines for fo, lines in taken.items() if lines}, {sku: q for sku, q in left.items() if q > 0}


def complete_bundles(units: Mapping[str, int], components: Sequence[KitComponent]) -> int:
    """How many whole bundles of `components` `units` (per SKU) make up (a `fixed` component, one lot per
    line, must be there in full)."""
    counts = []
    for component in components:
        have = Decimal(units.get(component.sku, 0))
        if component.fixed:
            if have < component.quantity:
                return 0
            continue
        counts.append(int(have // component.quantity))
    return min(counts, default=0)


def _not_fulfillable(
    shipment: Shipment, missing: dict[str, int], *, closed: bool, locations: Collection[str] | None
) -> StructuralError:
    shown = ", ".join(f"{q} × {sku}" for sku, q in sorted(missing.items()))
    where = f" at {', '.join(sorted(locations))}" if locations is not None else ""
    why = (
        "some fulfilment orders are closed or on hold"
        if closed
        else f"no open fulfilment order{where} has them (a bundle shipped in part counts only when complete)"
    )
    return StructuralError(
        Cause.FULFILMENT_ORDER_NOT_FOUND,
        f"shipment {shipment.shipment_id} of {shipment.sale_reference}: {shown} cannot be fulfilled ({why})",
        {"shipments": [shipment.shipment_id]},
    )
