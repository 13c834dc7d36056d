"""What trueup asks the ERP to record for an order, and what the ERP answered."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trueup.domain.money import Money, total
from trueup.domain.orders import Address, Customer
from trueup.domain.party_fields import PartyFieldValue


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

    @property
    def untaxed(self) -> Money:
        return total([line.amount for line in self.lines], self.currency)

    @property
    def skus(self) -> tuple[str, ...]:
        return tuple(sorted({line.sku for line in self.lines if not line.is_shipping}))


@dataclass(frozen=True)
class PostedSale:
    """A sales order as the ERP holds it."""

    erp_id: int
    number: str  # the ERP's own number, e.g. "SO-17"
    reference: str
    state: str  # the ERP's state, e.g. "processing"
    untaxed: Money
    tax: Money
    total: Money
