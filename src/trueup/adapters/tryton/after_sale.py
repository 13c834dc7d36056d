"""A posted Tryton sale after the fact: where it stands, amended to match an edited order, cancelled.

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

Reading a sale's progress costs 6 calls; an amendment about 8 (3 more when it adds lines, 2 more when the tax
rounding line changes); a cancellation about 10.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any

from trueup.adapters.tryton.parties import PartyBook
from trueup.domain.after_sale import SaleLineProgress, SaleProgress, ShipmentProgress, ShipmentStage
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.orders import Address
from trueup.domain.sales import PostedSale, SalesOrderRequest

if TYPE_CHECKING:
    from trueup.adapters.tryton.back_office import TrytonBackOffice

SHIPPING_PRODUCT = "SHIPPING"
ROUNDING_PRODUCT = "TAX-ROUNDING"
NOT_GOODS = frozenset({SHIPPING_PRODUCT, ROUNDING_PRODUCT})
STAGES = {
    "draft": ShipmentStage.WAITING,
    "waiting": ShipmentStage.WAITING,
    "assigned": ShipmentStage.ASSIGNED,
    "picked": ShipmentStage.PICKED,
    "packed": ShipmentStage.PACKED,
    "shipped": ShipmentStage.SHIPPED,
    "done": ShipmentStage.DONE,
    "cancelled": ShipmentStage.CANCELLED,
}
# The first line of a cancelled sale's comment: Tryton has no "cancelled" for a confirmed sale.
CANCELLED_NOTE = "CANCELLED in Shopify: every line set to 0; its shipments and draft invoices cancelled."
STARTED = frozenset({ShipmentStage.PICKED, ShipmentStage.PACKED, ShipmentStage.SHIPPED, ShipmentStage.DONE})
DESPATCHED = frozenset({ShipmentStage.SHIPPED, ShipmentStage.DONE})
_SALE_FIELDS = [
    "number",
    "reference",
    "state",
    "currency",
    "total_amount",
    "shipment_address",
    "shipments",
    "invoices",
    "lines",
    "party",
    "company",
    "warehouse",
    "invoice_address",
    "comment",
]
_LINE_FIELDS = [
    "type",
    "product",
    "product.code",
    "quantity",
    "unit",
    "unit_price",
    "taxes",
    "description",
    "moves",
    "invoice_lines",
    "components",
]
_MOVE_FIELDS = ["state", "quantity", "product", "shipment", "to_location.type"]
_ADDRESS_FIELDS = ["party_name", "street_unstructured", "postal_code", "city", "country.code", "subdivision.code"]


class SaleSnapshot:
    """One read of a sale with its lines, shipments and invoices: what progress, amendments and cancellations
    decide from (6 calls)."""

    def __init__(self, office: TrytonBackOffice, sale_id: int) -> None:
        client = office._client
        rows = client.call("sale.sale", "read", [sale_id], _SALE_FIELDS)
        if not rows:
            raise StructuralError(Cause.BACK_OFFICE_REJECTED, f"Tryton has no sale {sale_id}")
        self.sale: dict[str, Any] = rows[0]
        self.currency = {v: k for k, v in office._lookup("currencies").items()}[self.sale["currency"]]
        self.lines: list[dict[str, Any]] = [
            row for row in client.call("sale.line", "read", self.sale["lines"], _LINE_FIELDS) if row["type"] == "line"
        ]
        # A kit's line (product_kit) ships as component moves, made from its sale.line.component records.
        kits = [c for line in self.lines for c in line.get("components") or []]
        self.components: list[dict[str, Any]] = (
            client.call("sale.line.component", "read", kits, ["line", "product", "quantity", "moves"]) if kits else []
        )
        move_ids = [m for row in [*self.lines, *self.components] for m in row["moves"]]
        self.moves = {m["id"]: m for m in client.call("stock.move", "read", move_ids, _MOVE_FIELDS)}
        shipments = client.call(
            "stock.shipment.out", "read", self.sale["shipments"], ["number", "state", "warehouse.code"]
        )
        self.shipments: list[dict[str, Any]] = sorted(shipments, key=lambda s: s["id"])
        self.invoices: list[dict[str, Any]] = client.call(
            "account.invoice", "read", self.sale["invoices"], ["number", "state", "type"]
        )
        self.address = _read_address(office, self.sale["shipment_address"])

    @property
    def goods(self) -> list[dict[str, Any]]:
        return [line for line in self.lines if _code(line) not in NOT_GOODS]

    @property
    def is_cancelled(self) -> bool:
        return state_of(self.sale) == "cancelled" or (
            self.sale["state"] in ("processing", "done")
            and bool(self.goods)
            and all(not line["quantity"] for line in self.goods)
        )

    def stages(self) -> list[tuple[dict[str, Any], ShipmentStage]]:
        return [(s, STAGES[s["state"]]) for s in self.shipments]

    def quantities(self) -> dict[str, Decimal]:
        result: dict[str, Decimal] = defaultdict(Decimal)
        for line in self.goods:
            result[_code(line)] += _decimal(line["quantity"])
        return {sku: q for sku, q in result.items() if q}

    def delivered(self, move_ids: list[int]) -> Decimal:
        """Units of `move_ids` done to the customer."""
        moves = [self.moves[m] for m in move_ids if m in self.moves]
        return sum(
            (_decimal(m["quantity"]) for m in moves
             if m["state"] == "done" and (m.get("to_location.") or {}).get("type") == "customer"),
            Decimal(0),
        )  # fmt: skip

    def shipped(self, line: dict[str, Any]) -> Decimal:
        """Units of the line delivered; of a kit, as many whole kits as its least delivered component makes."""
        components = [c for c in self.components if c["line"] == line["id"]]
        if not components:
            return self.delivered(line["moves"])
        quantity = _decimal(line["quantity"])
        kits = [self.delivered(c["moves"]) * quantity / _decimal(c["quantity"]) for c in components if c["quantity"]]
        return min(kits, default=Decimal(0)).to_integral_value(rounding=ROUND_FLOOR)

    def progress(self) -> SaleProgress:
        lines = []
        for line in self.goods:
            if not line["quantity"]:  # removed by an amendment (Tryton keeps the line at 0)
                continue
            shipped = self.shipped(line)
            lines.append(SaleLineProgress(line["id"], _code(line), _decimal(line["quantity"]), shipped))
        shipments = tuple(
            ShipmentProgress(
                f"stock.shipment.out,{s['id']}", s["number"] or "", (s.get("warehouse.") or {}).get("code") or "", stage
            )
            for s, stage in self.stages()
        )
        posted = tuple(i["number"] for i in self.invoices if i["state"] in ("posted", "paid") and i["number"])
        return SaleProgress(
            erp_id=self.sale["id"],
            number=self.sale["number"] or "",
            reference=self.sale["reference"] or "",
            state="cancelled" if self.is_cancelled else self.sale["state"],
            total=Money(self.sale["total_amount"], self.currency),
            lines=tuple(lines),
            shipments=shipments,
            shipment_address=self.address,
            invoice_numbers=posted,
        )


def state_of(sale: dict[str, Any]) -> str:
    """The sale's state as trueup reads it: Tryton's, or "cancelled" for a sale cancel_sale cancelled."""
    if sale["state"] in ("processing", "done") and (sale.get("comment") or "").startswith(CANCELLED_NOTE):
        return "cancelled"
    return str(sale["state"])


def sale_progress(office: TrytonBackOffice, sale_id: int) -> SaleProgress:
    return SaleSnapshot(office, sale_id).progress()


def amend_sale(office: TrytonBackOffice, sale_id: int, order: SalesOrderRequest) -> PostedSale:
    """See the module's docstring. The cut-off is the caller's; a shipment the warehouse has picked (or
    later) that the change would touch raises StructuralError(ALREADY_DESPATCHED)."""
    snapshot = SaleSnapshot(office, sale_id)
    if snapshot.is_cancelled:
        raise StructuralError(Cause.BACK_OFFICE_REJECTED, f"sale {snapshot.sale['number']} is cancelled")
    wanted_skus = {line.sku for line in order.lines if not line.is_shipping} | set(NOT_GOODS)
    products = office._product_rows(wanted_skus)
    office._check_item_master(order, products)
    invoice_id, shipment_id, party_id = _addresses(office, order)
    _check_not_started(snapshot, order, shipment_id)
    reserved = _back_to_waiting(office, snapshot)
    changes: list[dict[str, Any]] = []
    if (shipment_id, invoice_id) != (snapshot.sale["shipment_address"], snapshot.sale["invoice_address"]):
        changes.append(
            {"action": "party", "party": party_id, "invoice_address": invoice_id, "shipment_address": shipment_id}
        )
    wanted = [v for line in order.lines for v in office._line_values(line, products)]
    changes += _line_changes(office, snapshot, wanted, products)
    if changes:
        _amend(office, sale_id, "Shopify order edited", changes)
    _settle_rounding(office, sale_id, order, products)
    _reserve_again(office, reserved)
    return office._read_sale(sale_id)


def cancel_sale(office: TrytonBackOffice, sale_id: int) -> PostedSale:
    """See the module's docstring. Each step is skipped once done, so a retry finishes a cancellation cut
    short; a despatched shipment raises StructuralError(ALREADY_DESPATCHED)."""
    client = office._client
    snapshot = SaleSnapshot(office, sale_id)
    if state_of(snapshot.sale) == "cancelled":  # done before; a cancellation cut short goes on below
        return office._read_sale(sale_id)
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
        _amend(office, sale_id, "Cancelled in Shopify", zero)
    drafts = client.call("account.invoice", "search", [("sales", "=", sale_id), ("state", "=", "draft")])
    if drafts:
        client.call("account.invoice", "cancel", drafts)
    comment = "\n".join(filter(None, [CANCELLED_NOTE, snapshot.sale.get("comment")]))
    client.call("sale.sale", "write", [sale_id], {"comment": comment})
    return office._read_sale(sale_id)


# --- internals ----------------------------------------------------------------------------------
def _addresses(office: TrytonBackOffice, order: SalesOrderRequest) -> tuple[int, int, int]:
    invoice = order.invoice_address or order.shipment_address
    shipment = order.shipment_address or order.invoice_address
    addresses = [a for a in (invoice, shipment) if a is not None]
    book = PartyBook(office._client, office._lookup("countries"), office._lookup("payment_terms"))
    party_id, ids = book.find_or_create(order.customer, addresses, order.party_fields)
    invoice_id, shipment_id = (ids * 2)[:2] if len(ids) == 1 else ids[:2]
    return invoice_id, shipment_id, party_id


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


def _back_to_waiting(office: TrytonBackOffice, snapshot: SaleSnapshot) -> list[int]:
    """sale_amendment recreates draft and waiting shipments only: an assigned one gives its stock back first.
    The shipments that were assigned."""
    assigned = [s["id"] for s, stage in snapshot.stages() if stage == ShipmentStage.ASSIGNED]
    if assigned:
        office._client.call("stock.shipment.out", "wait", assigned)
    return assigned


def _reserve_again(office: TrytonBackOffice, shipment_ids: list[int]) -> None:
    """The shipments that were assigned before the amendment are reserved again, as far as stock allows."""
    if not shipment_ids:
        return
    waiting = office._client.call(
        "stock.shipment.out", "search", [("id", "in", shipment_ids), ("state", "=", "waiting")]
    )
    if waiting:
        office._client.call("stock.shipment.out", "assign_try", waiting)


def _line_changes(
    office: TrytonBackOffice, snapshot: SaleSnapshot, wanted: list[dict[str, Any]], products: dict[str, Any]
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
        if unprocessed or (_decimal(match["quantity"]), _decimal(match["unit_price"]), match["description"]) != (
            Decimal(str(values["quantity"])),
            Decimal(values["unit_price"]),
            values["description"],
        ):
            changes.append(_line_action(match["id"], values))
    changes += [_line_action(x["id"], {**_values_of(x), "quantity": 0.0}) for x in free if x["quantity"]]
    for line_id, values in zip(_add_lines(office, snapshot, missing), missing, strict=True):
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


def _add_lines(office: TrytonBackOffice, snapshot: SaleSnapshot, lines: list[dict[str, Any]]) -> list[int]:
    """New lines on a confirmed sale: made on a scratch draft sale of the same party, then moved over."""
    if not lines:
        return []
    client, sale = office._client, snapshot.sale
    scratch = {
        key: sale[key] for key in ("company", "party", "currency", "warehouse", "invoice_address", "shipment_address")
    }
    (scratch_id,) = client.call("sale.sale", "create", [{**scratch, "lines": [("create", lines)]}])
    (row,) = client.call("sale.sale", "read", [scratch_id], ["lines"])
    client.call("sale.line", "write", row["lines"], {"sale": sale["id"]})
    client.call("sale.sale", "delete", [scratch_id])
    return list(row["lines"])


def _amend(office: TrytonBackOffice, sale_id: int, description: str, lines: list[dict[str, Any]]) -> None:
    """One amendment of `lines`, validated (Tryton then recreates the draft invoice and the shipment moves).
    Draft amendments an earlier attempt left are removed first: only one may be validated at a time."""
    stale = office._client.call("sale.amendment", "search", [("sale", "=", sale_id), ("state", "=", "draft")])
    if stale:
        office._client.call("sale.amendment", "delete", stale)
    (amendment_id,) = office._client.call(
        "sale.amendment", "create", [{"sale": sale_id, "description": description, "lines": [("create", lines)]}]
    )
    office._client.call("sale.amendment", "validate_amendment", [amendment_id])


def _settle_rounding(
    office: TrytonBackOffice, sale_id: int, order: SalesOrderRequest, products: dict[str, dict[str, Any]]
) -> None:
    """As at creation: Shopify's tax, with Tryton's difference on the untaxed TAX-ROUNDING line (re-priced,
    added or set to 0); beyond the tolerance, a mismatch for a person."""
    (row,) = office._client.call("sale.sale", "read", [sale_id], ["tax_amount"])
    erp_tax = Money(row["tax_amount"], order.currency)
    difference = order.expected_tax - erp_tax
    tolerance = order.tax_rounding_tolerance
    if not difference.is_zero() and (tolerance is None or abs(difference.amount) > tolerance.amount):
        raise StructuralError(
            Cause.TAX_MISMATCH,
            f"Shopify charged {order.expected_tax} of tax, the ERP computes {erp_tax} (difference {difference})",
        )
    product = products.get(ROUNDING_PRODUCT)
    snapshot_lines = office._client.call(
        "sale.line",
        "search_read",
        [("sale", "=", sale_id), ("product.code", "=", ROUNDING_PRODUCT)],
        0,
        None,
        [("id", "ASC")],
        _LINE_FIELDS,
    )
    current = sum((_decimal(x["quantity"]) * _decimal(x["unit_price"]) for x in snapshot_lines), Decimal(0))
    # The rounding line carries no tax, so Tryton's tax never includes it: the whole difference is the line.
    target = difference.amount
    if current == target:
        return
    if product is None:
        raise StructuralError(
            Cause.SKU_NOT_IN_ITEM_MASTER,
            f"no {ROUNDING_PRODUCT} product in Tryton to book a tax rounding of {difference}",
            needs={"skus": [ROUNDING_PRODUCT]},
        )
    values = {
        "product": product["id"],
        "quantity": 1.0,
        "unit": product["sale_uom"],
        "unit_price": target,
        "description": f"Tax rounding: Shopify {order.expected_tax}, ERP {erp_tax}",
    }
    changes = [_line_action(x["id"], {**_values_of(x), "quantity": 0.0}) for x in snapshot_lines[1:]]
    if snapshot_lines:
        changes.append(_line_action(snapshot_lines[0]["id"], values))
    else:
        snapshot = SaleSnapshot(office, sale_id)
        (line_id,) = _add_lines(office, snapshot, [{"type": "line", **values}])
        changes.append(_line_action(line_id, values))
    _amend(office, sale_id, "Tax rounding", changes)


def _read_address(office: TrytonBackOffice, address_id: int | None) -> Address | None:
    if not address_id:
        return None
    (row,) = office._client.call("party.address", "read", [address_id], _ADDRESS_FIELDS)
    street = (row["street_unstructured"] or "").split("\n", 1)
    return Address(
        name=row["party_name"] or "",
        address1=street[0],
        address2=street[1] if len(street) > 1 else "",
        city=row["city"] or "",
        zip=row["postal_code"] or "",
        country_code=(row.get("country.") or {}).get("code") or "",
        province_code=((row.get("subdivision.") or {}).get("code") or "").split("-")[-1],
    )


def _code(line: dict[str, Any]) -> str:
    return (line.get("product.") or {}).get("code") or ""


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value)).normalize() if value else Decimal(0)
