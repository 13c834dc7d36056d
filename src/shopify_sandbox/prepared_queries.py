"""Parsed and validated documents, cached by (API version, query text): clients repeat the same queries."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    parse,
    validate,
)

from shopify_sandbox.errors import parse_error, validation_errors
from shopify_sandbox.schema import admin_schema


@dataclass(frozen=True)
class PreparedQuery:
    document: DocumentNode | None
    errors: list[dict[str, Any]] = field(default_factory=list)
    operations: dict[str | None, OperationDefinitionNode] = field(default_factory=dict)
    fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)

    def operation(self, name: str | None) -> OperationDefinitionNode | None:
        """The operation to run: the named one, or the only one."""
        if name:
            return self.operations.get(name)
        if len(self.operations) == 1:
            return next(iter(self.operations.values()))
        return None


def prepare(version: str, query: str) -> PreparedQuery:
    """Parse and validate `query` against the Admin schema of `version`."""
    try:
        document = parse(query)
    except GraphQLError as error:
        return PreparedQuery(None, [parse_error(error)])
    errors = validate(admin_schema(version), document)
    if errors:
        return PreparedQuery(document, validation_errors(errors, document))
    operations: dict[str | None, OperationDefinitionNode] = {}
    fragments: dict[str, FragmentDefinitionNode] = {}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            operations[definition.name.value if definition.name else None] = definition
        elif isinstance(definition, FragmentDefinitionNode):
            fragments[definition.name.value] = definition
    return PreparedQuery(document, [], operations, fragments)


class QueryCache:
    """An LRU of prepared queries."""

    def __init__(self, size: int = 2048) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[str, str], PreparedQuery] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, version: str, query: str) -> PreparedQuery:
        key = (version, query)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        prepared = prepare(version, query)
        with self._lock:
            self._entries[key] = prepared
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return prepared
