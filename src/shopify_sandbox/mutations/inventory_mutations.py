"""inventorySetQuantities and inventoryAdjustQuantities, with the required `@idempotent(key:)` honoured."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from shopify_sandbox.inventory_commands import ChangeFromQuantityMissing, adjust_quantities, set_quantities
from shopify_sandbox.mutations.payloads import idempotency_key, user_error
from shopify_sandbox.resolvers.context import state_of
from shopify_sandbox.resolvers.registry import resolves
from shopify_sandbox.state import ShopState


def _idempotent(
    info: GraphQLResolveInfo,
    mutation: str,
    arguments: dict[str, Any],
    apply: Callable[[ShopState, dict[str, Any]], dict[str, Any]],
) -> dict[str, Any]:
    """Run `apply` once per idempotency key: the same key returns the first payload and applies nothing."""
    state = state_of(info)
    key = idempotency_key(info)
    assert key is not None
    remembered = state.idempotency.recall(mutation, key)
    if remembered is not None:
        if remembered.fingerprint != state.idempotency.fingerprint(arguments):
            error = user_error(
                "The same idempotency key cannot be used with different operation parameters.",
                None,
                "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
            )
            return {"inventoryAdjustmentGroup": None, "userErrors": [error]}
        return remembered.result
    try:
        payload = apply(state, arguments["input"])
    except ChangeFromQuantityMissing as error:
        raise GraphQLError(str(error), extensions={"code": "BAD_REQUEST"}) from error
    state.idempotency.remember(mutation, key, arguments, payload)
    return payload


@resolves("Mutation", "inventorySetQuantities")
def inventory_set_quantities(
    _root: Any, info: GraphQLResolveInfo, input: dict[str, Any], **_args: Any
) -> dict[str, Any]:
    return _idempotent(info, "inventorySetQuantities", {"input": input}, set_quantities)


@resolves("Mutation", "inventoryAdjustQuantities")
def inventory_adjust_quantities(
    _root: Any, info: GraphQLResolveInfo, input: dict[str, Any], **_args: Any
) -> dict[str, Any]:
    return _idempotent(info, "inventoryAdjustQuantities", {"input": input}, adjust_quantities)
