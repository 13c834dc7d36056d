"""Query cost as Shopify publishes it: one table of rules, applied to the query's AST (requested cost) and
to the answer actually returned (actual cost).

Rules (https://shopify.dev/docs/api/usage/rate-limits): scalars and enums cost 0, objects 1, a connection
costs 2 plus its page size (`first`/`last`) times the cost of one item, a mutation costs 10. Connection and
edge wrappers and PageInfo are free: one item of `edges { node { id } }` costs 1 (the node). The actual cost
counts the items really returned. Shopify's exact formula is unpublished: adjust `CostRules` to match it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
    value_from_ast_untyped,
)
from graphql.type import GraphQLInterfaceType


@dataclass(frozen=True)
class CostRules:
    object_cost: int = 1
    leaf_cost: int = 0
    connection_overhead: int = 2
    mutation_cost: int = 10
    free_types: frozenset[str] = frozenset({"PageInfo"})
    max_query_cost: int = 1000


DEFAULT_RULES = CostRules()


@dataclass(frozen=True)
class _Walk:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: dict[str, Any]
    rules: CostRules


def requested_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any] | None = None,
    rules: CostRules = DEFAULT_RULES,
) -> int:
    """The cost Shopify would ask of `operation` before running it."""
    walk = _Walk(schema, fragments, variables or {}, rules)
    if operation.operation == OperationType.MUTATION:
        return rules.mutation_cost * len(_fields(walk, operation.selection_set))
    root = schema.query_type
    assert root is not None
    return _selection_cost(walk, root, operation.selection_set, None, estimate=True)


def actual_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    data: dict[str, Any] | None,
    variables: dict[str, Any] | None = None,
    rules: CostRules = DEFAULT_RULES,
) -> int:
    """The cost of the answer actually given (connections counted by the items they returned)."""
    walk = _Walk(schema, fragments, variables or {}, rules)
    if operation.operation == OperationType.MUTATION:
        return rules.mutation_cost * len(_fields(walk, operation.selection_set))
    root = schema.query_type
    assert root is not None
    return _selection_cost(walk, root, operation.selection_set, data or {}, estimate=False)


def _fields(walk: _Walk, selection_set: SelectionSetNode | None) -> list[FieldNode]:
    """The fields of a selection set, fragments flattened."""
    found: list[FieldNode] = []
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            found.extend(_fields(walk, selection.selection_set))
        elif isinstance(selection, FragmentSpreadNode):
            fragment = walk.fragments.get(selection.name.value)
            if fragment is not None:
                found.extend(_fields(walk, fragment.selection_set))
    return found


def _field_type(walk: _Walk, parent: GraphQLNamedType, name: str) -> GraphQLNamedType | None:
    fields = getattr(parent, "fields", None)
    if fields is None or name not in fields:
        # A field of a fragment on one member of a union/interface: look it up on the schema's types.
        for candidate in _possible(walk, parent):
            if name in candidate.fields:
                return get_named_type(candidate.fields[name].type)
        return None
    return get_named_type(fields[name].type)


def _possible(walk: _Walk, parent: GraphQLNamedType) -> list[GraphQLObjectType]:
    if isinstance(parent, GraphQLObjectType):
        return [parent]
    if isinstance(parent, GraphQLInterfaceType) or hasattr(parent, "types"):
        return list(walk.schema.get_possible_types(parent))  # type: ignore[arg-type]
    return []


def is_connection(named: GraphQLNamedType) -> bool:
    fields = getattr(named, "fields", {})
    return named.name.endswith("Connection") and "pageInfo" in fields


def _by_type_condition(
    walk: _Walk, parent: GraphQLNamedType, selection_set: SelectionSetNode | None
) -> tuple[list[FieldNode], dict[str, list[FieldNode]]]:
    """The fields that apply to every value, and those of fragments on one concrete type (by type name)."""
    common: list[FieldNode] = []
    by_type: dict[str, list[FieldNode]] = {}
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            common.append(selection)
            continue
        if isinstance(selection, InlineFragmentNode):
            condition, inner = selection.type_condition, selection.selection_set
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in walk.fragments:
            fragment = walk.fragments[selection.name.value]
            condition, inner = fragment.type_condition, fragment.selection_set
        else:
            continue
        fields = _fields(walk, inner)
        if condition is None or condition.name.value == parent.name:
            common.extend(fields)
        else:
            by_type.setdefault(condition.name.value, []).extend(fields)
    return common, by_type


def _selection_cost(
    walk: _Walk, parent: GraphQLNamedType, selection_set: SelectionSetNode | None, data: Any, *, estimate: bool
) -> int:
    """Cost of a selection: its common fields plus, for fragments on alternative types, the dearest one."""
    common, by_type = _by_type_condition(walk, parent, selection_set)
    alternatives = [_fields_cost(walk, parent, fields, data, estimate=estimate) for fields in by_type.values()]
    return _fields_cost(walk, parent, common, data, estimate=estimate) + max(alternatives, default=0)


def _fields_cost(walk: _Walk, parent: GraphQLNamedType, fields: list[FieldNode], data: Any, *, estimate: bool) -> int:
    total = 0
    for field in fields:
        name = field.name.value
        if name.startswith("__"):
            continue
        named = _field_type(walk, parent, name)
        if named is None or is_leaf_type(named):
            total += walk.rules.leaf_cost
            continue
        value = None if estimate else _value(data, field)
        if not estimate and value is None:
            continue
        if is_connection(named):
            total += _connection_cost(walk, named, field, value, estimate=estimate)
        else:
            total += _object_cost(walk, named, field, value, estimate=estimate)
    return total


def _value(data: Any, field: FieldNode) -> Any:
    if not isinstance(data, dict):
        return None
    key = field.alias.value if field.alias else field.name.value
    return data.get(key)


def _object_cost(walk: _Walk, named: GraphQLNamedType, field: FieldNode, value: Any, *, estimate: bool) -> int:
    own = 0 if named.name in walk.rules.free_types else walk.rules.object_cost
    if not estimate and isinstance(value, list):
        # A plain list of objects is charged like one object, as in the estimate.
        value = next((v for v in value if v is not None), None)
        if value is None:
            return 0
    return own + _selection_cost(walk, named, field.selection_set, value, estimate=estimate)


def _connection_cost(walk: _Walk, named: GraphQLNamedType, field: FieldNode, value: Any, *, estimate: bool) -> int:
    cost = walk.rules.connection_overhead
    fields = getattr(named, "fields", {})
    per_item: dict[str, list[int]] = {"edges": [], "nodes": []}
    for sub in _fields(walk, field.selection_set):
        name = sub.name.value
        if name in ("edges", "nodes"):
            item_type = get_named_type(fields[name].type)
            # The edge wrapper is free: only what it carries counts.
            wrapper = walk.rules.object_cost if name == "edges" and item_type.name not in walk.rules.free_types else 0
            if estimate:
                one = _object_cost(walk, item_type, sub, None, estimate=True) - wrapper
                per_item[name] = [one * _page_size(walk, field)]
            else:
                items = list(_value(value, sub) or [])
                per_item[name] = [_object_cost(walk, item_type, sub, item, estimate=False) - wrapper for item in items]
        elif not name.startswith("__"):
            sub_type = get_named_type(fields[name].type) if name in fields else None
            if sub_type is not None and not is_leaf_type(sub_type) and sub_type.name not in walk.rules.free_types:
                cost += _object_cost(walk, sub_type, sub, None if estimate else _value(value, sub), estimate=estimate)
    return cost + max(sum(per_item["edges"]), sum(per_item["nodes"]))


def _page_size(walk: _Walk, field: FieldNode) -> int:
    for argument in field.arguments or ():
        if argument.name.value in ("first", "last"):
            value = value_from_ast_untyped(argument.value, walk.variables)
            if isinstance(value, int) and value > 0:
                return value
    return 0
