"""Stock read from Tryton 8.2: which products moved at which warehouse since a cursor, and what each
warehouse can promise.

**Changes.** Every stock change in Tryton is a `stock.move` created or written (a receipt done, a sale
confirmed, a shipment assigned or sent, an inventory). The moves whose `write_date` or `create_date` is at or
after the cursor are read (three fields each, one call), and each becomes (product code, warehouse) for the
warehouse of its `from_location` and of its `to_location` — child locations (storage, input, output, …)
count as their warehouse; supplier, customer and lost-and-found locations belong to none. Tryton stamps a
record with its transaction's time, so a transaction that commits late can carry a time just before rows
already read: each read starts `OVERLAP` before the newest time seen, and the cursor remembers the moves
already reported in that window (id and time) so they are not reported twice.

**What can be promised.** On hand today, less what is already due out (the lesser of
Tryton's `quantity` and `forecast_quantity` at today, computed over the warehouse and its children), never
below zero; a kit counts as many as its scarcest component allows (product_kit computes it). One call for
any number of products. Tryton's forecast leaves out moves planned before today that are not assigned
(late shipments) until Tryton's reschedule task moves them to today: see docs/inventory.md.

**On hand** is Tryton's `quantity` at today: the done moves only (stock's `_quantity_context` sets
`forecast` off and caps the date at today; assigned and draft moves do not count), so goods leave it when
the shipment's outgoing moves are done (shipped), not when a sale is confirmed or its goods reserved.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from trueup.adapters.tryton.database import TrytonDatabase
from trueup.adapters.tryton.values import units
from trueup.domain.inventory import StockChange, WarehouseStock

OVERLAP = dt.timedelta(seconds=5)
_STOCKABLE = ("goods", "kit")


class TrytonStock:
    """Stock reads on one Tryton database; the warehouses' locations are the reference data's (read once, again
    when one is new)."""

    def __init__(self, db: TrytonDatabase) -> None:
        self._db = db

    # --- changes ------------------------------------------------------------------------------------
    def changes(self, since_cursor: str | None) -> tuple[list[StockChange], str | None]:
        """Products whose stock moved at a warehouse since the cursor, and the cursor to read from next."""
        if since_cursor is None:  # from now on: what is already there (the overlap window too) is not reported
            first = _cursor(self._newest_stamp(), [])
            return [], self.changes(first)[1] or first
        at, seen = _parse(since_cursor)
        start = at - OVERLAP
        rows = self._db.call(
            "stock.move",
            "search_read",
            ["OR", ("write_date", ">=", start), ("create_date", ">=", start)],
            0,
            None,
            [("id", "ASC")],
            ["product.code", "from_location", "to_location", "write_date", "create_date"],
        )
        fresh = [row for row in rows if (row["id"], _stamp(row).isoformat()) not in seen]
        if not fresh:
            return [], since_cursor
        newest = max([at, *(_stamp(row) for row in fresh)])
        window = [(row["id"], _stamp(row).isoformat()) for row in rows if _stamp(row) >= newest - OVERLAP]
        return self._changes(fresh), _cursor(newest, window)

    def _changes(self, rows: list[dict[str, Any]]) -> list[StockChange]:
        locations = {row[side] for row in rows for side in ("from_location", "to_location")}
        warehouse_of = self._warehouse_of(locations)
        found: dict[StockChange, None] = {}  # in order, once each
        for row in rows:
            sku = (row.get("product.") or {}).get("code")
            if not sku:
                continue
            for side in ("from_location", "to_location"):
                warehouse = warehouse_of.get(row[side])
                if warehouse:
                    found[StockChange(sku, warehouse)] = None
        return list(found)

    def _newest_stamp(self) -> dt.datetime:
        stamps = []
        for name in ("write_date", "create_date"):
            rows = self._db.call("stock.move", "search_read", [(name, "!=", None)], 0, 1, [(name, "DESC")], [name])
            stamps += [row[name] for row in rows]
        return max(stamps, default=dt.datetime(1970, 1, 1))

    def _warehouse_of(self, location_ids: set[int]) -> dict[int, str]:
        return self._db.reference.warehouse_of_locations(location_ids)

    # --- what can be promised -----------------------------------------------------------------------
    def warehouse_stock(self, warehouse: str, skus: Iterable[str] | None) -> list[WarehouseStock]:
        """What `warehouse` can promise of `skus` (None: every stockable product); unknown SKUs left out."""
        warehouse_id = self._db.reference.warehouse_id(warehouse)
        domain: list[Any] = [("type", "in", list(_STOCKABLE))]
        if skus is not None:
            wanted = sorted(set(skus))
            if not wanted:
                return []
            domain.append(("code", "in", wanted))
        context = {"locations": [warehouse_id], "stock_date_end": dt.date.today(), "with_childs": True}
        rows = self._db.call(
            "product.product",
            "search_read",
            domain,
            0,
            None,
            [("id", "ASC")],
            ["code", "quantity", "forecast_quantity"],
            context=context,
        )
        return [
            WarehouseStock(
                row["code"], warehouse, units(min(row["quantity"], row["forecast_quantity"])), units(row["quantity"])
            )
            for row in rows
            if row["code"]
        ]


def _stamp(row: dict[str, Any]) -> dt.datetime:
    stamps = [row[name] for name in ("write_date", "create_date") if row.get(name)]
    return max(stamps)


def _cursor(at: dt.datetime, seen: list[tuple[int, str]]) -> str:
    return json.dumps({"at": at.isoformat(), "seen": sorted(seen)})


def _parse(cursor: str) -> tuple[dt.datetime, set[tuple[int, str]]]:
    try:
        data = json.loads(cursor)
        return dt.datetime.fromisoformat(data["at"]), {(int(i), str(t)) for i, t in data["seen"]}
    except (ValueError, KeyError, TypeError):  # a plain timestamp (or a cursor from elsewhere): from there on
        return dt.datetime.fromisoformat(cursor), set()
