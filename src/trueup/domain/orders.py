"""A Shopify order as trueup understands it: what the customer bought and paid, in the shop currency."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from trueup.domain.money import Money, total
from trueup.domain.payments import OrderTransaction
from trueup.domain.refunds import Refund
from trueup.domain.taxes import TaxLine


class FinancialStatus(StrEnum):
    """Shopify's `displayFinancialStatus`."""

    PENDING = "PENDING"
    AUTHORIZED = "AUTHORIZED"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    PAID = "PAID"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"
    VOIDED = "VOIDED"
    EXPIRED = "EXPIRED"


# Money has been authorised or taken: the order is a sale the ERP must know about.
POSTABLE = frozenset(
    {
        FinancialStatus.AUTHORIZED,
        FinancialStatus.PARTIALLY_PAID,
        FinancialStatus.PAID,
        FinancialStatus.PARTIALLY_REFUNDED,
        FinancialStatus.REFUNDED,
    }
)


def payment_is_settled(status: FinancialStatus, *, on_payment_terms: bool) -> bool:
    """Whether an order is a sale the ERP must know about now: money authorised or taken — or an order on
    payment terms (a B2B order on Net 30 shows as pending in Shopify until the invoice is paid, yet it is a
    sale now, to be invoiced on those terms). Other pending orders wait for their payment."""
    return status in POSTABLE or (status == FinancialStatus.PENDING and on_payment_terms)


# Nothing was ever taken: a cancelled order in one of these owes nothing and is worth nothing to the ERP, whatever
# Shopify's current total still says (Shopify leaves it unchanged when no refund was needed).
NO_MONEY_TAKEN = frozenset({FinancialStatus.PENDING, FinancialStatus.VOIDED, FinancialStatus.EXPIRED})


def worth_after_cancellation(status: FinancialStatus, current_total: Money, *, cancelled: bool) -> Money:
    """What the ERP must hold for an order (its sale less its credit notes): Shopify's current total, or zero for a
    cancelled order on which no money was taken."""
    if cancelled and status in NO_MONEY_TAKEN:
        return Money.zero(current_total.currency)
    return current_total


ORDER_GID_PREFIX = "gid://shopify/Order/"


def order_gid(value: object) -> str | None:
    """The one form trueup keeps an order's id in, `gid://shopify/Order/<n>`, from an Order gid or a positive
    numeric id (an int, or its digits as text, as REST bodies and people give it); None for anything else."""
    if isinstance(value, str) and value.startswith(ORDER_GID_PREFIX):
        number = value.removeprefix(ORDER_GID_PREFIX)
        return value if number.isascii() and number.isdigit() else None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return f"{ORDER_GID_PREFIX}{value}"
    # isascii: str.isdigit also holds for "²" and other digits int() refuses.
    if isinstance(value, str) and value.isascii() and value.isdigit() and int(value) > 0:
        return f"{ORDER_GID_PREFIX}{value}"
    return None


@dataclass(frozen=True)
class Address:
    name: str
    address1: str
    address2: str
    city: str
    zip: str
    country_code: str
    province_code: str = ""
    company: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Customer:
    """The buyer. `shopify_id` is None for a guest checkout."""

    shopify_id: str | None
    email: str
    first_name: str
    last_name: str
    phone: str = ""
    # The ERP party code this buyer is matched by, when the domain decides it (a B2B company, the shared
    # guest party); None lets the back-office derive it from the Shopify id or the e-mail.
    erp_code: str | None = None
    # The customer's metafields the configuration asks for, as (namespace.key, value); unset ones left out.
    metafields: tuple[tuple[str, str], ...] = ()

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email


@dataclass(frozen=True)
class Company:
    """A B2B buyer: the Shopify company, and the company location the order was placed for."""

    shopify_id: str  # gid://shopify/Company/<n>
    name: str
    location_id: str  # gid://shopify/CompanyLocation/<n>
    location_name: str = ""
    external_id: str = ""
    billing_address: Address | None = None
    shipping_address: Address | None = None
    # The company's metafields the configuration asks for, as (namespace.key, value); unset ones left out.
    metafields: tuple[tuple[str, str], ...] = ()

    @property
    def numeric_id(self) -> str:
        """The numeric part of the Shopify id."""
        return self.shopify_id.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class OrderLine:
    """A line item. Amounts are totals for the line (not per unit), in the shop currency."""

    line_id: str
    sku: str
    title: str
    quantity: int  # current quantity (after edits and removals)
    unit_price: Money  # original unit price, before discounts
    discount: Money  # sum of this line's discount allocations
    taxes: tuple[TaxLine, ...] = ()
    group_id: str | None = None  # lineItemGroup id for a native bundle component
    # Shopify's exact amount for the line before discounts, when it has one: a bundle component's share of
    # the bundle's price may not be its unit price times its quantity to the cent.
    original_total: Money | None = None

    @property
    def gross(self) -> Money:
        return self.original_total if self.original_total is not None else self.unit_price.times(self.quantity)

    @property
    def net(self) -> Money:
        """What this line costs after its discounts, before tax."""
        return self.gross - self.discount

    @property
    def tax(self) -> Money:
        return total([t.amount for t in self.taxes], self.unit_price.currency)


@dataclass(frozen=True)
class ShippingLine:
    title: str
    price: Money
    discount: Money
    taxes: tuple[TaxLine, ...] = ()

    @property
    def net(self) -> Money:
        return self.price - self.discount

    @property
    def tax(self) -> Money:
        return total([t.amount for t in self.taxes], self.price.currency)


@dataclass(frozen=True)
class ShopifyOrder:
    """An order read from Shopify (the source of truth for what was bought and paid)."""

    shop: str  # myshopify domain
    order_id: str  # gid://shopify/Order/<n>
    name: str  # "#1001"
    currency: str  # shop currency
    financial_status: FinancialStatus
    lines: tuple[OrderLine, ...]
    shipping: tuple[ShippingLine, ...]
    total_price: Money  # Shopify's current total, as the customer pays it
    total_tax: Money
    taxes_included: bool
    customer: Customer | None
    shipping_address: Address | None
    billing_address: Address | None
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None = None
    presentment_currency: str | None = None
    presentment_total: Money | None = None
    po_number: str | None = None
    company_id: str | None = None
    company_location_id: str | None = None
    payment_terms: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    company: Company | None = None  # set for a B2B order (purchasingEntity is a PurchasingCompany)
    presentment_tax: Money | None = None  # Shopify's total tax in the presentment currency
    # Shopify's current total, after refunds (`total_price` is the order as sold, before them); None when not
    # known, which `total_after_refunds` reads as no refund.
    current_total: Money | None = None
    # The order's refunds, oldest first, read with it (each becomes a credit note of its own).
    refunds: tuple[Refund, ...] = ()
    # The order's transactions (authorisations, captures, refunds, voids, ...) as Shopify records them: each
    # successful capture and refund becomes a payment in the ERP (domain/payments.py).
    transactions: tuple[OrderTransaction, ...] = ()

    @property
    def total_after_refunds(self) -> Money:
        """What the order is worth now that refunds are taken off: Shopify's current total."""
        return self.current_total if self.current_total is not None else self.total_price

    @property
    def is_postable(self) -> bool:
        """Payment is authorised or taken, or deferred by agreed payment terms (see `payment_is_settled`)."""
        return payment_is_settled(self.financial_status, on_payment_terms=self.payment_terms is not None)

    @property
    def numeric_id(self) -> int:
        """The numeric part of the Shopify id (Shopify's legacy resource id), not the order number (`name`)."""
        return int(self.order_id.rsplit("/", 1)[-1])

    def computed_total(self) -> Money:
        """Lines + shipping − discounts (+ tax unless prices include it), from the parts."""
        parts = [line.net for line in self.lines] + [s.net for s in self.shipping]
        subtotal = total(parts, self.currency)
        return subtotal if self.taxes_included else subtotal + self.total_tax
