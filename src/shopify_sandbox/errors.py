"""GraphQL errors in Shopify's shape (graphql-ruby messages, `extensions.code`, a path into the query).

graphql-core words its validation errors its own way; the table below rewrites the common ones the way
Shopify (graphql-ruby) answers them. Anything else keeps graphql-core's message under a generic code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graphql import DocumentNode, FieldNode, GraphQLError, OperationDefinitionNode, Visitor, visit

THROTTLED = {
    "message": "Throttled",
    "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
}

MAX_COST_MESSAGE = (
    "Query cost is {cost}, which exceeds the single query max cost limit ({max_cost}).\n\n"
    "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"
    "cost of a query is calculated.\n\n"
    "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n"
    "See https://shopify.dev/api/usage/bulk-operations/queries for usage details.\n"
)

INVALID_TOKEN_BODY = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
NO_QUERY = {"errors": [{"message": "No query string was present"}]}


def max_cost_exceeded(cost: int, max_cost: int) -> dict[str, Any]:
    return {
        "message": MAX_COST_MESSAGE.format(cost=cost, max_cost=max_cost),
        "extensions": {
            "code": "MAX_COST_EXCEEDED",
            "cost": cost,
            "maxCost": max_cost,
            "documentation": "https://shopify.dev/api/usage/rate-limits",
        },
    }


Rewrite = Callable[[re.Match[str]], tuple[str, dict[str, Any]]]

_REWRITES: list[tuple[re.Pattern[str], Rewrite]] = [
    (
        re.compile(r"^Cannot query field '(?P<field>\w+)' on type '(?P<type>\w+)'\."),
        lambda m: (
            f"Field '{m['field']}' doesn't exist on type '{m['type']}'",
            {"code": "undefinedField", "typeName": m["type"], "fieldName": m["field"]},
        ),
    ),
    (
        re.compile(r"^Unknown argument '(?P<arg>\w+)' on field '(?P<type>\w+)\.(?P<field>\w+)'\."),
        lambda m: (
            f"Field '{m['field']}' doesn't accept argument '{m['arg']}'",
            {"code": "argumentNotAccepted", "name": m["field"], "typeName": "Field", "argumentName": m["arg"]},
        ),
    ),
    (
        re.compile(r"^Argument '(?P<type>\w+)\.(?P<field>\w+)\((?P<arg>\w+):\)' of type '.+' is required"),
        lambda m: (
            f"Field '{m['field']}' is missing required arguments: {m['arg']}",
            {"code": "missingRequiredArguments", "className": "Field", "name": m["field"], "arguments": m["arg"]},
        ),
    ),
    (
        re.compile(r"^Field '(?P<field>\w+)' of type '(?P<type>[^']+)' must have a selection of subfields"),
        lambda m: (
            f"Field must have selections (field '{m['field']}' returns {m['type'].strip('[]!')} but has no "
            f"selections. Did you mean '{m['field']} {{ ... }}'?)",
            {"code": "selectionMismatch", "nodeName": f"field '{m['field']}'", "typeName": m["type"].strip("[]!")},
        ),
    ),
    (
        re.compile(r"^Variable '\$(?P<var>\w+)' is never used in operation '(?P<op>\w+)'"),
        lambda m: (
            f"Variable ${m['var']} is declared by {m['op']} but not used",
            {"code": "variableNotUsed", "variableName": m["var"]},
        ),
    ),
    (
        re.compile(r"^Variable '\$(?P<var>\w+)' is not defined"),
        lambda m: (
            f"Variable ${m['var']} is used by anonymous query but not declared",
            {"code": "variableNotDefined", "variableName": m["var"]},
        ),
    ),
    (
        re.compile(r"^Unknown type '(?P<type>\w+)'"),
        lambda m: (
            f"No such type {m['type']}, so it can't be a fragment condition",
            {"code": "undefinedType", "typeName": m["type"]},
        ),
    ),
]


def _field_paths(document: DocumentNode) -> dict[int, list[str]]:
    """graphql-ruby's error path of every field node: ["query Name", "orders", "edges", ...]."""
    paths: dict[int, list[str]] = {}
    stack: list[str] = []

    class PathVisitor(Visitor):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
            label = node.operation.value + (f" {node.name.value}" if node.name else "")
            stack.append(label)

        def leave_operation_definition(self, *_args: Any) -> None:
            stack.pop()

        def enter_fragment_definition(self, node: Any, *_args: Any) -> None:
            stack.append(f"fragment {node.name.value}")

        def leave_fragment_definition(self, *_args: Any) -> None:
            stack.pop()

        def enter_field(self, node: FieldNode, *_args: Any) -> None:
            stack.append(node.alias.value if node.alias else node.name.value)
            paths[id(node)] = list(stack)

        def leave_field(self, *_args: Any) -> None:
            stack.pop()

    visit(document, PathVisitor())
    return paths


def validation_errors(errors: list[GraphQLError], document: DocumentNode) -> list[dict[str, Any]]:
    """Shopify-shaped entries for graphql-core validation errors of `document`."""
    paths = _field_paths(document)
    shaped = []
    for error in errors:
        message, extensions = error.message, {"code": "validationError"}
        for pattern, rewrite in _REWRITES:
            match = pattern.match(error.message)
            if match:
                message, extensions = rewrite(match)
                break
        entry: dict[str, Any] = {"message": message}
        if error.locations:
            entry["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
        node_path = next((paths[id(n)] for n in error.nodes or () if id(n) in paths), None)
        if node_path is not None:
            entry["path"] = node_path
        entry["extensions"] = extensions
        shaped.append(entry)
    return shaped


_UNEXPECTED = re.compile(r"^Syntax Error: (?:Unexpected|Expected [^,]+, found) (?P<token>.+?)\.?$")


def parse_error(error: GraphQLError) -> dict[str, Any]:
    """A parse error as graphql-ruby words it: `Parse error on "}" (RCURLY) at [1, 10]`."""
    location = error.locations[0] if error.locations else None
    where = f" at [{location.line}, {location.column}]" if location else ""
    match = _UNEXPECTED.match(error.message)
    token = match["token"] if match else ""
    if token in ("<EOF>", ""):
        message = "Unexpected end of document"
    else:
        text = token.strip("'\"")
        message = f'Parse error on "{text}" ({_token_kind(text)}){where}'
    entry: dict[str, Any] = {"message": message}
    if location:
        entry["locations"] = [{"line": location.line, "column": location.column}]
    return entry


def _token_kind(text: str) -> str:
    kinds = {
        "{": "LCURLY",
        "}": "RCURLY",
        "(": "LPAREN",
        ")": "RPAREN",
        "[": "LBRACKET",
        "]": "RBRACKET",
        ":": "COLON",
        "$": "VAR_SIGN",
        "!": "BANG",
        "=": "EQUALS",
        "@": "DIR_SIGN",
        "...": "ELLIPSIS",
    }
    if text in kinds:
        return kinds[text]
    if text.startswith("Name "):
        return "IDENTIFIER"
    return "STRING" if text.startswith("String") else "IDENTIFIER"


_BAD_VARIABLE = re.compile(r"^Variable '\$(?P<name>\w+)' ")


def execution_error(error: GraphQLError) -> dict[str, Any]:
    """A resolver's error, with its path into the answer; invalid variables coded as Shopify codes them."""
    entry: dict[str, Any] = {"message": error.message}
    bad_variable = _BAD_VARIABLE.match(error.message)
    if bad_variable and error.path is None:
        entry["extensions"] = {"code": "INVALID_VARIABLE", "variableName": bad_variable["name"]}
        if error.locations:
            entry["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
        return entry
    if error.locations:
        entry["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path is not None:
        entry["path"] = list(error.path)
    if error.extensions:
        entry["extensions"] = dict(error.extensions)
    elif error.original_error is not None and not isinstance(error.original_error, GraphQLError):
        entry["extensions"] = {"code": "INTERNAL_SERVER_ERROR"}
    return entry
