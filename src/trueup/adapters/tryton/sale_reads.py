"""Reading a Tryton sale: as a posted sale (number, state, totals) and as a snapshot of its lines, shipments and
invoices, which progress, amendments, cancellations and credit notes decide from.

Tryton 8.2 has no way from "processing" to "cancelled": trueup's cancellation (amendments.py) leaves the sale
processing with every line at 0 and CANCELLED_NOTE first in its comment; such a sale reads as "cancelled".
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from trueup.adapters.tryton.database import TrytonDatabase
from trueup.adapters.tryton.values import decimal_of, erp_id, record_id
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.orders import Address
from trueup.domain.sales import PostedSale, SaleLineProgress, SaleProgress, ShipmentProgress, ShipmentStage

GOODS = ("goods", "kit")  # product types that ship; shipping and tax rounding are services
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
LINE_FIELDS = [
    "type",
    "product",
    "product.code",
    "product.type",
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
_POSTED_FIELDS = [
    "number",
    "reference",
    "state",
    "currency",
    "untaxed_amount",
    "tax_amount",
    "total_amount",
    "comment",
    "invoices",
]
_INVOICE_FIELDS = ["state", "untaxed_amount", "tax_amount", "total_amount"]


def read_posted(db: TrytonDatabase, sale_ids: list[int]) -> dict[int, PostedSale]:
    """The sales as posted sales, by Tryton id (two calls): a sale's tax and total are its invoices' (which
    carry Shopify's tax, invoice_taxes.py) once it has live ones, the sale's own before."""
    rows = db.call("sale.sale", "read", sale_ids, _POSTED_FIELDS) if sale_ids else []
    invoice_ids = [i for row in rows for i in row["invoices"]]
    invoices = (
        {r["id"]: r for r in db.call("account.invoice", "read", invoice_ids, _INVOICE_FIELDS)} if invoice_ids else {}
    )
    return {row["id"]: _posted(db, _as_invoiced(row, invoices)) for row in rows}


def _as_invoiced(row: dict[str, Any], invoices: dict[int, dict[str, Any]]) -> dict[str, Any]:
    live = [invoices[i] for i in row["invoices"] if i in invoices and invoices[i]["state"] != "cancelled"]
    if not live or state_of(row) == "cancelled":
        return row
    amounts = {key: sum((i[key] for i in live), Decimal(0)) for key in ("untaxed_amount", "tax_amount", "total_amount")}
    return {**row, **amounts}


def read_one_posted(db: TrytonDatabase, sale_id: int) -> PostedSale:
    return read_posted(db, [sale_id])[sale_id]


def _posted(db: TrytonDatabase, row: dict[str, Any]) -> PostedSale:
    currency = db.reference.currency_code(row["currency"])
    return PostedSale(
        erp_id=erp_id(row["id"]),
        number=row["number"] or "",
        reference=row["reference"] or "",
        state=state_of(row),  # "cancelled" for a sale trueup cancelled
        untaxed=Money(row["untaxed_amount"], currency),
        tax=Money(row["tax_amount"], currency),
        total=Money(row["total_amount"], currency),
    )


def state_of(sale: dict[str, Any]) -> str:
    """The sale's state as trueup reads it: Tryton's, or "cancelled" for a sale trueup cancelled."""
    if sale["state"] in ("processing", "done") and (sale.get("comment") or "").startswith(CANCELLED_NOTE):
        return "cancelled"
    return str(sale["state"])


def sale_id_of(sale: str) -> int:
    """The Tryton id of the sale trueup knows as `sale` (an ERP id this adapter gave out)."""
    return record_id(sale, "sale")


class SaleSnapshot:
    """One read of a sale with its lines, shipments and invoices: what progress, amendments and cancellations
    decide from (6 calls)."""

    def __init__(self, db: TrytonDatabase, sale_id: int) -> None:
        client = db
        rows = client.call("sale.sale", "read", [sale_id], _SALE_FIELDS)
        if not rows:
            raise StructuralError(Cause.BACK_OFFICE_REJECTED, f"Tryton has no sale {sale_id}")
        self.sale: dict[str, Any] = rows[0]
        self.currency = db.reference.currency_code(self.sale["currency"])
        self.lines: list[dict[str, Any]] = [
            row for row in client.call("sale.line", "read", self.sale["lines"], LINE_FIELDS) if row["type"] == "line"
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
            "account.invoice", "read", self.sale["invoices"], ["number", "state", "type", "total_amount"]
        )
        self.address = _read_address(db, self.sale["shipment_address"])

    @property
    def goods(self) -> list[dict[str, Any]]:
        return [line for line in self.lines if (line.get("product.") or {}).get("type") in GOODS]

    @property
    def is_cancelled(self) -> bool:
        return state_of(self.sale) == "cancelled" or (
            self.sale["state"] in ("processing", "done")
            and bool(self.goods)
            and all(not line["quantity"] for line in self.goods)
        )

    def invoiced_total(self) -> Decimal:
        """The total of the sale's live invoices (which carry Shopify's tax), the sale's own before it has one."""
        live = [i for i in self.invoices if i["state"] != "cancelled"]
        if not live or self.is_cancelled:
            return Decimal(self.sale["total_amount"])
        return sum((Decimal(i["total_amount"]) for i in live), Decimal(0))

    def stages(self) -> list[tuple[dict[str, Any], ShipmentStage]]:
        return [(s, STAGES[s["state"]]) for s in self.shipments]

    def quantities(self) -> dict[str, Decimal]:
        result: dict[str, Decimal] = defaultdict(Decimal)
        for line in self.goods:
            result[product_code(line)] += decimal_of(line["quantity"])
        return {sku: q for sku, q in result.items() if q}

    def delivered(self, move_ids: list[int]) -> Decimal:
        """Units of `move_ids` done to the customer."""
        moves = [self.moves[m] for m in move_ids if m in self.moves]
        return sum(
            (
                decimal_of(m["quantity"])
                for m in moves
                if m["state"] == "done" and (m.get("to_location.") or {}).get("type") == "customer"
            ),
            Decimal(0),
        )

    def pending(self, move_ids: list[int]) -> Decimal:
        """Units of `move_ids` still on the way to the customer: neither done nor cancelled."""
        moves = [self.moves[m] for m in move_ids if m in self.moves]
        return sum(
            (
                decimal_of(m["quantity"])
                for m in moves
                if m["state"] not in ("done", "cancelled") and (m.get("to_location.") or {}).get("type") == "customer"
            ),
            Decimal(0),
        )

    def shipped(self, line: dict[str, Any]) -> Decimal:
        """Units of the line delivered; of a kit, as many whole kits as its least delivered component makes."""
        components = [c for c in self.components if c["line"] == line["id"]]
        if not components:
            return self.delivered(line["moves"])
        quantity = decimal_of(line["quantity"])
        kits = [self.delivered(c["moves"]) * quantity / decimal_of(c["quantity"]) for c in components if c["quantity"]]
        return min(kits, default=Decimal(0)).to_integral_value(rounding=ROUND_FLOOR)

    def progress(self) -> SaleProgress:
        lines = []
        for line in self.goods:
            if not line["quantity"]:  # removed by an amendment (Tryton keeps the line at 0)
                continue
            shipped = self.shipped(line)
            quantity = decimal_of(line["quantity"])
            pending = None if line.get("components") else self.pending(line["moves"])
            lines.append(SaleLineProgress(erp_id(line["id"]), product_code(line), quantity, shipped, pending))
        shipments = tuple(
            ShipmentProgress(
                f"stock.shipment.out,{s['id']}", s["number"] or "", (s.get("warehouse.") or {}).get("code") or "", stage
            )
            for s, stage in self.stages()
        )
        posted = tuple(i["number"] for i in self.invoices if i["state"] in ("posted", "paid") and i["number"])
        return SaleProgress(
            erp_id=erp_id(self.sale["id"]),
            number=self.sale["number"] or "",
            reference=self.sale["reference"] or "",
            state="cancelled" if self.is_cancelled else self.sale["state"],
            total=Money(self.invoiced_total(), self.currency),
            lines=tuple(lines),
            shipments=shipments,
            shipment_address=self.address,
            invoice_numbers=posted,
        )


def _read_address(db: TrytonDatabase, address_id: int | None) -> Address | None:
    if not address_id:
        return None
    (row,) = db.call("party.address", "read", [address_id], _ADDRESS_FIELDS)
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


def product_code(line: dict[str, Any]) -> str:
    return (line.get("product.") or {}).get("code") or ""
