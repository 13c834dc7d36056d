"""refundCreate, with the `@idempotent(key:)` Shopify requires: the same key returns the same refund."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.mutations.payloads import idempotency_key, user_error
from shopify_sandbox.refunds import RefundError, create_refund
from shopify_sandbox.resolvers.context import state_of
from shopify_sandbox.resolvers.registry import resolves

KEY_REUSED = "The same idempotency key cannot be used with different operation parameters."


@resolves("Mutation", "refundCreate")
def refund_create(_root: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    state = state_of(info)
    key = idempotency_key(info)
    assert key is not None
    arguments = {"input": input}
    remembered = state.idempotency.recall("refundCreate", key)
    if remembered is not None:
        if remembered.fingerprint != state.idempotency.fingerprint(arguments):
            error = user_error(KEY_REUSED, None, "IDEMPOTENCY_KEY_PARAMETER_MISMATCH")
            return {"refund": None, "order": None, "userErrors": [error]}
        return remembered.result
    try:
        refund = create_refund(state, input)
    except RefundError as error:
        # A rejected refund applied nothing: the caller may fix the input and retry under the same key.
        return {"refund": None, "order": None, "userErrors": [user_error(str(error), error.field)]}
    payload: dict[str, Any] = {"refund": refund, "order": refund.order, "userErrors": []}
    state.idempotency.remember("refundCreate", key, arguments, payload)
    return payload
