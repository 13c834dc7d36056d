"""orderUpdate: shipping address, email, phone, note, PO number, tags."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.models.addresses import MailingAddress
from shopify_sandbox.mutations.payloads import user_error
from shopify_sandbox.resolvers.context import state_of
from shopify_sandbox.resolvers.registry import resolves
from shopify_sandbox.rest_payloads import order_to_rest

_SIMPLE_FIELDS = {"email": "email", "phone": "phone", "note": "note", "poNumber": "po_number"}


@resolves("Mutation", "orderUpdate")
def order_update(_root: Any, info: GraphQLResolveInfo, input: dict[str, Any], **_args: Any) -> dict[str, Any]:
    state = state_of(info)
    order = state.by_gid(input["id"], "Order")
    if order is None:
        return {"order": None, "userErrors": [user_error("Order does not exist", ["id"])]}
    for camel, snake in _SIMPLE_FIELDS.items():
        if camel in input:
            setattr(order, snake, input[camel])
    if input.get("tags") is not None:
        order.tags = list(input["tags"])
    if input.get("shippingAddress") is not None:
        order.shipping_address = (order.shipping_address or MailingAddress()).updated(input["shippingAddress"])
    if input.get("customAttributes") is not None:
        order.custom_attributes = [{"key": a["key"], "value": a["value"]} for a in input["customAttributes"]]
    order.updated_at = state.now()
    state.publish("orders/updated", order_to_rest(order))
    return {"order": order, "userErrors": []}
