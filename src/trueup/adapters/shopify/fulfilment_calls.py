"""An order's fulfilment orders read whole (every page), and a fulfilment's tracking replaced.

`Order.fulfillmentOrders` is read 10 at a time, each with its first 50 lines; a fulfilment order with
more lines has the rest read from `fulfillmentOrder.lineItems`, 250 at a time. `Order.fulfillments` is a
plain list, read up to 250 (an order with more fulfilments than that is beyond what trueup fulfils).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trueup.adapters.shopify import queries
from trueup.adapters.shopify.graphql import ShopifyGraphQL
from trueup.adapters.shopify.pagination import walk_pages
from trueup.domain.errors import Cause, StructuralError, TransientError
from trueup.domain.fulfilment import FulfillmentOrder, FulfillmentOrderLine, OrderFulfilment, Tracking


def tracking_input(tracking: Tracking) -> dict[str, str]:
    """FulfillmentTrackingInput with what the ERP has (empty when it has nothing)."""
    fields = (("company", tracking.company), ("number", tracking.number), ("url", tracking.url))
    return {key: value for key, value in fields if value}


def read_order_fulfilment(graphql: ShopifyGraphQL, order_gid: str) -> OrderFulfilment | None:
    """The order's fulfilment orders, every one with every line, and its fulfilments' ids, oldest first."""
    orders: list[Mapping[str, Any]] = []

    def page(after: str | None) -> Mapping[str, Any]:
        order = graphql.execute(queries.ORDER_FULFILMENT, {"id": order_gid, "after": after}).get("order")
        if order is None:
            if orders:  # deleted between two pages: the next attempt sees it gone
                raise TransientError(f"{order_gid} vanished while its fulfilment orders were read")
            return {"nodes": []}
        orders.append(order)
        connection: Mapping[str, Any] = order["fulfillmentOrders"]
        return connection

    nodes = list(walk_pages(page, f"the fulfilment orders of {order_gid}"))
    if not orders:
        return None
    first = orders[0]
    fulfillment_ids = tuple(str(f["id"]) for f in first["fulfillments"])
    return OrderFulfilment(str(first["id"]), tuple(_fulfillment_order(graphql, fo) for fo in nodes), fulfillment_ids)


def _fulfillment_order(graphql: ShopifyGraphQL, node: Mapping[str, Any]) -> FulfillmentOrder:
    lines = list(node["lineItems"]["nodes"])
    page_info = node["lineItems"].get("pageInfo") or {}
    if page_info.get("hasNextPage"):
        gid = str(node["id"])

        def page(after: str | None) -> Mapping[str, Any]:
            fo = graphql.execute(queries.FULFILLMENT_ORDER_LINES_PAGE, {"id": gid, "after": after}).get(
                "fulfillmentOrder"
            )
            if fo is None:
                raise TransientError(f"{gid} vanished while its lines were read")
            connection: Mapping[str, Any] = fo["lineItems"]
            return connection

        lines += walk_pages(page, f"the lines of {gid}", start_after=page_info.get("endCursor"))
    location = ((node.get("assignedLocation") or {}).get("location") or {}).get("id")
    return FulfillmentOrder(
        str(node["id"]),
        str(node["status"]),
        tuple(
            FulfillmentOrderLine(str(line["id"]), str(line.get("sku") or ""), int(line["remainingQuantity"]))
            for line in lines
        ),
        str(location) if location else None,
    )


def update_tracking(graphql: ShopifyGraphQL, fulfillment_id: str, tracking: Tracking, *, notify_customer: bool) -> None:
    """fulfillmentTrackingInfoUpdate: the fulfilment's tracking replaced by `tracking`."""
    variables = {"id": fulfillment_id, "tracking": tracking_input(tracking), "notify": notify_customer}
    result = graphql.execute(queries.FULFILLMENT_TRACKING_UPDATE, variables)["fulfillmentTrackingInfoUpdate"]
    errors = result.get("userErrors") or []
    if errors or not result.get("fulfillment"):
        details = "; ".join(str(e.get("message")) for e in errors) or "no fulfilment returned"
        raise StructuralError(
            Cause.FULFILMENT_ORDER_NOT_FOUND, f"Shopify refused the tracking of {fulfillment_id}: {details}"
        )
