"""Shop, locations, products, variants, inventory items and levels, customers and B2B companies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from shopify_sandbox.models.addresses import LocationAddress, MailingAddress
from shopify_sandbox.models.base import Node
from shopify_sandbox.models.metafields import Metafield

# Shopify's inventory quantity names; `on_hand` is derived (see InventoryLevel.quantity).
STORED_QUANTITY_NAMES = (
    "available",
    "committed",
    "damaged",
    "incoming",
    "quality_control",
    "reserved",
    "safety_stock",
)
ON_HAND_PARTS = ("available", "committed", "damaged", "quality_control", "reserved", "safety_stock")
QUANTITY_NAMES = (*STORED_QUANTITY_NAMES, "on_hand")


@dataclass(eq=False, repr=False)
class Shop(Node):
    typename: ClassVar[str] = "Shop"
    name: str = ""
    myshopify_domain: str = ""
    currency_code: str = "EUR"
    taxes_included: bool = False
    iana_timezone: str = "Europe/Paris"
    email: str = ""
    contact_email: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    enabled_presentment_currencies: list[str] = field(default_factory=list)
    presentment_rates: dict[str, Decimal] = field(default_factory=dict)
    weight_unit: str = "KILOGRAMS"
    unit_system: str = "METRIC_SYSTEM"
    order_number_format_prefix: str = "#"
    order_number_format_suffix: str = ""
    tax_shipping: bool = True

    @property
    def url(self) -> str:
        return f"https://{self.myshopify_domain}"


@dataclass(eq=False, repr=False)
class Location(Node):
    typename: ClassVar[str] = "Location"
    name: str = ""
    address: LocationAddress | None = None
    is_active: bool = True
    is_primary: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    fulfills_online_orders: bool = True
    ships_inventory: bool = True
    has_active_inventory: bool = True
    is_fulfillment_service: bool = False
    deactivated_at: str | None = None


@dataclass(eq=False, repr=False)
class Product(Node):
    typename: ClassVar[str] = "Product"
    title: str = ""
    vendor: str = ""
    product_type: str = ""
    handle: str = ""
    status: str = "ACTIVE"
    tags: list[str] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    variants: list[ProductVariant] = field(default_factory=list)
    # A native bundle's components: (component variant, quantity per bundle).
    bundle_components: list[tuple[ProductVariant, int]] = field(default_factory=list)

    @property
    def has_variants_that_requires_components(self) -> bool:
        return bool(self.bundle_components)


@dataclass(eq=False, repr=False)
class ProductVariant(Node):
    typename: ClassVar[str] = "ProductVariant"
    product: Product | None = None
    title: str = "Default Title"
    sku: str | None = None
    price: Decimal = Decimal("0")
    compare_at_price: Decimal | None = None
    taxable: bool = True
    inventory_item: InventoryItem | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    position: int = 1

    @property
    def display_name(self) -> str:
        product_title = self.product.title if self.product else ""
        return product_title if self.title == "Default Title" else f"{product_title} - {self.title}"

    @property
    def requires_components(self) -> bool:
        return bool(self.product and self.product.bundle_components)


@dataclass(eq=False, repr=False)
class InventoryItem(Node):
    typename: ClassVar[str] = "InventoryItem"
    sku: str | None = None
    tracked: bool = True
    requires_shipping: bool = True
    variant: ProductVariant | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    levels: dict[int, InventoryLevel] = field(default_factory=dict)  # by location number


@dataclass(eq=False, repr=False)
class InventoryLevel(Node):
    """Stock of one item at one location, by Shopify quantity name."""

    typename: ClassVar[str] = "InventoryLevel"
    item: InventoryItem | None = None
    location: Location | None = None
    quantities_by_name: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STORED_QUANTITY_NAMES, 0))
    created_at: datetime | None = None
    updated_at: datetime | None = None
    is_active: bool = True
    can_deactivate: bool = True
    deactivation_alert: str | None = None

    @property
    def id(self) -> str:
        # Shopify's level ids carry the item id as a query string.
        item_number = self.item.number if self.item else 0
        return f"gid://shopify/InventoryLevel/{self.number}?inventory_item_id={item_number}"

    def quantity(self, name: str) -> int:
        """Quantity `name`; on_hand is the sum of the physical states (incoming is not on hand)."""
        if name == "on_hand":
            return sum(self.quantities_by_name[part] for part in ON_HAND_PARTS)
        return self.quantities_by_name[name]


@dataclass(eq=False, repr=False)
class Customer(Node):
    typename: ClassVar[str] = "Customer"
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    default_address: MailingAddress | None = None
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    tax_exempt: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    state: str = "ENABLED"
    metafields: list[Metafield] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or (self.email or "")

    @property
    def addresses(self) -> list[MailingAddress]:
        return [self.default_address] if self.default_address else []


@dataclass(eq=False, repr=False)
class Company(Node):
    typename: ClassVar[str] = "Company"
    name: str = ""
    external_id: str | None = None
    note: str | None = None
    locations: list[CompanyLocation] = field(default_factory=list)
    contacts: list[CompanyContact] = field(default_factory=list)
    catalog_discount_percent: Decimal = Decimal("0")
    created_at: datetime | None = None
    updated_at: datetime | None = None
    metafields: list[Metafield] = field(default_factory=list)

    @property
    def main_contact(self) -> CompanyContact | None:
        return self.contacts[0] if self.contacts else None


@dataclass(eq=False, repr=False)
class CompanyLocation(Node):
    typename: ClassVar[str] = "CompanyLocation"
    company: Company | None = None
    name: str = ""
    external_id: str | None = None
    shipping_address: MailingAddress | None = None
    billing_address: MailingAddress | None = None
    payment_terms_name: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(eq=False, repr=False)
class CompanyContact(Node):
    typename: ClassVar[str] = "CompanyContact"
    company: Company | None = None
    customer: Customer | None = None
    is_main_contact: bool = True
    title: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
