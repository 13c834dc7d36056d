"""Shopify global ids (`gid://shopify/Order/5801234567890`) and the realistic numbers behind them."""

from __future__ import annotations

import itertools
import re

from graphql import GraphQLError

_GID = re.compile(r"^gid://shopify/(?P<type>[A-Za-z]+)/(?P<id>\d+)(\?.*)?$")

# Numeric ids in the ranges real shops show today, so that clients storing them as 64-bit ints are exercised.
_BASES = {
    "Order": 5_801_000_000_000,
    "LineItem": 14_501_000_000_000,
    "Product": 8_901_000_000_000,
    "ProductVariant": 45_101_000_000_000,
    "InventoryItem": 47_201_000_000_000,
    "Location": 71_001_000_000,
    "Customer": 7_401_000_000_000,
    "Metafield": 30_201_000_000_000,
    "FulfillmentOrder": 6_701_000_000_000,
    "FulfillmentOrderLineItem": 14_801_000_000_000,
    "OrderTransaction": 6_901_000_000_000,
    "WebhookSubscription": 1_401_000_000_000,
    "InventoryAdjustmentGroup": 31_001_000_000_000,
}
_DEFAULT_BASE = 1_000_000_000


class MalformedId(GraphQLError):
    """An id argument that is not a Shopify gid at all (Shopify answers with an error, not a null)."""

    def __init__(self, value: object) -> None:
        super().__init__(f"Invalid global id '{value}'", extensions={"code": "argumentLiteralsIncompatible"})


def gid(typename: str, number: int) -> str:
    """The global id of object `number` of `typename`."""
    return f"gid://shopify/{typename}/{number}"


def parse_gid(value: object) -> tuple[str, int]:
    """(typename, number) of a gid; raises MalformedId for anything else."""
    match = _GID.match(value) if isinstance(value, str) else None
    if match is None:
        raise MalformedId(value)
    return match["type"], int(match["id"])


def number_of(value: object, typename: str) -> int | None:
    """The number of a gid of `typename`; None when it names another type (not found, as Shopify)."""
    found_type, number = parse_gid(value)
    return number if found_type == typename else None


class IdSequence:
    """Hands out increasing numeric ids per type, from realistic bases; deterministic for a given history."""

    def __init__(self) -> None:
        self._counters: dict[str, itertools.count[int]] = {}

    def next(self, typename: str) -> int:
        counter = self._counters.get(typename)
        if counter is None:
            counter = itertools.count(_BASES.get(typename, _DEFAULT_BASE) + 1, 1)
            self._counters[typename] = counter
        return next(counter)
