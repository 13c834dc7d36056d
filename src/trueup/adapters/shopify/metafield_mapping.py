"""The configured metafields of an order's customer or company, read back from their aliases (see queries)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from trueup.adapters.shopify.queries import metafield_aliases
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.party_fields import VALUE_LIMIT, MetafieldSource


def metafield_values(
    node: Mapping[str, Any], sources: Sequence[MetafieldSource], path: str
) -> tuple[tuple[str, str], ...]:
    """(namespace.key, value) of each metafield in `sources` set on `node` (a Customer or a Company); a metafield
    not set (null) or blank is left out. An over-long value is invalid customer data, named but not shown."""
    values = []
    for alias, source in metafield_aliases(sources).items():
        metafield = node.get(alias)
        value = metafield.get("value") if isinstance(metafield, Mapping) else None
        if not isinstance(value, str) or not value.strip():
            continue
        if len(value.strip()) > VALUE_LIMIT:
            raise StructuralError(
                Cause.INVALID_CUSTOMER_DATA,
                f"Shopify {path} metafield {source.name} is longer than {VALUE_LIMIT} characters",
            )
        values.append((source.name, value.strip()))
    return tuple(values)
