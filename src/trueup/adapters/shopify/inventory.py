"""Inventory over Shopify's Admin API: locations, `available` levels (by SKU, or a whole catalogue through a
bulk operation) and compare-and-set writes with inventorySetQuantities.

Every call here runs at inventory priority on the shop's cost budget: orders and fulfilments go first.

Writes: each quantity carries `changeFromQuantity` (the level trueup last read); Shopify refuses the whole
call when one of them is stale (CHANGE_FROM_QUANTITY_STALE). The stale ones are set aside for the caller to
re-read and recompute, and the others are sent again under a key derived from the caller's, so a replay of
the same batch under the same key walks the same path and applies nothing twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx
import structlog

from trueup.adapters.shopify import queries
from trueup.adapters.shopify.cost_budget import Priority, calls_at
from trueup.adapters.shopify.graphql import ShopifyGraphQL, ShopifyQueryError
from trueup.adapters.shopify.pagination import walk_pages
from trueup.domain.errors import BadInput, Cause, StructuralError, TransientError
from trueup.domain.inventory import InventoryLevel, ShopLocation, StockWrite, StockWriteResult

MAX_QUANTITIES_PER_CALL = 250
WRITE_REASON = "correction"
STALE = "CHANGE_FROM_QUANTITY_STALE"
_RETRY_LATER = frozenset({"IDEMPOTENCY_CONCURRENT_REQUEST", "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"})
_UNKNOWN_ITEM = frozenset({"INVALID_INVENTORY_ITEM", "NON_MUTABLE_INVENTORY_ITEM", "ITEM_NOT_STOCKED_AT_LOCATION"})
_BULK_DONE = "COMPLETED"
_BULK_RUNNING = frozenset({"CREATED", "RUNNING"})

log = structlog.get_logger(__name__)


class ShopifyInventory:
    """The inventory calls of one shop, on its GraphQL connection (and so its cost budget)."""

    def __init__(
        self,
        graphql: ShopifyGraphQL,
        *,
        bulk_poll_seconds: float = 1.0,
        bulk_timeout_seconds: float = 1800.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        download: Callable[[str], Iterator[str]] | None = None,
    ) -> None:
        self._graphql = graphql
        self.bulk_poll_seconds = bulk_poll_seconds
        self._timeout = bulk_timeout_seconds
        self._sleep = sleep
        self._clock = clock
        self._download = download or download_lines
        self.last_bulk_operation: str | None = None  # the id of the last bulk read (for reports)

    def _execute(self, operation: queries.Operation, variables: Mapping[str, Any]) -> dict[str, Any]:
        with calls_at(Priority.INVENTORY):
            return self._graphql.execute(operation, variables)

    # --- locations ---------------------------------------------------------------------------------
    def locations(self) -> list[ShopLocation]:
        """Every location of the shop, active or not."""

        def page(after: str | None) -> Mapping[str, Any]:
            connection: Mapping[str, Any] = self._execute(queries.LOCATIONS, {"after": after})["locations"]
            return connection

        return [ShopLocation(str(n["id"]), str(n["name"]), bool(n["isActive"])) for n in walk_pages(page, "locations")]

    # --- levels ------------------------------------------------------------------------------------
    def inventory_levels(self, location_ids: Sequence[str], skus: Iterable[str] | None = None) -> list[InventoryLevel]:
        """`available` of tracked items at `location_ids`: of `skus` (pages of 25 SKUs), or of the whole
        catalogue (one bulk operation)."""
        wanted = frozenset(location_ids)
        if not wanted:
            return []
        if skus is None:
            return [level for level in self._bulk_levels() if level.location_id in wanted]
        unique = list(dict.fromkeys(s for s in skus if s))
        found: list[InventoryLevel] = []
        for start in range(0, len(unique), queries.INVENTORY_SKUS_PER_QUERY):
            chunk = unique[start : start + queries.INVENTORY_SKUS_PER_QUERY]
            found.extend(level for level in self._levels_of(chunk) if level.location_id in wanted)
        return found

    def _levels_of(self, skus: Sequence[str]) -> Iterator[InventoryLevel]:
        search = " OR ".join(f"sku:{search_value(sku)}" for sku in skus)
        exact = set(skus)

        def page(after: str | None) -> Mapping[str, Any]:
            variables = {"query": search, "after": after}
            connection: Mapping[str, Any] = self._execute(queries.INVENTORY_BY_SKU, variables)["inventoryItems"]
            return connection

        for item in walk_pages(page, "inventory items by SKU"):
            # Shopify's search matches loosely (prefixes, tokens): keep the exact SKUs asked for.
            if item.get("sku") not in exact or not item.get("tracked"):
                continue
            levels = item["inventoryLevels"]
            nodes: list[Mapping[str, Any]] = list(levels.get("nodes") or [])
            page_info = levels.get("pageInfo") or {}
            if page_info.get("hasNextPage"):
                nodes.extend(self._more_levels(str(item["id"]), page_info.get("endCursor")))
            for node in nodes:
                yield level_of(str(item["sku"]), str(item["id"]), node)

    def _more_levels(self, item_id: str, after: str | None) -> list[Mapping[str, Any]]:
        def page(cursor: str | None) -> Mapping[str, Any]:
            item = self._execute(queries.INVENTORY_ITEM_LEVELS, {"id": item_id, "after": cursor}).get("inventoryItem")
            connection: Mapping[str, Any] = (item or {}).get("inventoryLevels") or {}
            return connection

        return list(walk_pages(page, f"the levels of {item_id}", start_after=after))

    def _bulk_levels(self) -> list[InventoryLevel]:
        url = self._run_bulk(queries.INVENTORY_BULK_QUERY.document)
        return list(levels_from_jsonl(self._download(url))) if url else []

    def _run_bulk(self, query: str) -> str | None:
        """Start a bulk query, wait for it, return its file's URL (None: nothing matched)."""
        started = self._execute(queries.BULK_OPERATION_RUN_QUERY, {"query": query})["bulkOperationRunQuery"]
        errors = started.get("userErrors") or []
        if errors or not started.get("bulkOperation"):
            codes = {str(e.get("code")) for e in errors}
            details = "; ".join(str(e.get("message")) for e in errors)
            if codes & {"OPERATION_IN_PROGRESS", "LIMIT_REACHED"}:
                raise TransientError(f"Shopify is running other bulk queries for {self._graphql.shop}: {details}")
            raise ShopifyQueryError(queries.BULK_OPERATION_RUN_QUERY.name, [details or "no bulk operation"])
        operation_id = str(started["bulkOperation"]["id"])
        self.last_bulk_operation = operation_id
        deadline = self._clock() + self._timeout
        while True:
            operation = self._execute(queries.BULK_OPERATION, {"id": operation_id}).get("bulkOperation") or {}
            status = str(operation.get("status"))
            if status == _BULK_DONE:
                url = operation.get("url")
                return str(url) if url else None
            if status not in _BULK_RUNNING:
                raise TransientError(
                    f"Shopify's bulk read of inventory ended {status} ({operation.get('errorCode')}): read again later"
                )
            if self._clock() >= deadline:
                raise TransientError(f"Shopify's bulk read of inventory did not finish within {self._timeout:.0f} s")
            self._sleep(self.bulk_poll_seconds)

    # --- writes ------------------------------------------------------------------------------------
    def set_available(self, writes: Sequence[StockWrite], idempotency_key: str) -> StockWriteResult:
        """Set `available` with a compare on each write; stale writes are returned, the others applied."""
        check_batch(writes, idempotency_key)
        pending, stale, attempt = list(writes), [], 0
        while pending:
            key = idempotency_key if attempt == 0 else f"{idempotency_key}/{attempt}"
            now_stale = self._set_once(pending, key)
            if not now_stale:
                break
            stale.extend(now_stale)
            pending = [w for w in pending if w not in now_stale]
            attempt += 1
        return StockWriteResult(tuple(pending), tuple(stale))

    def _set_once(self, writes: Sequence[StockWrite], key: str) -> list[StockWrite]:
        """One inventorySetQuantities call: the stale writes when Shopify refused it for them, else []."""
        variables = {"input": set_quantities_input(writes), "key": key}
        result = self._execute(queries.INVENTORY_SET_QUANTITIES, variables)["inventorySetQuantities"]
        errors = result.get("userErrors") or []
        if not errors:
            return []
        stale = [writes[i] for i in _indexes(errors, STALE, len(writes))]
        others = [e for e in errors if e.get("code") != STALE]
        if others:
            raise write_refused(others, writes)
        log.info("shopify.inventory_stale", shop=self._graphql.shop, stale=len(stale), batch=len(writes))
        # A stale error Shopify did not tie to a quantity: every compare of the batch is in doubt.
        return stale or list(writes)


def check_batch(writes: Sequence[StockWrite], idempotency_key: str) -> None:
    """What trueup refuses to send: no key, an empty or oversized batch, one pair written twice."""
    if not idempotency_key:
        raise BadInput("a stock write needs an idempotency key")
    if not 1 <= len(writes) <= MAX_QUANTITIES_PER_CALL:
        raise BadInput(f"a stock write batch holds 1..{MAX_QUANTITIES_PER_CALL} quantities, not {len(writes)}")
    if len({(w.inventory_item_id, w.location_id) for w in writes}) != len(writes):
        raise BadInput("a stock write batch names one item at one location twice")


def set_quantities_input(writes: Sequence[StockWrite]) -> dict[str, Any]:
    """InventorySetQuantitiesInput: `available`, each quantity compared with what trueup last read."""
    return {
        "name": "available",
        "reason": WRITE_REASON,
        "quantities": [
            {
                "inventoryItemId": w.inventory_item_id,
                "locationId": w.location_id,
                "quantity": w.quantity,
                "changeFromQuantity": w.expected,
            }
            for w in writes
        ],
    }


def _indexes(errors: Sequence[Mapping[str, Any]], code: str, count: int) -> list[int]:
    """The quantity indexes (`field: ["input", "quantities", "3", …]`) of the errors with `code`."""
    found = []
    for error in errors:
        path = [str(p) for p in error.get("field") or []]
        if error.get("code") == code and len(path) >= 3 and path[1] == "quantities" and path[2].isdigit():
            index = int(path[2])
            if index < count and index not in found:
                found.append(index)
    return found


def write_refused(errors: Sequence[Mapping[str, Any]], writes: Sequence[StockWrite]) -> Exception:
    """Shopify's refusal of a write, classed by what to do about it."""
    codes = {str(e.get("code")) for e in errors}
    details = "; ".join(str(e.get("message")) for e in errors)
    if codes & _RETRY_LATER:
        return TransientError(f"Shopify asked to retry the stock write later: {details}")
    unknown_items = [writes[i] for code in _UNKNOWN_ITEM for i in _indexes(errors, code, len(writes))]
    if unknown_items or codes & _UNKNOWN_ITEM:
        skus = sorted({w.sku for w in unknown_items})
        return StructuralError(
            Cause.SKU_NOT_IN_SHOPIFY,
            f"Shopify refused stock for SKU {', '.join(skus) or '?'}: {details}",
            {"skus": skus},
        )
    if "INVALID_LOCATION" in codes:
        locations = sorted({writes[i].location_id for i in _indexes(errors, "INVALID_LOCATION", len(writes))})
        return StructuralError(
            Cause.UNMAPPED_LOCATION, f"Shopify refused the location {', '.join(locations)}: {details}"
        )
    if "IDEMPOTENCY_KEY_PARAMETER_MISMATCH" in codes:
        return BadInput(f"a stock write key was reused for other writes: {details}")
    return ShopifyQueryError(queries.INVENTORY_SET_QUANTITIES.name, [details], sorted(codes))


def search_value(value: str) -> str:
    """A value in Shopify's search syntax, quoted (so `-`, `:` and spaces stay part of it)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def level_of(sku: str, item_id: str, node: Mapping[str, Any]) -> InventoryLevel:
    """A level from its node; `available` and `committed` come from the same read of its quantities."""
    quantities = {str(q.get("name")): int(q["quantity"]) for q in node.get("quantities") or []}
    updated = node.get("updatedAt")
    return InventoryLevel(
        sku=sku,
        inventory_item_id=item_id,
        location_id=str(node["location"]["id"]),
        available=quantities.get("available", 0),
        updated_at=datetime.fromisoformat(str(updated)) if updated else None,
        committed=quantities.get("committed", 0),
    )


def levels_from_jsonl(lines: Iterable[str]) -> Iterator[InventoryLevel]:
    """The levels of a bulk read's file: an item line, then its level lines (`__parentId` = the item).

    Shopify writes children after their parent, but does not promise it for every shape: levels are
    held until their item is known."""
    items: dict[str, tuple[str, bool]] = {}
    orphans: dict[str, list[Mapping[str, Any]]] = {}
    for line in lines:
        if not line.strip():
            continue
        record = json.loads(line)
        parent = record.get("__parentId")
        if parent is None:
            item_id = str(record["id"])
            items[item_id] = (str(record.get("sku") or ""), bool(record.get("tracked")))
            for held in orphans.pop(item_id, []):
                yield from _tracked_level(items[item_id], item_id, held)
        elif parent in items:
            yield from _tracked_level(items[parent], parent, record)
        else:
            orphans.setdefault(parent, []).append(record)


def _tracked_level(item: tuple[str, bool], item_id: str, record: Mapping[str, Any]) -> Iterator[InventoryLevel]:
    sku, tracked = item
    if sku and tracked:
        yield level_of(sku, item_id, record)


def download_lines(url: str) -> Iterator[str]:
    """The lines of a bulk operation's file. Shopify serves it from a signed URL: no token is sent."""
    try:
        with httpx.stream("GET", url, timeout=httpx.Timeout(60.0, connect=5.0)) as response:
            if response.status_code >= 400:
                raise TransientError(f"cannot download Shopify's bulk file (HTTP {response.status_code})")
            yield from response.iter_lines()
    except httpx.TransportError as exc:
        raise TransientError(f"cannot download Shopify's bulk file: {type(exc).__name__}") from exc
