"""orderCapture and orderMarkAsPaid (order_payments holds the rules)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.mutations.payloads import user_error
from shopify_sandbox.order_payments import PaymentError, capture, mark_as_paid
from shopify_sandbox.resolvers.context import state_of
from shopify_sandbox.resolvers.registry import resolves

ORDER_NOT_FOUND = "Order does not exist"


@resolves("Mutation", "orderCapture")
def order_capture(_root: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    state = state_of(info)
    order = state.by_gid(input["id"], "Order")
    if order is None:
        return {"transaction": None, "userErrors": [user_error(ORDER_NOT_FOUND, ["id"])]}
    parent = state.by_gid(input["parentTransactionId"], "OrderTransaction")
    if parent is None or parent not in order.transactions:
        return {"transaction": None, "userErrors": [user_error("Transaction does not exist", ["parentTransactionId"])]}
    try:
        transaction = capture(state, order, parent, input["amount"], input.get("currency"))
    except PaymentError as error:
        return {"transaction": None, "userErrors": [user_error(str(error), error.field)]}
    errors = []
    if transaction.status != "SUCCESS":
        # The declined capture is on the order (status FAILURE, errorCode); the caller is told as well.
        errors.append(user_error(f"The capture failed: {transaction.error_code}", ["parentTransactionId"]))
    return {"transaction": transaction, "userErrors": errors}


@resolves("Mutation", "orderMarkAsPaid")
def order_mark_as_paid(_root: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    state = state_of(info)
    order = state.by_gid(input["id"], "Order")
    if order is None:
        return {"order": None, "userErrors": [user_error(ORDER_NOT_FOUND, ["id"])]}
    try:
        mark_as_paid(state, order)
    except PaymentError as error:
        return {"order": order, "userErrors": [user_error(str(error), error.field)]}
    return {"order": order, "userErrors": []}
