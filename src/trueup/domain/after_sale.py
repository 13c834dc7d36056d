"""What the ERP holds of a sale after it was posted, and what trueup asks it to change: the terms the
post-purchase flows (edits, cancellations, the cut-off, refunds) and the back-office speak in.

The sale in the ERP is the order as sold after edits and cancellations; refunds never change it. Every
Shopify refund becomes its own credit note, which returns stock where Shopify restocked.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from trueup.domain.money import Money, total
from trueup.domain.orders import Address


class ShipmentStage(StrEnum):
    """How far the warehouse has gone with a customer shipment (Tryton's stock.shipment.out states)."""

    WAITING = "waiting"  # draft or waiting: nothing reserved or touched yet
    ASSIGNED = "assigned"  # stock reserved, not yet picked
    PICKED = "picked"
    PACKED = "packed"
    SHIPPED = "shipped"
    DONE = "done"
    CANCELLED = "cancelled"


# In order, for comparing with the cut-off.
STAGE_ORDER: tuple[ShipmentStage, ...] = (
    ShipmentStage.WAITING,
    ShipmentStage.ASSIGNED,
    ShipmentStage.PICKED,
    ShipmentStage.PACKED,
    ShipmentStage.SHIPPED,
    ShipmentStage.DONE,
)


@dataclass(frozen=True)
class ShipmentProgress:
    shipment_id: str
    number: str
    warehouse: str  # ERP warehouse code
    stage: ShipmentStage


@dataclass(frozen=True)
class SaleLineProgress:
    """A goods line of the ERP sale: what was ordered and how much of it has left the warehouse."""

    line_id: int
    sku: str
    quantity: Decimal
    shipped: Decimal  # quantity in moves that are done


@dataclass(frozen=True)
class SaleProgress:
    """An ERP sale as it stands now: its state, lines, shipments, invoices and shipping address."""

    erp_id: int
    number: str
    reference: str
    state: str  # the ERP's state: "processing", "done", "cancelled", ...
    total: Money
    lines: tuple[SaleLineProgress, ...]
    shipments: tuple[ShipmentProgress, ...]
    shipment_address: Address | None
    invoice_numbers: tuple[str, ...] = ()  # posted invoices of the sale

    @property
    def is_cancelled(self) -> bool:
        return self.state == "cancelled"


class RestockType(StrEnum):
    """Shopify's RefundLineItemRestockType."""

    RETURN = "RETURN"  # the goods came back: they return to stock at the location
    CANCEL = "CANCEL"  # the goods never left: the units are taken off what is still to ship
    LEGACY_RESTOCK = "LEGACY_RESTOCK"  # treated as RETURN
    NO_RESTOCK = "NO_RESTOCK"  # money only (goodwill): no stock movement


@dataclass(frozen=True)
class CreditLine:
    """One line of a credit note, as Shopify computed the refund: `net` is before tax, `tax` is Shopify's
    tax for it, both positive amounts (the note credits them). `sku` is None for a non-product line
    (shipping, an order adjustment, a refund discrepancy)."""

    description: str
    sku: str | None
    quantity: Decimal
    net: Money
    tax: Money
    tax_codes: tuple[str, ...] = ()  # ERP taxes the net was taxed with
    is_shipping: bool = False


@dataclass(frozen=True)
class Restock:
    """Units a refund puts back: RETURN returns them to stock at `warehouse`; CANCEL takes them off the
    sale's shipment still to leave."""

    sku: str
    quantity: Decimal
    warehouse: str | None  # ERP warehouse code (mapped from the Shopify restock location); None: the sale's
    kind: RestockType


@dataclass(frozen=True)
class CreditNoteRequest:
    """A credit note for one Shopify refund against the order's ERP sale.

    `reference` ("shopify:<shop>:refund:<refund number>") is unique per refund: the ERP is asked for it before
    anything is created, so a retry never makes a second note. The note's total is `expected_total` exactly:
    a difference between the ERP's tax and Shopify's is booked as a rounding line within tolerance.
    """

    reference: str
    sale_erp_id: int
    description: str  # e.g. "Refund 2 on #1042"
    currency: str
    lines: tuple[CreditLine, ...]
    restocks: tuple[Restock, ...] = ()
    tax_rounding_tolerance: Money | None = None

    @property
    def expected_untaxed(self) -> Money:
        return total([line.net for line in self.lines], self.currency)

    @property
    def expected_tax(self) -> Money:
        return total([line.tax for line in self.lines], self.currency)

    @property
    def expected_total(self) -> Money:
        return self.expected_untaxed + self.expected_tax


@dataclass(frozen=True)
class PostedCreditNote:
    """A credit note as the ERP holds it; `total` is positive (what was credited)."""

    erp_id: int
    number: str  # e.g. "CN-17"
    reference: str
    total: Money
    state: str  # the ERP's state, e.g. "posted"
