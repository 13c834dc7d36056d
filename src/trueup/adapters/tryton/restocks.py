"""The stock side of a refund in Tryton: units received back, units taken off a shipment still to pick.

RETURN (and LEGACY_RESTOCK) is a customer return shipment at the warehouse, received and done, so the units are
back in stock; CANCEL takes the units off the sale's shipment still to pick (the move is split and the part
cancelled; a kit's units off its components' moves), and is refused when that shipment is picked or later
(`check_restock`, asked before the refund's credit note is made, changes nothing); NO_RESTOCK moves nothing.

Each refund's units move once: the return shipment carries the refund's reference (an attempt cut short
finishes it, never makes another), and once everything has moved a note (`ir.note`) on the sale says so
(`_MOVED`). Only a cut between taking CANCEL units off and writing that note could take them off twice.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from trueup.adapters.tryton.database import TrytonDatabase
from trueup.adapters.tryton.sale_reads import SaleSnapshot, sale_id_of
from trueup.adapters.tryton.values import decimal_of
from trueup.domain.credit_notes import Restock, RestockRequest
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.posting_checks import ErpReferenceData, check_restocks

_BEFORE_PICKING = ("draft", "waiting", "assigned")
_LEGACY_STOCK_MOVED = "Stock moved for this refund."  # credit_notes.STOCK_MOVED: an earlier version's mark


def check_restock(db: TrytonDatabase, request: RestockRequest) -> None:
    """StructuralError when `request` cannot be carried out; changes nothing."""
    if _moved(db, request):
        return
    snapshot = SaleSnapshot(db, sale_id_of(request.sale_id))
    _cancellations(snapshot, _products(db, request), request.cancels)


def restock(db: TrytonDatabase, request: RestockRequest) -> None:
    """Move the refund's units (see the module's docstring), once."""
    if _moved(db, request):
        return
    snapshot = SaleSnapshot(db, sale_id_of(request.sale_id))
    products = _products(db, request)
    cancels = _cancellations(snapshot, products, request.cancels)  # checked before anything moves
    _return_goods(db, snapshot, products, request)
    _take_off(db, cancels)
    db.call("ir.note", "create", [{"resource": f"sale.sale,{snapshot.sale['id']}", "message": _mark(request)}])


def returned_units(db: TrytonDatabase, reference: str) -> dict[str, Decimal]:
    """The units the refund `reference`'s customer returns have received back into stock (their moves done), per
    product code; empty when there is none."""
    shipments = db.call(
        "stock.shipment.out.return", "search_read", [("reference", "=", reference)], 0, None, None, ["incoming_moves"]
    )
    move_ids = [move for shipment in shipments for move in shipment["incoming_moves"]]
    if not move_ids:
        return {}
    moves = [
        m for m in db.call("stock.move", "read", move_ids, ["product", "quantity", "state"]) if m["state"] == "done"
    ]
    products = list({m["product"] for m in moves})
    codes = {row["id"]: row["code"] for row in db.call("product.product", "read", products, ["code"])} if moves else {}
    units: dict[str, Decimal] = defaultdict(Decimal)
    for move in moves:
        units[codes[move["product"]]] += decimal_of(move["quantity"])
    return dict(units)


def _mark(request: RestockRequest) -> str:
    return f"trueup: stock moved for refund {request.reference}"


def _moved(db: TrytonDatabase, request: RestockRequest) -> bool:
    """Whether the refund's units have moved: the note on the sale, or an earlier version's mark on the note."""
    sale = f"sale.sale,{sale_id_of(request.sale_id)}"
    if db.call("ir.note", "search", [("resource", "=", sale), ("message", "=", _mark(request))], 0, 1):
        return True
    legacy = [("reference", "=", request.reference), ("type", "=", "out"), ("comment", "=", _LEGACY_STOCK_MOVED)]
    return bool(db.call("account.invoice", "search", legacy, 0, 1))


def _products(db: TrytonDatabase, request: RestockRequest) -> dict[str, dict[str, Any]]:
    products = db.product_rows({r.sku for r in request.restocks})
    warehouses = {r.warehouse for r in request.restocks if r.warehouse}
    erp = ErpReferenceData(skus=set(products), warehouses=set(db.reference.lookup("warehouses", warehouses)))
    check_restocks(request.restocks, erp)
    return products


def _cancellations(
    snapshot: SaleSnapshot, products: dict[str, dict[str, Any]], restocks: Sequence[Restock]
) -> list[tuple[int, int, Decimal]]:
    """(shipment, move, units) to take off the sale's outgoing moves still to pick, checked before anything is
    made. A kit's units are taken off its components' moves. A sale trueup cancelled has nothing left to take
    off: its shipments not despatched were cancelled with it (a despatched one refuses the cancellation), so
    a refund of its units never asks for what trueup itself took off."""
    if snapshot.is_cancelled:
        return []
    shipment_states = {f"stock.shipment.out,{s['id']}": s["state"] for s in snapshot.shipments}
    left = {
        move_id: decimal_of(move["quantity"])
        for move_id, move in snapshot.moves.items()
        if shipment_states.get(move["shipment"] or "") in _BEFORE_PICKING
        and move["state"] in ("draft", "assigned")
        and (move.get("to_location.") or {}).get("type") == "customer"
    }
    result: list[tuple[int, int, Decimal]] = []
    for restock in restocks:
        for move_ids, needed in _sources(snapshot, products[restock.sku]["id"], restock.quantity):
            for move_id in (m for m in move_ids if left.get(m)):
                taken = min(needed, left[move_id])
                result.append((int(snapshot.moves[move_id]["shipment"].split(",")[1]), move_id, taken))
                left[move_id] -= taken
                needed -= taken
            if needed > 0:
                started = [s for s in snapshot.shipments if s["state"] not in (*_BEFORE_PICKING, "cancelled")]
                where = f" (shipment {started[0]['number']} is {started[0]['state']})" if started else ""
                raise StructuralError(
                    Cause.ALREADY_DESPATCHED,
                    f"{restock.quantity} x {restock.sku} are not on a shipment still to pick{where}: they cannot be "
                    "taken off",
                )
    return result


def _sources(snapshot: SaleSnapshot, product_id: int, units: Decimal) -> list[tuple[list[int], Decimal]]:
    """Where `units` of a product sold on the sale leave from: its lines' moves, or for a kit each component's
    moves with the component units those kits hold."""
    lines = [line for line in snapshot.lines if line["product"] == product_id and line["quantity"]]
    components = [c for c in snapshot.components if c["line"] in {line["id"] for line in lines}]
    if not components:
        return [([m for line in lines for m in line["moves"]], units)]
    sold = {line["id"]: decimal_of(line["quantity"]) for line in lines}
    by_product: dict[int, tuple[list[int], Decimal]] = {}
    for component in components:
        moves, per_kit = by_product.get(component["product"], ([], Decimal(0)))
        per_kit = per_kit or decimal_of(component["quantity"]) / sold[component["line"]]
        by_product[component["product"]] = ([*moves, *component["moves"]], per_kit)
    return [(moves, units * per_kit) for moves, per_kit in by_product.values()]


def _take_off(db: TrytonDatabase, cancels: list[tuple[int, int, Decimal]]) -> None:
    """Take units off pending outgoing moves, (shipment, move, units): each move keeps the rest (or goes) and a
    cancelled copy, off the shipment, the part, so the sale counts those units as dealt with and does not
    ship them again. The shipment goes back to draft meanwhile and is waited (and reserved) again."""
    client = db
    by_shipment: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for shipment_id, move_id, units in cancels:
        by_shipment[shipment_id][move_id] += units
    for shipment_id, moves in by_shipment.items():
        (shipment,) = client.call("stock.shipment.out", "read", [shipment_id], ["state", "outgoing_moves"])
        if shipment["state"] == "assigned":
            client.call("stock.shipment.out", "wait", [shipment_id])  # gives the reserved stock back
        client.call("stock.shipment.out", "draft", [shipment_id])
        rows = {m["id"]: m for m in client.call("stock.move", "read", list(moves), ["quantity"])}
        for move_id, units in moves.items():
            rest = decimal_of(rows[move_id]["quantity"]) - units
            parts = client.call("stock.move", "copy", [move_id], {"quantity": float(units), "shipment": None})
            client.call("stock.move", "cancel", parts)
            if rest > 0:
                client.call("stock.move", "write", [move_id], {"quantity": float(rest)})
            else:
                client.call("stock.move", "delete", [move_id])
        if len(shipment["outgoing_moves"]) > sum(1 for m, u in moves.items() if u >= decimal_of(rows[m]["quantity"])):
            client.call("stock.shipment.out", "wait", [shipment_id])
            if shipment["state"] == "assigned":
                client.call("stock.shipment.out", "assign_try", [shipment_id])
        else:
            client.call("stock.shipment.out", "cancel", [shipment_id])


def _return_goods(
    db: TrytonDatabase, snapshot: SaleSnapshot, products: dict[str, dict[str, Any]], request: RestockRequest
) -> None:
    returns = request.returns
    if not returns:
        return
    client, sale = db, snapshot.sale
    made = client.call("stock.shipment.out.return", "search", [("reference", "=", request.reference)])
    if made:  # by an attempt cut short: finished, not made again
        _receive(db, made)
        return
    by_warehouse: dict[int, list[Restock]] = {}
    for restock in returns:
        warehouse = db.reference.warehouse_id(restock.warehouse) if restock.warehouse else sale["warehouse"]
        by_warehouse.setdefault(warehouse, []).append(restock)
    (party,) = client.call("party.party", "read", [sale["party"]], ["customer_location"])
    locations = {
        row["id"]: row
        for row in client.call("stock.location", "read", list(by_warehouse), ["input_location", "storage_location"])
    }
    # Each returned unit points at the delivery it came back from, where Tryton has one.
    origins = {
        sku: f"stock.move,{move['id']}"
        for sku, product in products.items()
        for move in snapshot.moves.values()
        if move["product"] == product["id"] and move["state"] == "done"
    }
    shipments = [
        {
            "company": sale["company"],
            "customer": sale["party"],
            "contact_address": sale["shipment_address"],
            "warehouse": warehouse,
            "warehouse_input": locations[warehouse]["input_location"],
            "warehouse_storage": locations[warehouse]["storage_location"],
            "reference": request.reference,
            "incoming_moves": [
                (
                    "create",
                    [
                        {
                            "product": products[r.sku]["id"],
                            "quantity": float(r.quantity),
                            "unit": products[r.sku]["default_uom"],
                            "from_location": party["customer_location"],
                            "to_location": locations[warehouse]["input_location"],
                            "company": sale["company"],
                            "unit_price": 0,
                            "currency": sale["currency"],
                            **({"origin": origins[r.sku]} if r.sku in origins else {}),
                        }
                        for r in restocks
                    ],
                )
            ],
        }
        for warehouse, restocks in by_warehouse.items()
    ]
    _receive(db, client.call("stock.shipment.out.return", "create", shipments))


def _receive(db: TrytonDatabase, ids: list[int]) -> None:
    """Receive and finish return shipments (those still to), so the units are back in stock."""
    client = db
    ids = client.call(
        "stock.shipment.out.return", "search", [("id", "in", ids), ("state", "in", ["draft", "received"])]
    )
    if not ids:
        return
    orphans = client.call(
        "stock.move",
        "search",
        [("shipment", "in", [f"stock.shipment.out.return,{i}" for i in ids]), ("origin", "=", None)],
        0,
        None,
        [("id", "ASC")],
    )
    if orphans:  # Tryton warns of customer moves without an origin: acknowledged, as a user would
        names = "|".join(f"stock.move,{move_id}" for move_id in orphans)
        key = hashlib.md5(names.encode()).hexdigest()  # noqa: S324 - Tryton's warning key
        client.call("res.user.warning", "skip", f"{key}.done")
    client.call("stock.shipment.out.return", "receive", ids)
    client.call("stock.shipment.out.return", "do", ids)
