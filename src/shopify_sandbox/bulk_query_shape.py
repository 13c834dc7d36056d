"""The shape of a bulk query: Shopify's limits on it, and the query the sandbox actually runs for it.

A bulk query reads everything: its pagination arguments are replaced by full pages, and every connection
also reads its `pageInfo` (to page on) and its nodes' ids (for `__parentId`), under aliases that the
result file leaves out.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLObjectType,
    GraphQLSchema,
    IntValueNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    get_named_type,
    validate,
)

MAX_CONNECTIONS = 5
MAX_DEPTH = 2
PAGE = 250
PAGE_ALIAS = "__bulkPage"
ID_ALIAS = "__bulkId"
_PAGING_ARGUMENTS = ("first", "last", "after", "before")


class BulkQueryError(ValueError):
    def __init__(self, message: str, code: str = "INVALID") -> None:
        super().__init__(message)
        self.code = code


def is_connection(schema: GraphQLSchema, type_name: str) -> bool:
    found = schema.get_type(type_name)
    return isinstance(found, GraphQLObjectType) and type_name.endswith("Connection") and "pageInfo" in found.fields


def field_type(schema: GraphQLSchema, parent: GraphQLObjectType, field: FieldNode) -> Any:
    definition = parent.fields.get(field.name.value)
    return None if definition is None else get_named_type(definition.type)


def check_query(schema: GraphQLSchema, document: DocumentNode) -> OperationDefinitionNode:
    """Shopify's rules: one query operation, valid, 1 to 5 connections nested at most 2 deep."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation.value != "query":
        raise BulkQueryError("Bulk queries must contain exactly one query operation.")
    errors = validate(schema, document)
    if errors:
        raise BulkQueryError(f"Invalid bulk query: {errors[0].message}")
    query_root = schema.query_type
    assert query_root is not None
    count, depth = _count_connections(schema, query_root, operations[0].selection_set, 0)
    if count == 0:
        raise BulkQueryError("Bulk queries must contain at least one connection.")
    if count > MAX_CONNECTIONS:
        raise BulkQueryError(f"Bulk queries cannot contain more than {MAX_CONNECTIONS} connections.")
    if depth > MAX_DEPTH:
        raise BulkQueryError(f"Bulk queries cannot contain connections with a nesting depth greater than {MAX_DEPTH}.")
    top = operations[0].selection_set.selections
    if len(top) != 1 or not isinstance(top[0], FieldNode) or not is_connection(schema, _top_type(schema, top[0])):
        raise BulkQueryError("Bulk queries must select exactly one top-level connection field.")
    return operations[0]


def _top_type(schema: GraphQLSchema, field: FieldNode) -> str:
    assert schema.query_type is not None
    named = field_type(schema, schema.query_type, field)
    return named.name if named is not None else ""


def _count_connections(
    schema: GraphQLSchema, parent: Any, selection_set: SelectionSetNode | None, depth: int
) -> tuple[int, int]:
    if selection_set is None or not isinstance(parent, GraphQLObjectType):
        return 0, depth
    count, deepest = 0, depth
    for selection in selection_set.selections:
        if not isinstance(selection, FieldNode):
            continue
        named = field_type(schema, parent, selection)
        if named is None:
            continue
        inner = depth + 1 if is_connection(schema, named.name) else depth
        sub_count, sub_depth = _count_connections(schema, named, selection.selection_set, inner)
        count += sub_count + (1 if inner > depth else 0)
        deepest = max(deepest, sub_depth)
    return count, deepest


def rewrite(schema: GraphQLSchema, document: DocumentNode, after: str | None) -> DocumentNode:
    """The query with every connection reading a full page, its pageInfo and its nodes' ids."""
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    assert schema.query_type is not None
    selections = _rewrite_selections(schema, schema.query_type, operation.selection_set, after, top=True)
    fragments = [d for d in document.definitions if not isinstance(d, OperationDefinitionNode)]
    new_operation = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=operation.variable_definitions,
        directives=operation.directives,
        selection_set=selections,
    )
    return DocumentNode(definitions=(new_operation, *fragments))


def _rewrite_selections(
    schema: GraphQLSchema, parent: Any, selection_set: SelectionSetNode, after: str | None, top: bool = False
) -> SelectionSetNode:
    rewritten: list[Any] = []
    for selection in selection_set.selections:
        if (
            not isinstance(selection, FieldNode)
            or selection.selection_set is None
            or not isinstance(parent, GraphQLObjectType)
        ):
            rewritten.append(selection)
            continue
        named = field_type(schema, parent, selection)
        inner = _rewrite_selections(schema, named, selection.selection_set, None)
        arguments = list(selection.arguments or ())
        if is_connection(schema, named.name):
            inner = _with_paging(schema, named, inner)
            arguments = [a for a in arguments if a.name.value not in _PAGING_ARGUMENTS]
            arguments.append(ArgumentNode(name=NameNode(value="first"), value=IntValueNode(value=str(page_size()))))
            if top and after:
                arguments.append(ArgumentNode(name=NameNode(value="after"), value=StringValueNode(value=after)))
        rewritten.append(
            FieldNode(
                alias=selection.alias,
                name=selection.name,
                arguments=tuple(arguments),
                directives=selection.directives,
                selection_set=inner,
            )
        )
    return SelectionSetNode(selections=tuple(rewritten))


def _field(name: str, alias: str | None = None, selections: tuple[Any, ...] | None = None) -> FieldNode:
    return FieldNode(
        alias=NameNode(value=alias) if alias else None,
        name=NameNode(value=name),
        arguments=(),
        directives=(),
        selection_set=SelectionSetNode(selections=selections) if selections else None,
    )


def _with_paging(
    schema: GraphQLSchema, connection: GraphQLObjectType, selection_set: SelectionSetNode
) -> SelectionSetNode:
    """Add `__bulkPage: pageInfo {hasNextPage endCursor}` and `__bulkId: id` on the nodes."""
    node_type = get_named_type(connection.fields["nodes"].type) if "nodes" in connection.fields else None
    with_ids = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode) and selection.name.value in ("nodes", "edges") and selection.selection_set:
            selection = _add_id(schema, node_type, selection)
        with_ids.append(selection)
    page = _field("pageInfo", PAGE_ALIAS, (_field("hasNextPage"), _field("endCursor")))
    return SelectionSetNode(selections=(*with_ids, page))


def _add_id(schema: GraphQLSchema, node_type: Any, selection: FieldNode) -> FieldNode:
    if not isinstance(node_type, GraphQLObjectType) or "id" not in node_type.fields:
        return selection
    assert selection.selection_set is not None
    if selection.name.value == "edges":
        inner = []
        for edge_field in selection.selection_set.selections:
            if isinstance(edge_field, FieldNode) and edge_field.name.value == "node" and edge_field.selection_set:
                edge_field = _add_id(
                    schema,
                    node_type,
                    FieldNode(
                        alias=edge_field.alias,
                        name=NameNode(value="nodes"),
                        arguments=(),
                        directives=(),
                        selection_set=edge_field.selection_set,
                    ),
                )
                edge_field = FieldNode(
                    alias=None,
                    name=NameNode(value="node"),
                    arguments=(),
                    directives=(),
                    selection_set=edge_field.selection_set,
                )
            inner.append(edge_field)
        return FieldNode(
            alias=selection.alias,
            name=selection.name,
            arguments=(),
            directives=selection.directives,
            selection_set=SelectionSetNode(selections=tuple(inner)),
        )
    extended = (*selection.selection_set.selections, _field("id", ID_ALIAS))
    return FieldNode(
        alias=selection.alias,
        name=selection.name,
        arguments=selection.arguments,
        directives=selection.directives,
        selection_set=SelectionSetNode(selections=extended),
    )


def page_size() -> int:
    return PAGE
