"""fulfillmentTrackingInfoUpdate: a fulfilment's tracking replaced (carrier, numbers, URLs), as Shopify does.

The tracking given replaces what the fulfilment had; the fulfilment itself (its lines, its quantities)
does not change, nor does the order's fulfilment status. `notifyCustomer: true` sends the customer a
shipping update (recorded on the fulfilment, as at creation). The change is announced by
`fulfillments/update` and `orders/updated`. A fulfilment that does not exist, or was cancelled, is a
userError and nothing changes.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.fulfillment_commands import tracking_from_input
from shopify_sandbox.mutations.payloads import user_error
from shopify_sandbox.order_webhooks import order_rest_now
from shopify_sandbox.resolvers.context import state_of
from shopify_sandbox.resolvers.registry import resolves
from shopify_sandbox.rest_post_purchase import fulfillment_to_rest


@resolves("Mutation", "fulfillmentTrackingInfoUpdate")
def fulfillment_tracking_info_update(
    _root: Any,
    info: GraphQLResolveInfo,
    fulfillmentId: str,
    trackingInfoInput: dict[str, Any],
    notifyCustomer: bool | None = None,
    **_args: Any,
) -> dict[str, Any]:
    state = state_of(info)
    fulfillment = state.by_gid(fulfillmentId, "Fulfillment")
    if fulfillment is None:
        return {"fulfillment": None, "userErrors": [user_error("Fulfillment does not exist.", ["fulfillmentId"])]}
    if fulfillment.status == "CANCELLED":
        return {
            "fulfillment": None,
            "userErrors": [user_error("Cannot update tracking of a cancelled fulfillment.", ["fulfillmentId"])],
        }
    fulfillment.tracking_info = tracking_from_input(trackingInfoInput)
    if notifyCustomer:
        fulfillment.notify_customer = True
    fulfillment.updated_at = state.now()
    order = fulfillment.order
    state.publish("fulfillments/update", fulfillment_to_rest(fulfillment))
    if order is not None:
        order.updated_at = state.now()
        state.publish("orders/updated", order_rest_now(state, order))
    return {"fulfillment": fulfillment, "userErrors": []}
