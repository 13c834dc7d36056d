"""Cursor pagination over Shopify connections, with loop detection.

A server that hands back a cursor it already gave, or says there is a next page without a cursor,
would make a naive loop run forever: both end the walk with PaginationLoop (transient: the next
attempt starts from the beginning).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from trueup.domain.errors import TransientError

Connection = Mapping[str, Any]


class PaginationLoop(TransientError):
    """Shopify's page cursors went round in a circle (or stopped without an end)."""


def walk_pages(
    fetch_page: Callable[[str | None], Connection], what: str, *, start_after: str | None = None
) -> Iterator[Mapping[str, Any]]:
    """Every node of the connection, fetching pages with `fetch_page(after_cursor)` until the last.
    `start_after` resumes after a page already read elsewhere."""
    seen: set[str] = {start_after} if start_after else set()
    after = start_after
    while True:
        connection = fetch_page(after)
        yield from connection.get("nodes") or []
        page_info = connection.get("pageInfo") or {}
        if not page_info.get("hasNextPage"):
            return
        cursor = page_info.get("endCursor")
        if not cursor:
            raise PaginationLoop(f"Shopify said {what} has a next page but gave no cursor")
        if cursor in seen:
            raise PaginationLoop(f"Shopify's cursor for {what} came back a second time")
        seen.add(cursor)
        after = cursor
