"""Orders and what hangs off them: line items, discounts, taxes, shipping, transactions, fulfilment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from shopify_sandbox.models.addresses import MailingAddress
from shopify_sandbox.models.base import Node
from shopify_sandbox.models.catalog import (
    Company,
    CompanyContact,
    CompanyLocation,
    Customer,
    Location,
    ProductVariant,
)
from shopify_sandbox.money import MoneyBag


@dataclass(eq=False, repr=False)
class TaxLine:
    typename: ClassVar[str] = "TaxLine"
    title: str
    rate: Decimal
    price_set: MoneyBag
    channel_liable: bool | None = False
    source: str | None = None

    @property
    def rate_percentage(self) -> float:
        return float(self.rate * 100)


@dataclass(eq=False, repr=False)
class DiscountApplication:
    """A discount code applied to the order (the only kind orderCreate can make)."""

    typename: ClassVar[str] = "DiscountCodeApplication"
    index: int
    code: str
    value_type: str  # "percentage" | "fixed_amount"
    value: Any  # MoneyV2 or PricingPercentageValue-shaped dict
    target_type: str  # LINE_ITEM | SHIPPING_LINE
    allocation_method: str = "ACROSS"
    target_selection: str = "ALL"


@dataclass(eq=False, repr=False)
class DiscountAllocation:
    typename: ClassVar[str] = "DiscountAllocation"
    allocated_amount_set: MoneyBag
    discount_application: DiscountApplication


@dataclass(eq=False, repr=False)
class LineItemGroup(Node):
    """The bundle a component line item came from."""

    typename: ClassVar[str] = "LineItemGroup"
    title: str = ""
    quantity: int = 1
    variant_id: str | None = None
    variant_sku: str | None = None
    product_id: str | None = None


@dataclass(eq=False, repr=False)
class LineItem(Node):
    typename: ClassVar[str] = "LineItem"
    title: str = ""
    name: str = ""
    sku: str | None = None
    vendor: str | None = None
    variant: ProductVariant | None = None
    variant_title: str | None = None
    quantity: int = 1
    current_quantity: int = 1
    fulfilled_quantity: int = 0
    taxable: bool = True
    requires_shipping: bool = True
    is_gift_card: bool = False
    original_unit_price_set: MoneyBag | None = None
    discount_allocations: list[DiscountAllocation] = field(default_factory=list)
    tax_lines: list[TaxLine] = field(default_factory=list)
    line_item_group: LineItemGroup | None = None
    location: Location | None = None  # where its stock was committed
    custom_attributes: list[dict[str, str]] = field(default_factory=list)
    source_index: int = 0  # position of the orderCreate input line it came from (bundles make several)
    # A bundle component's exact share when unit price × quantity cannot hit it to the cent.
    original_total_override: MoneyBag | None = None

    def original_total(self) -> MoneyBag:
        """The line's price before discounts: unit × quantity, or a bundle component's exact share."""
        if self.original_total_override is not None:
            return self.original_total_override
        assert self.original_unit_price_set is not None
        return self.original_unit_price_set.times(self.quantity)

    @property
    def product(self) -> Any:
        return self.variant.product if self.variant else None


@dataclass(eq=False, repr=False)
class ShippingLine(Node):
    typename: ClassVar[str] = "ShippingLine"
    title: str = ""
    code: str | None = None
    source: str | None = None
    original_price_set: MoneyBag | None = None
    discount_allocations: list[DiscountAllocation] = field(default_factory=list)
    tax_lines: list[TaxLine] = field(default_factory=list)
    custom: bool = True
    is_removed: bool = False
    carrier_identifier: str | None = None
    delivery_category: str | None = None
    phone: str | None = None


@dataclass(eq=False, repr=False)
class OrderTransaction(Node):
    typename: ClassVar[str] = "OrderTransaction"
    kind: str = "SALE"
    status: str = "SUCCESS"
    gateway: str | None = "manual"
    amount_set: MoneyBag | None = None
    authorization_code: str | None = None
    created_at: datetime | None = None
    processed_at: datetime | None = None
    test: bool = False
    parent_transaction: OrderTransaction | None = None
    error_code: str | None = None
    order: Order | None = None

    @property
    def formatted_gateway(self) -> str | None:
        return self.gateway.replace("_", " ").title() if self.gateway else None

    @property
    def manual_payment_gateway(self) -> bool:
        return self.gateway == "manual"


@dataclass(eq=False, repr=False)
class PaymentTerms(Node):
    typename: ClassVar[str] = "PaymentTerms"
    payment_terms_name: str = "Net 30"
    payment_terms_type: str = "NET"
    due_in_days: int | None = 30
    due: bool = False
    overdue: bool = False

    @property
    def translated_name(self) -> str:
        return self.payment_terms_name


@dataclass(eq=False, repr=False)
class PurchasingCompany:
    typename: ClassVar[str] = "PurchasingCompany"
    company: Company
    location: CompanyLocation
    contact: CompanyContact | None = None


@dataclass(eq=False, repr=False)
class FulfillmentOrderLineItem(Node):
    typename: ClassVar[str] = "FulfillmentOrderLineItem"
    line_item: LineItem | None = None
    total_quantity: int = 0
    remaining_quantity: int = 0


@dataclass(eq=False, repr=False)
class FulfillmentOrder(Node):
    typename: ClassVar[str] = "FulfillmentOrder"
    order: Order | None = None
    assigned_location: Location | None = None
    status: str = "OPEN"
    request_status: str = "UNSUBMITTED"
    line_items: list[FulfillmentOrderLineItem] = field(default_factory=list)
    fulfillment_holds: list[Any] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    fulfill_at: datetime | None = None
    fulfill_by: datetime | None = None


@dataclass(eq=False, repr=False)
class FulfillmentTrackingInfo:
    typename: ClassVar[str] = "FulfillmentTrackingInfo"
    company: str | None = None
    number: str | None = None
    url: str | None = None


@dataclass(eq=False, repr=False)
class Fulfillment(Node):
    typename: ClassVar[str] = "Fulfillment"
    order: Order | None = None
    name: str = ""
    status: str = "SUCCESS"
    location: Location | None = None
    tracking_info: list[FulfillmentTrackingInfo] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    total_quantity: int = 0
    requires_shipping: bool = True


@dataclass(eq=False, repr=False)
class Refund(Node):
    typename: ClassVar[str] = "Refund"
    order: Order | None = None
    note: str | None = None
    total_refunded_set: MoneyBag | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    transactions: list[OrderTransaction] = field(default_factory=list)


@dataclass(eq=False, repr=False)
class Order(Node):
    """An order. Money totals are stored as computed at creation (see order_pricing); `current_*` follow them
    until refunds or edits exist (the mutations that add those keep both in step)."""

    typename: ClassVar[str] = "Order"
    name: str = ""
    order_number: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    processed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    closed_at: datetime | None = None
    currency_code: str = "EUR"
    presentment_currency_code: str = "EUR"
    taxes_included: bool = False
    email: str | None = None
    phone: str | None = None
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    po_number: str | None = None
    test: bool = False
    source_name: str | None = "sandbox"
    source_identifier: str | None = None
    customer: Customer | None = None
    purchasing_entity: Customer | PurchasingCompany | None = None
    payment_terms: PaymentTerms | None = None
    shipping_address: MailingAddress | None = None
    billing_address: MailingAddress | None = None
    line_items: list[LineItem] = field(default_factory=list)
    shipping_lines: list[ShippingLine] = field(default_factory=list)
    discount_applications: list[DiscountApplication] = field(default_factory=list)
    transactions: list[OrderTransaction] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    fulfillment_orders: list[FulfillmentOrder] = field(default_factory=list)
    fulfillments: list[Fulfillment] = field(default_factory=list)
    display_financial_status: str | None = "PENDING"
    display_fulfillment_status: str = "UNFULFILLED"
    custom_attributes: list[dict[str, str]] = field(default_factory=list)
    # Money, fixed at creation (order_pricing.price_order).
    subtotal_price_set: MoneyBag | None = None
    total_discounts_set: MoneyBag | None = None
    cart_discount_amount_set: MoneyBag | None = None
    total_shipping_price_set: MoneyBag | None = None
    total_tax_set: MoneyBag | None = None
    total_price_set: MoneyBag | None = None
    tax_lines: list[TaxLine] = field(default_factory=list)
    discount_codes: list[str] = field(default_factory=list)

    @property
    def discount_code(self) -> str | None:
        return self.discount_codes[0] if self.discount_codes else None
