"""orderCancel: returns the job (and, from 2026-10, its structured jobResult); the job cancels the order."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.mutations.payloads import user_error
from shopify_sandbox.order_cancellation import CancelError, request_cancel
from shopify_sandbox.post_purchase_state import extension
from shopify_sandbox.resolvers.context import state_of
from shopify_sandbox.resolvers.registry import resolves


@resolves("Mutation", "orderCancel")
def order_cancel(_root: Any, info: GraphQLResolveInfo, **arguments: Any) -> dict[str, Any]:
    try:
        job = request_cancel(state_of(info), arguments)
    except CancelError as error:
        errors = [user_error(str(error), error.field, error.code)]
        return {
            "job": None,
            "jobResult": None,
            "orderCancelUserErrors": errors,
            "userErrors": [{"field": e["field"], "message": e["message"]} for e in errors],
        }
    return {"job": job, "jobResult": job, "orderCancelUserErrors": [], "userErrors": []}


@resolves("Job", "query")
def job_query(_job: Any, _info: GraphQLResolveInfo) -> dict[str, Any]:
    return {}


@resolves("QueryRoot", "job")
def job(_root: Any, info: GraphQLResolveInfo, id: str) -> Any:
    return extension(state_of(info)).job_results.get(id)
