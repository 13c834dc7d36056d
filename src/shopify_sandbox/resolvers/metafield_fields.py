"""Metafields on customers and companies (read only): `metafield(namespace:, key:)` and `metafields(...)`.

As on Shopify, `metafield` without `namespace:` looks in the app-reserved namespace, `metafields` filters by
`namespace:` and by `keys:` ("namespace.key"), and both are null or empty for a metafield that is not set.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.connections import Connection, paginate
from shopify_sandbox.models.catalog import Company, Customer
from shopify_sandbox.models.metafields import Metafield, find_metafield
from shopify_sandbox.resolvers.registry import resolves


@resolves("Customer", "metafield")
@resolves("Company", "metafield")
def one_metafield(owner: Customer | Company, _info: GraphQLResolveInfo, key: str,
                  namespace: str | None = None, **_args: Any) -> Metafield | None:  # fmt: skip
    """The owner's metafield `namespace`.`key`, or None."""
    return find_metafield(owner.metafields, namespace, key)


@resolves("Customer", "metafields")
@resolves("Company", "metafields")
def metafield_page(owner: Customer | Company, _info: GraphQLResolveInfo, namespace: str | None = None,
                   keys: list[str] | None = None, **args: Any) -> Connection:  # fmt: skip
    """A page of the owner's metafields, filtered by namespace and by full keys ("namespace.key")."""
    chosen = [
        m
        for m in owner.metafields
        if (namespace is None or m.namespace == namespace) and (keys is None or f"{m.namespace}.{m.key}" in keys)
    ]
    return paginate(chosen, **args)
