"""The table of field resolvers, the default resolver that fails loudly, and abstract type resolution.

A resolver is registered with `@resolves("Order", "lineItems")` and called as
`fn(obj, info, **arguments)` (arguments by their schema names). A field with no registered resolver is read
from the object: a dict key equal to the field name, or the attribute named like the field in snake_case.
If neither exists the field is not implemented, and the answer says so by name: the sandbox never invents
a null.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from graphql import GraphQLAbstractType, GraphQLError, GraphQLResolveInfo

Resolver = Callable[..., Any]

_RESOLVERS: dict[tuple[str, str], Resolver] = {}
_MISSING = object()


def resolves(typename: str, *fields: str) -> Callable[[Resolver], Resolver]:
    """Register the decorated function as the resolver of `typename.field` for each of `fields`."""

    def register(function: Resolver) -> Resolver:
        for field in fields:
            _RESOLVERS[(typename, field)] = function
        return function

    return register


def registered(typename: str, field: str) -> Resolver | None:
    return _RESOLVERS.get((typename, field))


@functools.cache
def snake_case(name: str) -> str:
    """`totalPriceSet` → `total_price_set`, `countryCodeV2` → `country_code_v2`."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


class NotImplementedBySandbox(GraphQLError):
    def __init__(self, typename: str, field: str) -> None:
        super().__init__(
            f"Field '{typename}.{field}' is not implemented by the sandbox",
            extensions={"code": "NOT_IMPLEMENTED_BY_SANDBOX", "typeName": typename, "fieldName": field},
        )


MAX_INPUT_ARRAY = 250


def _longest_list(value: Any) -> int:
    if isinstance(value, dict):
        return max((_longest_list(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return max([len(value), *(_longest_list(v) for v in value)])
    return 0


def field_resolver(source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
    """Resolve any field: a registered resolver, else the object's own value, else a loud error."""
    typename = info.parent_type.name
    resolver = _RESOLVERS.get((typename, info.field_name))
    if typename == "Mutation" and (size := _longest_list(arguments)) > MAX_INPUT_ARRAY:
        raise GraphQLError(
            f"The input array size of {size} is greater than the maximum allowed of {MAX_INPUT_ARRAY}.",
            extensions={"code": "MAX_INPUT_SIZE_EXCEEDED"},
        )
    if resolver is not None:
        return to_wire(resolver(source, info, **arguments))
    if source is None:
        raise NotImplementedBySandbox(typename, info.field_name)
    if isinstance(source, dict):
        value = source.get(info.field_name, _MISSING)
    else:
        value = getattr(source, snake_case(info.field_name), _MISSING)
    if value is _MISSING:
        raise NotImplementedBySandbox(typename, info.field_name)
    return to_wire(value)


def to_wire(value: Any) -> Any:
    """Scalars as Shopify sends them: Decimal as a two-decimal string, DateTime as ISO 8601 in UTC with Z."""
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return value


def type_resolver(value: Any, info: GraphQLResolveInfo, abstract_type: GraphQLAbstractType) -> str:
    """The concrete type of a value of an interface or union: `__typename` key, or the model's `typename`."""
    if isinstance(value, dict) and "__typename" in value:
        return str(value["__typename"])
    typename = getattr(value, "typename", None)
    if typename is None:
        raise GraphQLError(f"The sandbox cannot tell the type of {type(value).__name__} for {abstract_type.name}")
    return str(typename)


CORE_MODULES = (
    "shopify_sandbox.resolvers.query_root",
    "shopify_sandbox.resolvers.catalog_fields",
    "shopify_sandbox.resolvers.money_fields",
    "shopify_sandbox.resolvers.order_fields",
    "shopify_sandbox.mutations.order_create_mutation",
    "shopify_sandbox.mutations.order_update_mutation",
    "shopify_sandbox.mutations.inventory_mutations",
    "shopify_sandbox.mutations.webhook_mutations",
)


def register_all() -> None:
    """Import the core resolver modules, then every other module of `shopify_sandbox.resolvers` and
    `shopify_sandbox.mutations`. Each registers its resolvers on import; a later registration of the same
    field replaces an earlier one, so an extension module dropped into either package overrides the core."""
    import shopify_sandbox.mutations
    import shopify_sandbox.resolvers

    names = list(CORE_MODULES)
    for package in (shopify_sandbox.resolvers, shopify_sandbox.mutations):
        for module in pkgutil.iter_modules(package.__path__):
            name = f"{package.__name__}.{module.name}"
            if name not in names:
                names.append(name)
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError as error:
            raise RuntimeError(f"resolver module {name} failed to import: {error}") from error
