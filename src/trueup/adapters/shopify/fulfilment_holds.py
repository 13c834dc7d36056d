"""trueup's own fulfilment holds in Shopify (the hold window): placed on an order's open fulfilment orders
and released when the order posts, without touching holds that others (the merchant, other apps) placed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog

from trueup.adapters.shopify import queries
from trueup.adapters.shopify.graphql import ShopifyGraphQL

log = structlog.get_logger(__name__)

# Unique among the holds one app places on one fulfilment order: how trueup knows its own hold.
HOLD_HANDLE = "trueup-hold-window"
# Fulfilment orders Shopify lets an app hold (ON_HOLD: held by someone else, or by trueup already).
HOLDABLE = frozenset({"OPEN", "IN_PROGRESS", "SCHEDULED", "ON_HOLD"})


def _fulfillment_orders(graphql: ShopifyGraphQL, order_gid: str) -> list[Mapping[str, Any]]:
    order = graphql.execute(queries.ORDER_HOLDS, {"id": order_gid}).get("order")
    return [] if order is None else list(order["fulfillmentOrders"]["nodes"])


def _own_hold(fulfillment_order: Mapping[str, Any]) -> str | None:
    """The id of trueup's hold on this fulfilment order, if it has one."""
    for hold in fulfillment_order.get("fulfillmentHolds") or []:
        if hold.get("handle") == HOLD_HANDLE and hold.get("heldByRequestingApp"):
            return str(hold["id"])
    return None


def hold(graphql: ShopifyGraphQL, order_gid: str, reason_notes: str) -> int:
    """Hold every holdable fulfilment order of the order under trueup's handle; returns how many it holds."""
    held = 0
    for fulfillment_order in _fulfillment_orders(graphql, order_gid):
        if _own_hold(fulfillment_order) is not None:
            held += 1
            continue
        if fulfillment_order["status"] not in HOLDABLE:
            continue
        variables = {
            "id": fulfillment_order["id"],
            "hold": {"reason": "OTHER", "reasonNotes": reason_notes, "handle": HOLD_HANDLE, "notifyMerchant": False},
        }
        result = graphql.execute(queries.FULFILLMENT_ORDER_HOLD, variables)["fulfillmentOrderHold"]
        errors = result.get("userErrors") or []
        if not errors or any(e.get("code") == "DUPLICATE_FULFILLMENT_HOLD_HANDLE" for e in errors):
            held += 1
        else:  # e.g. closed meanwhile: the hold is a courtesy to the warehouse, posting waits regardless
            codes = ",".join(str(e.get("code") or e.get("message")) for e in errors)
            log.warning("fulfilment_hold_refused", fulfillment_order=fulfillment_order["id"], codes=codes)
    return held


def release(graphql: ShopifyGraphQL, order_gid: str) -> int:
    """Release trueup's own holds on the order's fulfilment orders; returns how many it released."""
    released = 0
    for fulfillment_order in _fulfillment_orders(graphql, order_gid):
        hold_id = _own_hold(fulfillment_order)
        if hold_id is None:
            continue
        variables = {"id": fulfillment_order["id"], "holdIds": [hold_id]}
        result = graphql.execute(queries.FULFILLMENT_ORDER_RELEASE_HOLD, variables)["fulfillmentOrderReleaseHold"]
        errors = result.get("userErrors") or []
        if errors:
            codes = ",".join(str(e.get("code") or e.get("message")) for e in errors)
            log.warning("fulfilment_release_refused", fulfillment_order=fulfillment_order["id"], codes=codes)
        else:
            released += 1
    return released
