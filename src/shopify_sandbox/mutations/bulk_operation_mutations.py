"""bulkOperationRunQuery and bulkOperationCancel; currentBulkOperation, bulkOperation(id:), bulkOperations."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.bulk_operations import BulkQueryError, start
from shopify_sandbox.connections import Connection, paginate
from shopify_sandbox.mutations.payloads import user_error
from shopify_sandbox.resolvers.context import state_of
from shopify_sandbox.resolvers.registry import resolves
from shopify_sandbox.search_query import filter_items


@resolves("Mutation", "bulkOperationRunQuery")
def bulk_operation_run_query(
    _root: Any, info: GraphQLResolveInfo, query: str, groupObjects: bool = True
) -> dict[str, Any]:
    try:
        operation = start(state_of(info), query, info.schema, info.context)
    except BulkQueryError as error:
        return {"bulkOperation": None, "userErrors": [user_error(str(error), ["query"], error.code)]}
    return {"bulkOperation": operation, "userErrors": []}


@resolves("Mutation", "bulkOperationCancel")
def bulk_operation_cancel(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
    operation = state_of(info).by_gid(id, "BulkOperation")
    if operation is None:
        return {"bulkOperation": None, "userErrors": [user_error("Bulk operation does not exist", ["id"])]}
    if operation.status not in ("CREATED", "RUNNING"):
        message = f"A bulk operation cannot be canceled when it is {operation.status.lower()}"
        return {"bulkOperation": operation, "userErrors": [user_error(message, ["id"])]}
    operation.status = "CANCELED"
    operation.completed_at = state_of(info).now()
    return {"bulkOperation": operation, "userErrors": []}


@resolves("QueryRoot", "currentBulkOperation")
def current_bulk_operation(_root: Any, info: GraphQLResolveInfo, type: str = "QUERY") -> Any:
    operations = [op for op in state_of(info).all("BulkOperation") if op.type == (type or "QUERY")]
    return operations[-1] if operations else None


@resolves("QueryRoot", "bulkOperation")
def bulk_operation(_root: Any, info: GraphQLResolveInfo, id: str) -> Any:
    return state_of(info).by_gid(id, "BulkOperation")


@resolves("QueryRoot", "bulkOperations")
def bulk_operations(_root: Any, info: GraphQLResolveInfo, **args: Any) -> Connection:
    args.pop("sortKey", None)
    fields = {
        "status": lambda op: op.status.lower(),
        "operation_type": lambda op: op.type.lower(),
        "created_at": lambda op: op.created_at,
        "id": lambda op: op.number,
    }
    return paginate(filter_items(state_of(info).all("BulkOperation"), args.pop("query", None), fields), **args)


@resolves("BulkOperation", "objectCount", "rootObjectCount", "fileSize")
def bulk_counts(operation: Any, info: GraphQLResolveInfo) -> str | None:
    # UnsignedInt64 is serialised as a string.
    value = {
        "objectCount": operation.object_count,
        "rootObjectCount": operation.root_object_count,
        "fileSize": operation.file_size,
    }[info.field_name]
    return None if value is None else str(value)
