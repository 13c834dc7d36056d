"""orderEditBegin, orderEditAddVariant, orderEditSetQuantity and orderEditCommit."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.ids import parse_gid
from shopify_sandbox.mutations.payloads import user_error
from shopify_sandbox.order_editing import (
    EditError,
    add_line_discount,
    add_variant,
    begin,
    commit_edit,
    find_session,
    set_quantity,
)
from shopify_sandbox.order_money import order_currencies
from shopify_sandbox.order_webhooks import order_rest_now
from shopify_sandbox.resolvers.calculated_order_fields import calculated_rows, staged_discount
from shopify_sandbox.resolvers.context import state_of
from shopify_sandbox.resolvers.registry import resolves

NO_SESSION = "The order edit session does not exist or has already been committed."


def _session(edit: Any) -> dict[str, str]:
    return {"id": edit.session_id}


def _failed(message: str, field: list[str] | None, **empty: Any) -> dict[str, Any]:
    return empty | {"userErrors": [user_error(message, field)]}


@resolves("Mutation", "orderEditBegin")
def order_edit_begin(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
    state = state_of(info)
    order = state.by_gid(id, "Order")
    if order is None:
        return _failed("Order does not exist", ["id"], calculatedOrder=None, orderEditSession=None)
    try:
        edit = begin(state, order)
    except EditError as error:
        return _failed(str(error), error.field, calculatedOrder=None, orderEditSession=None)
    return {"calculatedOrder": edit, "orderEditSession": _session(edit), "userErrors": []}


def _row(info: GraphQLResolveInfo, edit: Any, number: int) -> Any:
    currencies = order_currencies(edit.original_order, state_of(info).shop.presentment_rates)
    return next((row for row in calculated_rows(edit, currencies) if row.number == number), None)


def _stage(info: GraphQLResolveInfo, id: str, change: Any, arguments: dict[str, Any]) -> dict[str, Any]:
    state = state_of(info)
    empty = {"calculatedLineItem": None, "calculatedOrder": None, "orderEditSession": None}
    edit = find_session(state, id)
    if edit is None:
        return _failed(NO_SESSION, ["id"], **empty)
    try:
        number = change(state, edit, arguments)
    except EditError as error:
        return _failed(
            str(error), error.field, **(empty | {"calculatedOrder": edit, "orderEditSession": _session(edit)})
        )
    return {
        "calculatedLineItem": _row(info, edit, number),
        "calculatedOrder": edit,
        "orderEditSession": _session(edit),
        "userErrors": [],
    }


@resolves("Mutation", "orderEditAddVariant")
def order_edit_add_variant(_root: Any, info: GraphQLResolveInfo, id: str, **arguments: Any) -> dict[str, Any]:
    return _stage(info, id, lambda state, edit, args: add_variant(state, edit, args).number, arguments)


@resolves("Mutation", "orderEditSetQuantity")
def order_edit_set_quantity(_root: Any, info: GraphQLResolveInfo, id: str, **arguments: Any) -> dict[str, Any]:
    return _stage(info, id, set_quantity, arguments)


@resolves("Mutation", "orderEditCommit")
def order_edit_commit(
    _root: Any, info: GraphQLResolveInfo, id: str, notifyCustomer: bool | None = None, staffNote: str | None = None
) -> dict[str, Any]:
    state = state_of(info)
    edit = find_session(state, id)
    if edit is None:
        return _failed(NO_SESSION, ["id"], order=None, successMessages=None)
    order = commit_edit(state, edit, bool(notifyCustomer), staffNote)
    state.publish("orders/updated", order_rest_now(state, order))
    return {"order": order, "successMessages": ["Order updated"], "userErrors": []}


@resolves("Mutation", "orderEditAddLineItemDiscount")
def order_edit_add_line_item_discount(
    _root: Any, info: GraphQLResolveInfo, id: str, **arguments: Any
) -> dict[str, Any]:
    payload = _stage(info, id, add_line_discount, arguments)
    edit = payload["calculatedOrder"]
    staged = None
    if not payload["userErrors"] and edit is not None:
        number = parse_gid(arguments["lineItemId"])[1]
        addition = next(a for a in edit.additions if a.number == number)
        assert addition.discount is not None
        staged = staged_discount(
            addition.discount, order_currencies(edit.original_order, state_of(info).shop.presentment_rates)
        )
    return payload | {"addedDiscountStagedChange": staged}
