"""bulkOperationRunQuery: a query run over the whole shop in the background, its result a JSONL file.

Each object of the top connection is one line; objects of nested connections are lines of their own,
after their parent, carrying `__parentId` (Shopify's format). Pagination arguments are ignored: a bulk
query reads everything, nested connections included (further pages are read through `node(id:)`).
The operation goes CREATED → RUNNING → COMPLETED over two runs of the sandbox's due jobs, and its file
is served at `/sandbox/bulk/<number>.jsonl`.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from graphql import (
    ArgumentNode,
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    execute,
    get_named_type,
    parse,
)
from graphql.error import GraphQLSyntaxError

from shopify_sandbox.bulk_query_shape import (
    ID_ALIAS,
    PAGE_ALIAS,
    BulkQueryError,
    check_query,
    field_type,
    is_connection,
    rewrite,
)
from shopify_sandbox.models.base import Node
from shopify_sandbox.post_purchase_state import extension
from shopify_sandbox.resolvers.registry import field_resolver, type_resolver
from shopify_sandbox.rest_payloads import timestamp
from shopify_sandbox.state import ShopState
from shopify_sandbox.webhooks.topics import is_known_rest_topic

MAX_RUNNING = 5
# Wall-clock work per run of due jobs before a bulk query defers the rest of its pages.
SLICE_SECONDS = 1.0

__all__ = ["BulkOperation", "BulkQueryError", "run_query", "start"]


@dataclass(eq=False)
class BulkOperation(Node):
    typename: ClassVar[str] = "BulkOperation"
    query: str = ""
    status: str = "CREATED"
    type: str = "QUERY"
    created_at: datetime | None = None
    completed_at: datetime | None = None
    object_count: int = 0
    root_object_count: int = 0
    file_size: int | None = None
    url: str | None = None
    error_code: str | None = None
    partial_data_url: str | None = None
    result: bytes | None = None  # the JSONL file, kept with the operation (and saved with the state)


def start(state: ShopState, query: str, schema: GraphQLSchema, context: Any) -> BulkOperation:
    """Check the query and queue the operation (it runs at the next two runs of due jobs)."""
    try:
        document = parse(query)
    except GraphQLSyntaxError as error:
        raise BulkQueryError(f"Invalid bulk query: {error.message}") from error
    check_query(schema, document)
    running = [op for op in state.all("BulkOperation") if op.status in ("CREATED", "RUNNING")]
    if len(running) >= MAX_RUNNING:
        raise BulkQueryError("A bulk query operation for this app and shop is already in progress.", "LIMIT_REACHED")
    operation = state.add(BulkOperation(number=state.new_number("BulkOperation"), query=query, created_at=state.now()))
    side = extension(state)

    def finish(s: ShopState) -> None:
        _complete(s, operation, schema, document, context)

    def begin(s: ShopState) -> None:
        operation.status = "RUNNING"
        side.defer(s, finish)

    side.defer(state, begin)
    return operation


def _complete(
    state: ShopState, operation: BulkOperation, schema: GraphQLSchema, document: DocumentNode, context: Any
) -> None:
    _BulkRun(operation, schema, document, context).step(state)


@dataclass
class _BulkRun:
    """A bulk query read a slice of pages at a time (at most SLICE_SECONDS of work per run of due jobs), so
    that a large catalogue neither blocks the request that happens to run it nor times it out; the next
    slice is deferred to the next run. A small shop is read in one slice."""

    operation: BulkOperation
    schema: GraphQLSchema
    document: DocumentNode
    context: Any
    lines: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    roots: int = 0
    after: str | None = None

    def step(self, state: ShopState) -> None:
        operation = self.operation
        if operation.status != "RUNNING":
            return  # cancelled meanwhile
        deadline = time.monotonic() + SLICE_SECONDS
        try:
            while True:
                roots, self.after = read_page(self.schema, self.document, self.context, self.after, self.lines)
                self.roots += roots
                if self.after is None:
                    break
                if time.monotonic() >= deadline:
                    extension(state).defer(state, self.step)
                    return
        except RuntimeError:
            operation.status, operation.error_code = "FAILED", "INTERNAL_SERVER_ERROR"
            operation.completed_at = state.now()
            _announce_finish(state, operation)
            return
        body = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in self.lines).encode()
        operation.result = body
        operation.status, operation.completed_at = "COMPLETED", state.now()
        operation.object_count, operation.root_object_count, operation.file_size = (
            len(self.lines),
            self.roots,
            len(body),
        )
        operation.url = f"{extension(state).base_url}/sandbox/bulk/{operation.number}.jsonl" if self.lines else None
        _announce_finish(state, operation)


def _announce_finish(state: ShopState, operation: BulkOperation) -> None:
    """bulk_operations/finish, once the webhook side knows the topic (it refuses topics it does not)."""
    if not is_known_rest_topic("bulk_operations/finish"):
        return
    state.publish("bulk_operations/finish", {
        "admin_graphql_api_id": operation.id, "completed_at": timestamp(operation.completed_at),
        "created_at": timestamp(operation.created_at), "error_code": operation.error_code,
        "status": operation.status.lower(), "type": operation.type.lower(),
    })  # fmt: skip


def _execute(schema: GraphQLSchema, document: DocumentNode, context: Any) -> dict[str, Any]:
    result = execute(
        schema, document, context_value=context, field_resolver=field_resolver, type_resolver=type_resolver
    )
    if not isinstance(result, ExecutionResult) or result.errors or result.data is None:
        raise RuntimeError(f"bulk query failed: {getattr(result, 'errors', None)}")
    return result.data


def run_query(schema: GraphQLSchema, document: DocumentNode, context: Any) -> tuple[list[dict[str, Any]], int]:
    """Every object the query reaches, as JSONL records, and the number of top-level objects."""
    lines: list[dict[str, Any]] = []
    roots, after = read_page(schema, document, context, None, lines)
    while after is not None:
        more, after = read_page(schema, document, context, after, lines)
        roots += more
    return lines, roots


def read_page(
    schema: GraphQLSchema, document: DocumentNode, context: Any, after: str | None, lines: list[dict[str, Any]]
) -> tuple[int, str | None]:
    """One page of top-level objects (after `after`) appended to `lines` as JSONL records: how many top-level
    objects it held, and the cursor to read on from (None: that was the last page)."""
    paged = rewrite(schema, document, after)
    top = next(d for d in paged.definitions if isinstance(d, OperationDefinitionNode)).selection_set.selections[0]
    assert isinstance(top, FieldNode)
    assert schema.query_type is not None
    connection = next(iter(_execute(schema, paged, context).values()))
    node_type = _node_type(schema, field_type(schema, schema.query_type, top))
    roots = 0
    for node in _nodes(connection):
        roots += 1
        _read_all_pages(schema, context, node_type, _node_selection(top), node)
        _emit(node, None, lines)
    page = connection[PAGE_ALIAS]
    return roots, (page["endCursor"] if page["hasNextPage"] else None)


def _node_type(schema: GraphQLSchema, connection_type: Any) -> Any:
    return get_named_type(connection_type.fields["nodes"].type) if "nodes" in connection_type.fields else None


def _node_selection(connection_field: FieldNode) -> SelectionSetNode | None:
    """The selection made on the nodes of a connection field (through `nodes` or `edges { node }`)."""
    assert connection_field.selection_set is not None
    for selection in connection_field.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.selection_set is None:
            continue
        if selection.name.value == "nodes":
            return selection.selection_set
        if selection.name.value == "edges":
            for inner in selection.selection_set.selections:
                if isinstance(inner, FieldNode) and inner.name.value == "node":
                    return inner.selection_set
    return None


def _read_all_pages(
    schema: GraphQLSchema, context: Any, parent: Any, selection_set: SelectionSetNode | None, record: dict[str, Any]
) -> None:
    """Complete the nested connections of `record` (read through `node(id:)` page after page), recursively."""
    if selection_set is None or not isinstance(parent, GraphQLObjectType):
        return
    for field in selection_set.selections:
        if not isinstance(field, FieldNode) or field.selection_set is None:
            continue
        key = field.alias.value if field.alias else field.name.value
        value, named = record.get(key), field_type(schema, parent, field)
        if not isinstance(value, dict) or named is None:
            continue
        if is_connection(schema, named.name):
            _more_pages(schema, context, parent, field, record, value)
            for child in _nodes(value):
                _read_all_pages(schema, context, _node_type(schema, named), _node_selection(field), child)
        else:
            _read_all_pages(schema, context, named, field.selection_set, value)


def _more_pages(
    schema: GraphQLSchema,
    context: Any,
    parent: Any,
    field: FieldNode,
    record: dict[str, Any],
    connection: dict[str, Any],
) -> None:
    parent_id = record.get(ID_ALIAS) or record.get("id")
    while connection[PAGE_ALIAS]["hasNextPage"] and parent_id:
        more = _execute(
            schema, _next_page_query(parent, field, parent_id, connection[PAGE_ALIAS]["endCursor"]), context
        )
        page = more["node"][field.alias.value if field.alias else field.name.value]
        for listing in ("nodes", "edges"):
            if listing in connection:
                connection[listing].extend(page[listing])
        connection[PAGE_ALIAS] = page[PAGE_ALIAS]


def _next_page_query(parent: GraphQLObjectType, field: FieldNode, parent_id: str, cursor: str) -> DocumentNode:
    """`{ node(id: …) { ... on Parent { field(first: 250, after: cursor) { … } } } }`."""
    arguments = (
        *(field.arguments or ()),
        ArgumentNode(name=NameNode(value="after"), value=StringValueNode(value=cursor)),
    )
    paged = FieldNode(
        alias=field.alias, name=field.name, arguments=arguments, directives=(), selection_set=field.selection_set
    )
    fragment = InlineFragmentNode(
        type_condition=NamedTypeNode(name=NameNode(value=parent.name)),
        directives=(),
        selection_set=SelectionSetNode(selections=(paged,)),
    )
    node = FieldNode(
        alias=None,
        name=NameNode(value="node"),
        arguments=(ArgumentNode(name=NameNode(value="id"), value=StringValueNode(value=parent_id)),),
        directives=(),
        selection_set=SelectionSetNode(selections=(fragment,)),
    )
    operation = OperationDefinitionNode(
        operation=OperationType.QUERY,
        variable_definitions=(),
        directives=(),
        selection_set=SelectionSetNode(selections=(node,)),
    )
    return DocumentNode(definitions=(operation,))


def _nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    if "nodes" in connection:
        return list(connection["nodes"])
    return [edge["node"] for edge in connection.get("edges", [])]


def _emit(node: dict[str, Any], parent_id: str | None, lines: list[dict[str, Any]]) -> None:
    """The node as one line (nested connections taken out), then its children's lines."""
    record: dict[str, Any] = {}
    children: list[dict[str, Any]] = []
    for key, value in node.items():
        if isinstance(value, dict) and PAGE_ALIAS in value:
            children.extend(_nodes(value))
        elif key != ID_ALIAS:
            record[key] = value
    if parent_id is not None:
        record["__parentId"] = parent_id
    lines.append(record)
    own_id = node.get(ID_ALIAS) or node.get("id")
    for child in children:
        _emit(child, own_id, lines)
