"""orderCreate."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.mutations.payloads import user_error
from shopify_sandbox.order_creation import OrderCreateError, create_order
from shopify_sandbox.resolvers.context import state_of
from shopify_sandbox.resolvers.registry import resolves


@resolves("Mutation", "orderCreate")
def order_create(
    _root: Any, info: GraphQLResolveInfo, order: dict[str, Any], options: dict[str, Any] | None = None, **_args: Any
) -> dict[str, Any]:
    try:
        created = create_order(state_of(info), order, options)
    except OrderCreateError as error:
        return {"order": None, "userErrors": [user_error(str(error), error.field, error.code)]}
    return {"order": created, "userErrors": []}
