"""Despatched customer shipments read from Tryton 8.2: what trueup fulfils back in Shopify.

A customer shipment (`stock.shipment.out`) counts once it is `shipped` or `done`. Its lines are its
outgoing moves (product code = SKU, quantity); its warehouse is the code of the one it leaves from
(what the fulfilment's Shopify location is chosen by); its sale is the moves' `sale` (the sale line they
come from), whose `reference` is the one trueup posted ("shopify:<shop>:<numeric order id>"). Tryton's base
modules have no carrier nor tracking field: the shipment's own `reference` field, free text, is read as
the tracking number. Where the database has Tryton's carrier modules (`carrier` with `stock_shipment_cost`,
as trueup's embedded Tryton has), the shipment's `carrier` is read by its party's name ("DHL Express");
otherwise the carrier is left out. Tryton has no tracking URL: trueup builds it from the carrier's URL
template in its configuration (`[tracking_urls]`).

The cursor is the `write_date` of the newest shipment read (Tryton's naive UTC timestamp, ISO text). The
next read starts at it inclusive, so a shipment written in the same microsecond is never missed; the
one already read comes again, which the fulfilment record makes harmless.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from trueup.adapters.tryton.database import TrytonDatabase
from trueup.domain.fulfilment import Shipment, ShipmentLine

DESPATCHED = ("shipped", "done")
BATCH = 200  # shipments per read: a long backlog is read over several polls


def read_despatched_shipments(client: TrytonDatabase, since: str | None) -> tuple[list[Shipment], str | None]:
    """Up to BATCH shipments despatched and written at or after `since`, oldest write first, and the cursor
    to read from next (`since` itself when there is nothing new)."""
    domain: list[Any] = [("state", "in", list(DESPATCHED))]
    if since:
        domain.append(("write_date", ">=", dt.datetime.fromisoformat(since)))
    fields = ["reference", "write_date", "outgoing_moves", "warehouse.code"]
    if _has_carrier(client):
        fields.append("carrier.party.name")
    rows = client.call(
        "stock.shipment.out", "search_read", domain, 0, BATCH, [("write_date", "ASC"), ("id", "ASC")], fields
    )
    if not rows:
        return [], since
    moves = _moves(client, [m for row in rows for m in row["outgoing_moves"]])
    shipments = [_shipment(row, [moves[m] for m in row["outgoing_moves"] if m in moves]) for row in rows]
    return [s for s in shipments if s.sale_reference], rows[-1]["write_date"].isoformat()


def shipments_cursor_at(moment: dt.datetime) -> str:
    """The cursor of shipments written at or after `moment`: Tryton's write_date is naive UTC."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).replace(tzinfo=None).isoformat()


def _has_carrier(client: TrytonDatabase) -> bool:
    """Whether customer shipments have a carrier in this database (Tryton's carrier modules activated)."""
    return "carrier" in client.call("stock.shipment.out", "fields_get", ["carrier"])


def _moves(client: TrytonDatabase, move_ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = client.call("stock.move", "read", move_ids, ["product.code", "quantity", "state", "sale.reference"])
    return {row["id"]: row for row in rows if row["state"] != "cancelled"}


def _shipment(row: dict[str, Any], moves: list[dict[str, Any]]) -> Shipment:
    quantities: dict[str, int] = defaultdict(int)
    references = set()
    for move in moves:
        quantities[(move.get("product.") or {}).get("code") or ""] += int(move["quantity"])
        references.add((move.get("sale.") or {}).get("reference") or "")
    # A shipment groups the moves of one customer; trueup's sales each have their own, so one reference.
    reference = min(references) if len(references) == 1 else ""
    return Shipment(
        shipment_id=f"stock.shipment.out,{row['id']}",
        sale_reference=reference,
        lines=tuple(ShipmentLine(sku, q) for sku, q in quantities.items() if q > 0),
        carrier=((row.get("carrier.") or {}).get("party.") or {}).get("name") or None,
        tracking_number=row.get("reference") or None,
        warehouse=(row.get("warehouse.") or {}).get("code") or None,
    )
