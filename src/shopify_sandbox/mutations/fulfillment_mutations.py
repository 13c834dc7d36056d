"""fulfillmentCreate, fulfillmentOrderHold and fulfillmentOrderReleaseHold."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.fulfillment_commands import FulfillmentError, create_fulfillment, refresh_fulfillment_status
from shopify_sandbox.fulfillment_holds import place_hold, release_holds
from shopify_sandbox.mutations.payloads import user_error
from shopify_sandbox.order_webhooks import order_rest_now
from shopify_sandbox.resolvers.context import state_of
from shopify_sandbox.resolvers.registry import resolves
from shopify_sandbox.rest_post_purchase import fulfillment_order_to_rest, hold_to_rest


@resolves("Mutation", "fulfillmentCreate")
def fulfillment_create(
    _root: Any, info: GraphQLResolveInfo, fulfillment: dict[str, Any], message: str | None = None
) -> dict[str, Any]:
    try:
        created = create_fulfillment(state_of(info), fulfillment)
    except FulfillmentError as error:
        return {"fulfillment": None, "userErrors": [user_error(str(error), error.field)]}
    return {"fulfillment": created, "userErrors": []}


def _not_found(payload: dict[str, Any]) -> dict[str, Any]:
    return payload | {
        "userErrors": [user_error("Fulfillment order does not exist.", ["id"], "FULFILLMENT_ORDER_NOT_FOUND")]
    }


@resolves("Mutation", "fulfillmentOrderHold")
def fulfillment_order_hold(
    _root: Any, info: GraphQLResolveInfo, id: str, fulfillmentHold: dict[str, Any]
) -> dict[str, Any]:
    state = state_of(info)
    empty = {"fulfillmentHold": None, "fulfillmentOrder": None, "remainingFulfillmentOrder": None}
    fulfillment_order = state.by_gid(id, "FulfillmentOrder")
    if fulfillment_order is None:
        return _not_found(empty)
    try:
        hold, remaining = place_hold(state, fulfillment_order, fulfillmentHold)
    except FulfillmentError as error:
        return empty | {
            "fulfillmentOrder": fulfillment_order,
            "userErrors": [user_error(str(error), error.field, error.code)],
        }
    _announce_hold_change(
        state,
        fulfillment_order,
        "fulfillment_orders/placed_on_hold",
        {
            "remaining_fulfillment_order": fulfillment_order_to_rest(remaining) if remaining else None,
            "created_fulfillment_hold": hold_to_rest(hold),
        },
    )
    return {
        "fulfillmentHold": hold,
        "fulfillmentOrder": fulfillment_order,
        "remainingFulfillmentOrder": remaining,
        "userErrors": [],
    }


@resolves("Mutation", "fulfillmentOrderReleaseHold")
def fulfillment_order_release_hold(
    _root: Any, info: GraphQLResolveInfo, id: str, holdIds: list[str] | None = None, externalId: str | None = None
) -> dict[str, Any]:
    state = state_of(info)
    fulfillment_order = state.by_gid(id, "FulfillmentOrder")
    if fulfillment_order is None:
        return _not_found({"fulfillmentOrder": None})
    released = list(fulfillment_order.fulfillment_holds)
    try:
        release_holds(state, fulfillment_order, holdIds)
    except FulfillmentError as error:
        return {"fulfillmentOrder": fulfillment_order, "userErrors": [user_error(str(error), error.field, error.code)]}
    gone = [hold for hold in released if hold not in fulfillment_order.fulfillment_holds]
    _announce_hold_change(
        state,
        fulfillment_order,
        "fulfillment_orders/hold_released",
        {"released_fulfillment_holds": [hold_to_rest(hold) for hold in gone]},
    )
    return {"fulfillmentOrder": fulfillment_order, "userErrors": []}


def _announce_hold_change(state: Any, fulfillment_order: Any, topic: str, extra: dict[str, Any]) -> None:
    order = fulfillment_order.order
    state.publish(topic, {"fulfillment_order": fulfillment_order_to_rest(fulfillment_order)} | extra)
    if order is not None:
        refresh_fulfillment_status(order)
        order.updated_at = state.now()
        state.publish("orders/updated", order_rest_now(state, order))
