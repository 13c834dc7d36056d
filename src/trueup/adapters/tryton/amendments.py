"""A posted Tryton sale changed after the fact: amended to match an edited order, or cancelled.

Amendments go through Tryton's sale_amendment module: a validated amendment re-prices the sale's lines, then
recreates its draft invoice lines and its draft/waiting shipment moves (assigned shipments are sent back to
waiting first). Tryton refuses new lines on a confirmed sale, and an amendment can only change existing ones:
a line the edit added is made on a scratch draft sale and moved onto the sale, then the amendment takes it in
(the scratch sale is deleted). A removed line is amended to quantity 0.

Tryton 8.2 has no way from "processing" to "cancelled", so a cancellation is: the shipments not yet despatched
cancelled, an amendment ("Cancelled in Shopify") setting every line to 0 (which drops the draft invoice), any
draft invoice left cancelled (a posted one stays: the refunds' credit notes balance it), and CANCELLED_NOTE as
the first line of the sale's comment. Tryton then shows the sale processing, total 0, shipment "exception";
trueup reports such a sale — every goods line at 0 — in state "cancelled".

Reading a sale's progress costs 6 calls; an amendment about 8 (3 more when it adds lines), then 3 to 4 to set
Shopify's tax on the draft invoice; a cancellation about 10.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from typing import Any

from trueup.adapters.tryton.database import ROUNDING_PRODUCT, TrytonDatabase
from trueup.adapters.tryton.parties import sale_parties
from trueup.adapters.tryton.sale_lines import sale_line_values
from trueup.adapters.tryton.sale_reads import (
    CANCELLED_NOTE,
    DESPATCHED,
    LINE_FIELDS,
    STAGES,
    STARTED,
    SaleSnapshot,
    read_one_posted,
    state_of,
)
from trueup.adapters.tryton.sales_orders import charge_sale_taxes, sale_reference_data
from trueup.adapters.tryton.values import decimal_of
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.posting_checks import check_sales_order
from trueup.domain.sales import PostedSale, SalesOrderRequest, ShipmentStage
from trueup.domain.tax_rounding import check_tax_variance


def amend_sale(db: TrytonDatabase, sale_id: int, order: SalesOrderRequest) -> PostedSale:
    """See the module's docstring. The cut-off is the caller's; a shipment the warehouse has picked (or
    later) that the change would touch raises StructuralError(ALREADY_DESPATCHED)."""
    snapshot = SaleSnapshot(db, sale_id)
    if snapshot.is_cancelled:
        raise StructuralError(Cause.BACK_OFFICE_REJECTED, f"sale {snapshot.sale['number']} is cancelled")
    wanted_skus = {line.sku for line in order.lines} | {ROUNDING_PRODUCT}
    products = db.product_rows(wanted_skus)
    check_sales_order(order, sale_reference_data(db, order, products))
    party_id, invoice_id, shipment_id = sale_parties(db, order)
    _check_not_started(snapshot, order, shipment_id)
    reserved = _back_to_waiting(db, snapshot)
    changes: list[dict[str, Any]] = []
    if (shipment_id, invoice_id) != (snapshot.sale["shipment_address"], snapshot.sale["invoice_address"]):
        changes.append(
            {"action": "party", "party": party_id, "invoice_address": invoice_id, "shipment_address": shipment_id}
        )
    taxes = db.reference.lookup("taxes")
    wanted = [v for line in order.lines for v in sale_line_values(line, products, taxes)]
    changes += _line_changes(db, snapshot, wanted, products)
    if changes:
        _amend(db, sale_id, "Shopify order edited", changes)
    recreate_stopped_shipment(db, sale_id)
    if order.park_on_tax_variance:
        (row,) = db.call("sale.sale", "read", [sale_id], ["tax_amount"])
        check_tax_variance(order.expected_tax, Money(row["tax_amount"], order.currency), order.tax_rounding_tolerance)
    _zero_legacy_rounding(db, sale_id)
    variances = charge_sale_taxes(db, sale_id, order)
    _reserve_again(db, reserved)
    return replace(read_one_posted(db, sale_id), tax_variances=variances)


def cancel_sale(db: TrytonDatabase, sale_id: int) -> PostedSale:
    """See the module's docstring. Each step is skipped once done, so a retry finishes a cancellation cut
    short; a despatched shipment raises StructuralError(ALREADY_DESPATCHED)."""
    client = db
    snapshot = SaleSnapshot(db, sale_id)
    if state_of(snapshot.sale) == "cancelled":  # done before; a cancellation cut short goes on below
        return read_one_posted(db, sale_id)
    despatched = [s for s, stage in snapshot.stages() if stage in DESPATCHED]
    if despatched:
        raise StructuralError(
            Cause.ALREADY_DESPATCHED,
            f"shipment {despatched[0]['number']} has left the warehouse: the sale cannot be cancelled",
        )
    live = [s["id"] for s, stage in snapshot.stages() if stage != ShipmentStage.CANCELLED]
    if live:
        client.call("stock.shipment.out", "cancel", live)
    zero = [
        {
            "action": "line",
            "line": line["id"],
            "product": line["product"],
            "quantity": 0.0,
            "unit": line["unit"],
            "unit_price": line["unit_price"],
            "description": line["description"],
        }
        for line in snapshot.lines
        if line["quantity"]
    ]
    if zero:
        _amend(db, sale_id, "Cancelled in Shopify", zero)
    drafts = client.call("account.invoice", "search", [("sales", "=", sale_id), ("state", "=", "draft")])
    if drafts:
        client.call("account.invoice", "cancel", drafts)
    comment = "\n".join(filter(None, [CANCELLED_NOTE, snapshot.sale.get("comment")]))
    client.call("sale.sale", "write", [sale_id], {"comment": comment})
    return read_one_posted(db, sale_id)


# --- internals ----------------------------------------------------------------------------------
def _check_not_started(snapshot: SaleSnapshot, order: SalesOrderRequest, shipment_address: int) -> None:
    started = [s for s, stage in snapshot.stages() if stage in STARTED]
    if not started:
        return
    wanted: dict[str, Decimal] = defaultdict(Decimal)
    for line in order.lines:
        if not line.is_shipping:
            wanted[line.sku] += line.quantity
    if {k: v for k, v in wanted.items() if v} != snapshot.quantities() or (
        shipment_address != snapshot.sale["shipment_address"]
    ):
        shipment = started[0]
        stage = STAGES[shipment["state"]]
        raise StructuralError(
            Cause.ALREADY_DESPATCHED,
            f"shipment {shipment['number']} is {stage}: the sale's goods and address can no longer change in the ERP",
        )


def _back_to_waiting(db: TrytonDatabase, snapshot: SaleSnapshot) -> list[int]:
    """sale_amendment recreates draft and waiting shipments only: an assigned one gives its stock back first.
    The shipments that were assigned."""
    assigned = [s["id"] for s, stage in snapshot.stages() if stage == ShipmentStage.ASSIGNED]
    if assigned:
        db.call("stock.shipment.out", "wait", assigned)
    return assigned


def _reserve_again(db: TrytonDatabase, shipment_ids: list[int]) -> None:
    """The shipments that were assigned before the amendment are reserved again, as far as stock allows."""
    if not shipment_ids:
        return
    waiting = db.call("stock.shipment.out", "search", [("id", "in", shipment_ids), ("state", "=", "waiting")])
    if waiting:
        db.call("stock.shipment.out", "assign_try", waiting)


def _line_changes(
    db: TrytonDatabase, snapshot: SaleSnapshot, wanted: list[dict[str, Any]], products: dict[str, Any]
) -> list[dict[str, Any]]:
    """Amendment lines turning the sale's lines into `wanted` (line values as the sale was created with):
    a line of the same product and taxes is re-priced; the others go to 0; what is left is added."""
    rounding = products.get(ROUNDING_PRODUCT, {}).get("id")
    existing = [line for line in snapshot.lines if line["product"] != rounding]
    free = list(existing)
    changes: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    for values in wanted:
        taxes = sorted(values["taxes"][0][1])
        match = next((x for x in free if x["product"] == values["product"] and sorted(x["taxes"]) == taxes), None)
        if match is None:
            missing.append(values)
            continue
        free.remove(match)
        # A line with a quantity but no invoice line was moved onto the sale by an amendment cut short before
        # it was validated: it is amended (again) so that Tryton ships and invoices it.
        unprocessed = bool(match["quantity"]) and not match["invoice_lines"]
        if unprocessed or (decimal_of(match["quantity"]), decimal_of(match["unit_price"]), match["description"]) != (
            decimal_of(values["quantity"]),
            Decimal(values["unit_price"]),
            values["description"],
        ):
            changes.append(_line_action(match["id"], values))
    changes += [_line_action(x["id"], {**_values_of(x), "quantity": 0.0}) for x in free if x["quantity"]]
    for line_id, values in zip(_add_lines(db, snapshot, missing), missing, strict=True):
        changes.append(_line_action(line_id, values))
    return changes


def _values_of(line: dict[str, Any]) -> dict[str, Any]:
    return {key: line[key] for key in ("product", "quantity", "unit", "unit_price", "description")}


def _line_action(line_id: int, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "action": "line",
        "line": line_id,
        "product": values["product"],
        "quantity": values["quantity"],
        "unit": values["unit"],
        "unit_price": values["unit_price"],
        "description": values["description"],
    }


def _add_lines(db: TrytonDatabase, snapshot: SaleSnapshot, lines: list[dict[str, Any]]) -> list[int]:
    """New lines on a confirmed sale: made on a scratch draft sale of the same party, then moved over."""
    if not lines:
        return []
    client, sale = db, snapshot.sale
    scratch = {
        key: sale[key] for key in ("company", "party", "currency", "warehouse", "invoice_address", "shipment_address")
    }
    (scratch_id,) = client.call("sale.sale", "create", [{**scratch, "lines": [("create", lines)]}])
    (row,) = client.call("sale.sale", "read", [scratch_id], ["lines"])
    client.call("sale.line", "write", row["lines"], {"sale": sale["id"]})
    client.call("sale.sale", "delete", [scratch_id])
    return list(row["lines"])


def _amend(db: TrytonDatabase, sale_id: int, description: str, lines: list[dict[str, Any]]) -> None:
    """One amendment of `lines`, validated (Tryton then recreates the draft invoice and the shipment moves).
    Draft amendments an earlier attempt left are removed first: only one may be validated at a time."""
    stale = db.call("sale.amendment", "search", [("sale", "=", sale_id), ("state", "=", "draft")])
    if stale:
        db.call("sale.amendment", "delete", stale)
    (amendment_id,) = db.call(
        "sale.amendment", "create", [{"sale": sale_id, "description": description, "lines": [("create", lines)]}]
    )
    db.call("sale.amendment", "validate_amendment", [amendment_id])


def _zero_legacy_rounding(db: TrytonDatabase, sale_id: int) -> None:
    """A TAX-ROUNDING line an earlier version of trueup put on the sale goes to 0: the invoice now carries
    Shopify's tax itself (invoice_taxes.py)."""
    rows = db.call(
        "sale.line",
        "search_read",
        [("sale", "=", sale_id), ("product.code", "=", ROUNDING_PRODUCT), ("quantity", "!=", 0)],
        0,
        None,
        [("id", "ASC")],
        LINE_FIELDS,
    )
    if rows:
        _amend(db, sale_id, "Tax rounding", [_line_action(x["id"], {**_values_of(x), "quantity": 0.0}) for x in rows])


_SHIPMENT_EXCEPTION = "wizard.sale.handle.shipment.exception"


def recreate_stopped_shipment(db: TrytonDatabase, sale_id: int) -> bool:
    """After a parcel was stopped (its shipment cancelled in Tryton), the goods still sold go on a shipment
    again: Tryton's own "Handle shipment exception" wizard, every cancelled move recreated, then the sale
    processed (idempotent, whether or not a queue worker runs the wizard's task). False when the sale's
    shipments are not in exception (or it is cancelled). Tryton counts the moves recreated or ignored, so
    a move is never handled twice."""
    (sale,) = db.call("sale.sale", "read", [sale_id], ["shipment_state", "state", "comment"])
    if sale["shipment_state"] != "exception" or state_of(sale) == "cancelled":
        return False
    context = {"active_model": "sale.sale", "active_id": sale_id, "active_ids": [sale_id]}
    session, _start, _end = db.client.call_method(f"{_SHIPMENT_EXCEPTION}.create")
    try:
        asked = db.client.call_method(f"{_SHIPMENT_EXCEPTION}.execute", session, {}, "ask", context=context)
        moves = list(asked["view"]["defaults"].get("domain_moves") or [])
        if moves:
            answer = {"ask": {"domain_moves": moves, "recreate_moves": moves, "ignore_moves": []}}
            db.client.call_method(f"{_SHIPMENT_EXCEPTION}.execute", session, answer, "handle", context=context)
    finally:
        db.client.call_method(f"{_SHIPMENT_EXCEPTION}.delete", session)
    if moves:
        db.call("sale.sale", "process", [sale_id])
    return bool(moves)
