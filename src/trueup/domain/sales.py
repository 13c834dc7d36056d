"""What trueup asks the ERP to record for an order, what the ERP answered, and where the sale stands after:
its lines, shipments and invoices, as the post-purchase flows (edits, cancellations, the cut-off) read them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from trueup.domain.money import Money, total
from trueup.domain.orders import Address, Customer
from trueup.domain.party_fields import PartyFieldValue
from trueup.domain.tax_rounding import TaxVariance


@dataclass(frozen=True)
class SalesLine:
    """One ERP sales line: `quantity` units at `unit_price` (net, after discounts).

    `net_amount`, when given, is the line's exact amount; `unit_price` is then its quotient by the quantity
    and may not divide evenly (29.99 for 3). How to express that in the ERP's own precision, without
    losing the cent, is the back-office adapter's business.
    """

    sku: str
    description: str
    quantity: Decimal
    unit_price: Money  # net unit price, may carry more decimals than the currency
    tax_codes: tuple[str, ...] = ()  # ERP tax identifiers to apply
    is_shipping: bool = False
    net_amount: Money | None = None

    @property
    def amount(self) -> Money:
        return self.net_amount if self.net_amount is not None else self.unit_price.times(self.quantity)


@dataclass(frozen=True)
class SalesOrderRequest:
    """A sales order to create in the ERP, in trueup's terms.

    `reference` is the external reference the ERP stores (unique per shop order): it is how trueup finds
    the order again after a timeout, so that a retry never creates a second one.
    """

    reference: str
    description: str  # the Shopify order name, e.g. "#1001"
    currency: str
    customer: Customer
    invoice_address: Address | None
    shipment_address: Address | None
    lines: tuple[SalesLine, ...]
    expected_untaxed: Money
    expected_tax: Money
    warehouse: str | None = None  # ERP warehouse code; None for the ERP's default
    po_number: str | None = None
    payment_term: str | None = None
    # How far the ERP's own tax may differ from Shopify's before it is a mismatch rather than rounding:
    # within it, the ERP books the difference as an explicit rounding line so the totals agree.
    tax_rounding_tolerance: Money | None = None
    # Free text the ERP keeps on the sale: the buyer's PO number, what was charged in another currency.
    note: str | None = None
    # Fields the ERP sets on the customer's party (on creation, and again when they change), taken from
    # Shopify customer or company metafields as configured.
    party_fields: tuple[PartyFieldValue, ...] = ()
    # Shopify's tax by ERP tax: what the sale's invoice carries, to the cent (domain/tax_rounding.py), and the
    # Shopify tax line keys behind each. Empty: the ERP's own tax stands (a request built by hand).
    expected_taxes: tuple[tuple[str, Money], ...] = ()
    tax_rates: tuple[tuple[str, str], ...] = ()
    # A brand's choice: park an order whose ERP tax differs beyond the tolerance instead of posting it with
    # Shopify's tax and reporting a variance.
    park_on_tax_variance: bool = False

    @property
    def untaxed(self) -> Money:
        return total([line.amount for line in self.lines], self.currency)

    @property
    def booked_untaxed(self) -> Money:
        """The untaxed an ERP's sale of these lines books: each line's amount rounded to the cent."""
        return total([line.amount.rounded() for line in self.lines], self.currency)

    @property
    def skus(self) -> tuple[str, ...]:
        return tuple(sorted({line.sku for line in self.lines if not line.is_shipping}))


# An ERP sale in one of these states has no shipment nor invoice yet: its order is not posted.
UNPROCESSED_SALE_STATES = frozenset({"draft", "quotation", "confirmed"})


@dataclass(frozen=True)
class PostedSale:
    """A sales order as the ERP holds it. `erp_id` is the ERP's own id for it, opaque to trueup."""

    erp_id: str
    number: str  # the ERP's own number, e.g. "SO-17"
    reference: str
    state: str  # the ERP's state, e.g. "processing"
    untaxed: Money
    tax: Money  # as its invoice carries it (Shopify's, per tax) once it has one
    total: Money
    # Taxes whose ERP rate gave another figure than Shopify charged, beyond the tolerance: for finance.
    tax_variances: tuple[TaxVariance, ...] = ()


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

    line_id: str  # the ERP's id of the line, opaque
    sku: str
    quantity: Decimal
    shipped: Decimal  # quantity in moves that are done
    # Units still on the way to the customer (in moves neither done nor cancelled); None where not read (a
    # line whose units leave as a kit's components).
    pending: Decimal | None = None


@dataclass(frozen=True)
class SaleProgress:
    """An ERP sale as it stands now: its state, lines, shipments, invoices and shipping address."""

    erp_id: str  # opaque
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
