"""Mutation payloads as Shopify shapes them: the result plus `userErrors` ({field, message, code})."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, get_directive_values

IDEMPOTENT_KEY_REQUIRED = "The @idempotent directive with a key is required for this mutation."


def user_error(message: str, field: list[str] | None = None, code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"field": field, "message": message}
    if code is not None:
        error["code"] = code
    return error


def idempotency_key(info: GraphQLResolveInfo, required: bool = True) -> str | None:
    """The `@idempotent(key:)` on this mutation field; a missing key is an error where it is required."""
    directive = info.schema.get_directive("idempotent")
    values = get_directive_values(directive, info.field_nodes[0], info.variable_values) if directive else None
    key = (values or {}).get("key")
    if required and not key:
        raise GraphQLError(IDEMPOTENT_KEY_REQUIRED, extensions={"code": "BAD_REQUEST"})
    return key
