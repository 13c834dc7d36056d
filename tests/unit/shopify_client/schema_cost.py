"""Shopify's published cost rules, read independently of the sandbox: scalars and enums 0, objects 1,
connections 2 + `first` × the cost of one node. Used to check trueup's documents stay under 1000 points."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    build_client_schema,
    get_named_type,
    is_leaf_type,
    parse,
)

SCHEMA_DIR = Path(__file__).resolve().parents[3] / "schemas" / "shopify"
VERSIONS = ("2026-10", "2026-07")


@cache
def admin_schema(version: str) -> GraphQLSchema:
    """Shopify's Admin schema for `version`, from the vendored introspection file."""
    with gzip.open(SCHEMA_DIR / f"admin_{version}.json.gz") as handle:
        data = json.load(handle)
    return build_client_schema(data.get("data", data), assume_valid=True)


def estimated_cost(schema: GraphQLSchema, document: str, variables: dict[str, Any]) -> int:
    """The requested cost of the document's operation by the published rules."""
    ast = parse(document)
    fragments = {d.name.value: d for d in ast.definitions if isinstance(d, FragmentDefinitionNode)}
    operation = next(d for d in ast.definitions if isinstance(d, OperationDefinitionNode))
    root = schema.mutation_type if operation.operation.value == "mutation" else schema.query_type
    assert root is not None
    base = 10 if operation.operation.value == "mutation" else 0
    return base + _selection_cost(schema, root, operation.selection_set, fragments, variables)


def _selection_cost(
    schema: GraphQLSchema,
    parent: Any,
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
) -> int:
    cost = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            cost += _field_cost(schema, parent, selection, fragments, variables)
        elif isinstance(selection, InlineFragmentNode):
            target = schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
            cost += _selection_cost(schema, target, selection.selection_set, fragments, variables)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments[selection.name.value]
            target = schema.get_type(fragment.type_condition.name.value)
            cost += _selection_cost(schema, target, fragment.selection_set, fragments, variables)
    return cost


def _field_cost(
    schema: GraphQLSchema,
    parent: Any,
    field: FieldNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
) -> int:
    name = field.name.value
    if name == "__typename":
        return 0
    definition = parent.fields[name]
    named = get_named_type(definition.type)
    if is_leaf_type(named):
        return 0
    inner = 0
    if field.selection_set is not None:
        # Interfaces and unions cost the most expensive of their possible selections: summing the
        # inline fragments over-estimates, which is fine for an upper bound.
        inner = _selection_cost(schema, named, field.selection_set, fragments, variables)
    if isinstance(named, GraphQLObjectType) and named.name.endswith("Connection"):
        return 2 + _first(field, variables) * max(inner - 1, 0)
    return 1 + inner


def _first(field: FieldNode, variables: dict[str, Any]) -> int:
    for argument in field.arguments or ():
        if argument.name.value in ("first", "last"):
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                return int(variables[value.name.value])
    return 1
