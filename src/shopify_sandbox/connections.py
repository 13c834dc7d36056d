"""Relay cursor pagination as Shopify serves it: first/after, last/before, reverse, opaque base64 cursors.

A cursor is base64 of JSON `{"last_id": <number>, "last_value": <sort value>}` (Shopify's own cursors
have that shape); paging continues after (value, id) even if the object the cursor came from is gone.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError

MAX_PAGE_SIZE = 250

MISSING_PAGE_SIZE = "you must provide one of first or last"
PAGE_SIZE_TOO_LARGE = "The '{argument}' argument must be between 0 and 250, got {value}"


@dataclass
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@dataclass
class Edge:
    number: int
    sort_value: Any
    node: Any

    @property
    def cursor(self) -> str:
        # Built only when asked for: most pages are read through `nodes`.
        return encode_cursor(self.number, self.sort_value)


@dataclass
class Connection:
    edges: list[Edge]
    page_info: PageInfo
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def nodes(self) -> list[Any]:
        return [edge.node for edge in self.edges]


def encode_cursor(number: int, value: Any) -> str:
    raw = json.dumps({"last_id": number, "last_value": value}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[Any, int]:
    try:
        data = json.loads(base64.b64decode(cursor.encode(), validate=True))
        return data["last_value"], int(data["last_id"])
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise GraphQLError(f"Invalid cursor '{cursor}'", extensions={"code": "argumentLiteralsIncompatible"}) from error


def check_page_size(first: int | None, last: int | None) -> None:
    """Shopify's rules: one of first/last is required, neither may exceed 250 nor be negative."""
    if first is None and last is None:
        raise GraphQLError(MISSING_PAGE_SIZE)
    for argument, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
            raise GraphQLError(PAGE_SIZE_TOO_LARGE.format(argument=argument, value=value))


def paginate(
    items: Sequence[Any],
    sort_value: Callable[[Any], Any] = lambda item: item.number,
    *,
    first: int | None = None,
    last: int | None = None,
    after: str | None = None,
    before: str | None = None,
    reverse: bool = False,
    **_ignored: Any,
) -> Connection:
    """One page of `items`, ordered by (sort_value, number), as a Connection."""
    check_page_size(first, last)
    keyed = sorted(((_sortable(sort_value(item)), item.number, item) for item in items), key=lambda k: (k[0], k[1]))
    if reverse:
        keyed.reverse()
    after_key = _cursor_key(after)
    before_key = _cursor_key(before)
    window = [
        k for k in keyed if _beyond(k, after_key, reverse, after=True) and _beyond(k, before_key, reverse, after=False)
    ]
    has_previous = has_next = False
    if first is not None and len(window) > first:
        window, has_next = window[:first], True
    if last is not None and len(window) > last:
        window, has_previous = window[len(window) - last :], True
    # Like Shopify: a page reached through a cursor knows there is something on the other side of it.
    has_previous = has_previous or (after is not None and bool(keyed) and keyed[0] not in window)
    has_next = has_next or (before is not None and bool(keyed) and keyed[-1] not in window)
    edges = [Edge(number, _jsonable(value), item) for value, number, item in window]
    page_info = PageInfo(
        has_next_page=has_next,
        has_previous_page=has_previous,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, page_info=page_info)


def _sortable(value: Any) -> Any:
    return "" if value is None else value


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, int | float | str) else str(value)


def _cursor_key(cursor: str | None) -> tuple[Any, int] | None:
    return None if cursor is None else decode_cursor(cursor)


def _beyond(key: tuple[Any, int, Any], bound: tuple[Any, int] | None, reverse: bool, *, after: bool) -> bool:
    if bound is None:
        return True
    mine = (_jsonable(key[0]), key[1])
    try:
        greater = mine > (bound[0], bound[1])
        equal = mine == (bound[0], bound[1])
    except TypeError:
        greater, equal = str(mine) > str(tuple(bound)), False
    if equal:
        return False
    return greater != reverse if after else greater == reverse
