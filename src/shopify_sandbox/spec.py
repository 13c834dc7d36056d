"""The description of a shop to start the sandbox with: catalogue, locations, stock, customers, companies.

The seeded trading generator produces one (`trading.generate_shop(seed)`); the state loads it
(`ShopState.load(spec)`). Plain data, exact money (Decimal in the shop currency).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class LocationSpec:
    name: str
    address1: str
    city: str
    zip: str
    country_code: str
    active: bool = True


@dataclass(frozen=True)
class VariantSpec:
    sku: str
    title: str  # "Default Title" for a product without options
    price: Decimal
    compare_at_price: Decimal | None = None
    taxable: bool = True
    tracked: bool = True  # inventory tracked by Shopify


@dataclass(frozen=True)
class BundleComponentSpec:
    sku: str  # a component variant's SKU
    quantity: int


@dataclass(frozen=True)
class ProductSpec:
    title: str
    vendor: str
    product_type: str
    variants: tuple[VariantSpec, ...]
    # A native Shopify bundle: ordering the (single) variant adds one line item per component,
    # grouped by `lineItemGroup`. Empty for ordinary products.
    bundle_components: tuple[BundleComponentSpec, ...] = ()


@dataclass(frozen=True)
class MetafieldSpec:
    """A metafield to seed on a customer or a company, e.g. ("erp", "account_number", "ACC-00042")."""

    namespace: str
    key: str
    value: str
    type: str = "single_line_text_field"


@dataclass(frozen=True)
class CustomerSpec:
    first_name: str
    last_name: str
    email: str
    phone: str | None
    address1: str
    city: str
    zip: str
    country_code: str
    metafields: tuple[MetafieldSpec, ...] = ()


@dataclass(frozen=True)
class CompanyLocationSpec:
    name: str
    address1: str
    city: str
    zip: str
    country_code: str
    # Shopify payment terms template name, e.g. "Net 30"; None for due on receipt.
    payment_terms: str | None = "Net 30"


@dataclass(frozen=True)
class CompanySpec:
    name: str
    external_id: str
    contact_email: str
    locations: tuple[CompanyLocationSpec, ...]
    # Company price list: a fixed percentage off list price, applied at checkout.
    catalog_discount_percent: Decimal = Decimal("0")
    metafields: tuple[MetafieldSpec, ...] = ()


@dataclass(frozen=True)
class ShopSpec:
    name: str
    myshopify_domain: str  # "<handle>.myshopify.com"
    currency: str  # ISO 4217, e.g. "EUR"
    taxes_included: bool
    locations: tuple[LocationSpec, ...]
    products: tuple[ProductSpec, ...]
    # Available quantity per (sku, location name), for tracked variants.
    stock: dict[tuple[str, str], int] = field(default_factory=dict)
    customers: tuple[CustomerSpec, ...] = ()
    companies: tuple[CompanySpec, ...] = ()
    # Currencies customers may pay in, with a fixed rate: presentment = shop amount * rate.
    presentment_rates: dict[str, Decimal] = field(default_factory=dict)
