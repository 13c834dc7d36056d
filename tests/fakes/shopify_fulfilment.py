"""The fulfilment side of FakeShopifyAdmin, as Shopify keeps it: one fulfilment order per order and
location (the location each line's stock was assigned to; `DEFAULT_LOCATION` unless a test places a line
elsewhere), a fulfilment order line per line item, units fulfilled per fulfilment order line, fulfilments
per order with their tracking. Held to the real client by tests/contract/test_shopify_contract.py and
tests/contract/test_shopify_fulfilment_contract.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from trueup.domain.errors import Cause, StructuralError
from trueup.domain.fulfilment import FulfillmentOrder, FulfillmentOrderLine, FulfilmentRequest, Tracking
from trueup.domain.orders import ShopifyOrder

DEFAULT_LOCATION = "gid://shopify/Location/1"
REFUSED = "Shopify refused the fulfilment: "


def fulfillment_order_id(order_id: str, location_id: str = DEFAULT_LOCATION) -> str:
    """The fake's fulfilment order of an order at a location: the order's number (and the location's
    number, for another location than the default)."""
    number = order_id.rsplit("/", 1)[-1]
    if location_id == DEFAULT_LOCATION:
        return f"gid://shopify/FulfillmentOrder/{number}"
    return f"gid://shopify/FulfillmentOrder/{number}-{location_id.rsplit('/', 1)[-1]}"


def order_of_fulfillment_order(fulfillment_order_gid: str) -> str:
    return f"gid://shopify/Order/{fulfillment_order_gid.rsplit('/', 1)[-1].split('-')[0]}"


def fo_line_id(order_id: str, line_id: str) -> str:
    """The fake's fulfilment order line of a line item: its order's and its own numbers."""
    return f"gid://shopify/FulfillmentOrderLineItem/{order_id.rsplit('/', 1)[-1]}-{line_id.rsplit('/', 1)[-1]}"


@dataclass
class FakeFulfilmentBook:
    fulfilled: dict[str, int] = field(default_factory=dict)  # fulfilment order line → units fulfilled
    line_locations: dict[tuple[str, str], str] = field(default_factory=dict)  # (order, line item) → location
    tracking: dict[str, Tracking] = field(default_factory=dict)  # fulfilment id → its tracking now
    tracking_updates: list[tuple[str, Tracking, bool]] = field(default_factory=list)  # (id, tracking, notify)

    def fulfillment_orders(self, order: ShopifyOrder, held: bool) -> tuple[FulfillmentOrder, ...]:
        by_location: dict[str, list[FulfillmentOrderLine]] = {}
        totals: dict[str, int] = {}
        for line in order.lines:
            location = self.line_locations.get((order.order_id, line.line_id), DEFAULT_LOCATION)
            fo_line = fo_line_id(order.order_id, line.line_id)
            totals[fo_line] = line.quantity
            remaining = line.quantity - self.fulfilled.get(fo_line, 0)
            by_location.setdefault(location, []).append(FulfillmentOrderLine(fo_line, line.sku, remaining))
        return tuple(
            FulfillmentOrder(
                fulfillment_order_id(order.order_id, location),
                _status(lines, totals, held),
                tuple(lines),
                location,
            )
            for location, lines in by_location.items()
        )

    def check(self, request: FulfilmentRequest, orders: Callable[[str], tuple[FulfillmentOrder, ...]]) -> str:
        """The order `request` fulfils, once Shopify's rules hold (one order, one location, open fulfilment
        orders, quantities within what remains); StructuralError as the real client raises it otherwise."""
        order_ids = {order_of_fulfillment_order(fo_id) for fo_id in request.lines_by_order}
        if len(order_ids) != 1 or not request.lines_by_order:
            raise StructuralError(Cause.FULFILMENT_ORDER_NOT_FOUND, REFUSED + "Fulfillment order does not exist.")
        known: Mapping[str, FulfillmentOrder] = {fo.fulfillment_order_id: fo for fo in orders(next(iter(order_ids)))}
        chosen = [known.get(fo_id) for fo_id in request.lines_by_order]
        if any(fo is None for fo in chosen):
            raise StructuralError(Cause.FULFILMENT_ORDER_NOT_FOUND, REFUSED + "Fulfillment order does not exist.")
        if len({fo.location_id for fo in chosen if fo}) > 1:
            raise StructuralError(
                Cause.FULFILMENT_ORDER_NOT_FOUND,
                REFUSED + "All fulfillment orders must be assigned to the same location.",
            )
        for fo in chosen:
            assert fo is not None
            if fo.status not in ("OPEN", "IN_PROGRESS"):
                raise StructuralError(
                    Cause.FULFILMENT_ORDER_NOT_FOUND, REFUSED + f"unfulfillable status= {fo.status.lower()}."
                )
            remaining = {line.line_id: line.remaining for line in fo.lines}
            wanted = request.lines_by_order[fo.fulfillment_order_id]
            if not wanted or any(not 0 < q <= remaining.get(i, 0) for i, q in wanted.items()):
                raise StructuralError(
                    Cause.FULFILMENT_ORDER_NOT_FOUND,
                    REFUSED + "Invalid fulfillment order line item quantity requested.",
                )
        return next(iter(order_ids))

    def fulfil(self, request: FulfilmentRequest, fulfillment_id: str) -> None:
        for lines in request.lines_by_order.values():
            for line_id, q in lines.items():
                self.fulfilled[line_id] = self.fulfilled.get(line_id, 0) + q
        self.tracking[fulfillment_id] = request.tracking

    def update_tracking(self, fulfillment_id: str, tracking: Tracking, notify_customer: bool) -> None:
        if fulfillment_id not in self.tracking:
            raise StructuralError(
                Cause.FULFILMENT_ORDER_NOT_FOUND,
                f"Shopify refused the tracking of {fulfillment_id}: Fulfillment does not exist.",
            )
        self.tracking[fulfillment_id] = tracking
        self.tracking_updates.append((fulfillment_id, tracking, notify_customer))


def _status(lines: list[FulfillmentOrderLine], totals: Mapping[str, int], held: bool) -> str:
    if all(line.remaining == 0 for line in lines):
        return "CLOSED"
    if held:
        return "ON_HOLD"
    return "IN_PROGRESS" if any(line.remaining < totals[line.line_id] for line in lines) else "OPEN"
