"""Build a ShopState from a ShopSpec: the catalogue, locations, stock, customers and companies."""

from __future__ import annotations

import re

from shopify_sandbox.clock import Clock
from shopify_sandbox.events import WebhookBus
from shopify_sandbox.models.addresses import LocationAddress, MailingAddress
from shopify_sandbox.models.catalog import (
    Company,
    CompanyContact,
    CompanyLocation,
    Customer,
    InventoryItem,
    Location,
    Product,
    ProductVariant,
    Shop,
)
from shopify_sandbox.models.metafields import Metafield
from shopify_sandbox.spec import CompanySpec, CustomerSpec, MetafieldSpec, ProductSpec, ShopSpec
from shopify_sandbox.state import ShopState


def load_shop(spec: ShopSpec, clock: Clock | None = None, bus: WebhookBus | None = None) -> ShopState:
    """A fresh state holding the shop `spec` describes. Stock is set directly (no webhooks at seeding)."""
    state = ShopState(_shop(spec), clock=clock)
    now = state.now()
    state.shop.created_at = state.shop.updated_at = now
    for index, location_spec in enumerate(spec.locations):
        address = LocationAddress(
            location_spec.address1, location_spec.city, location_spec.zip, location_spec.country_code
        )
        state.add(
            Location(
                number=state.new_number("Location"),
                name=location_spec.name,
                address=address,
                is_active=location_spec.active,
                is_primary=index == 0,
                created_at=now,
                updated_at=now,
            )
        )
    variants_by_sku = {}
    for product_spec in spec.products:
        for variant in _add_product(state, product_spec).variants:
            if variant.sku:
                variants_by_sku[variant.sku] = variant
    for product_spec, product in zip(spec.products, state.all("Product"), strict=True):
        product.bundle_components = [(variants_by_sku[c.sku], c.quantity) for c in product_spec.bundle_components]
    _stock(state, spec, variants_by_sku)
    customers = [_add_customer(state, customer_spec) for customer_spec in spec.customers]
    for company_spec in spec.companies:
        _add_company(state, company_spec, customers)
    if bus is not None:
        state.bus = bus
    return state


def _shop(spec: ShopSpec) -> Shop:
    handle = spec.myshopify_domain.split(".")[0]
    return Shop(
        number=60_001_000_000 + sum(map(ord, handle)),
        name=spec.name,
        myshopify_domain=spec.myshopify_domain,
        currency_code=spec.currency,
        taxes_included=spec.taxes_included,
        email=f"owner@{handle}.example",
        contact_email=f"shop@{handle}.example",
        enabled_presentment_currencies=[spec.currency, *spec.presentment_rates],
        presentment_rates=dict(spec.presentment_rates),
    )


def _handle(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _add_product(state: ShopState, spec: ProductSpec) -> Product:
    now = state.now()
    product = state.add(
        Product(
            number=state.new_number("Product"),
            title=spec.title,
            vendor=spec.vendor,
            product_type=spec.product_type,
            handle=_handle(spec.title),
            created_at=now,
            updated_at=now,
        )
    )
    for position, variant_spec in enumerate(spec.variants, start=1):
        variant = ProductVariant(
            number=state.new_number("ProductVariant"),
            product=product,
            title=variant_spec.title,
            sku=variant_spec.sku,
            price=variant_spec.price,
            compare_at_price=variant_spec.compare_at_price,
            taxable=variant_spec.taxable,
            created_at=now,
            updated_at=now,
            position=position,
        )
        # A bundle's own stock is not tracked: it is its components'.
        tracked = variant_spec.tracked and not spec.bundle_components
        variant.inventory_item = state.add(
            InventoryItem(
                number=state.new_number("InventoryItem"),
                sku=variant_spec.sku,
                tracked=tracked,
                variant=variant,
                created_at=now,
                updated_at=now,
            )
        )
        product.variants.append(state.add(variant))
    return product


def _stock(state: ShopState, spec: ShopSpec, variants_by_sku: dict[str, ProductVariant]) -> None:
    from shopify_sandbox.inventory import level_at  # late: inventory imports state helpers

    locations = {loc.name: loc for loc in state.all("Location")}
    for (sku, location_name), quantity in spec.stock.items():
        variant = variants_by_sku.get(sku)
        if variant is None or variant.inventory_item is None or location_name not in locations:
            continue
        level = level_at(state, variant.inventory_item, locations[location_name])
        level.quantities_by_name["available"] = quantity


def _customer_address(spec: CustomerSpec) -> MailingAddress:
    return MailingAddress(
        first_name=spec.first_name,
        last_name=spec.last_name,
        address1=spec.address1,
        city=spec.city,
        zip=spec.zip,
        country_code_v2=spec.country_code,
        phone=spec.phone,
    )


def _add_customer(state: ShopState, spec: CustomerSpec) -> Customer:
    now = state.now()
    return state.add(
        Customer(
            number=state.new_number("Customer"),
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=spec.email,
            phone=spec.phone,
            default_address=_customer_address(spec),
            created_at=now,
            updated_at=now,
            metafields=_metafields(state, spec.metafields, "CUSTOMER"),
        )
    )


def _metafields(state: ShopState, specs: tuple[MetafieldSpec, ...], owner_type: str) -> list[Metafield]:
    now = state.now()
    return [
        state.add(
            Metafield(
                number=state.new_number("Metafield"),
                namespace=spec.namespace,
                key=spec.key,
                value=spec.value,
                type=spec.type,
                owner_type=owner_type,
                created_at=now,
                updated_at=now,
            )
        )
        for spec in specs
    ]


def _add_company(state: ShopState, spec: CompanySpec, customers: list[Customer]) -> Company:
    now = state.now()
    company = state.add(
        Company(
            number=state.new_number("Company"),
            name=spec.name,
            external_id=spec.external_id,
            catalog_discount_percent=spec.catalog_discount_percent,
            created_at=now,
            updated_at=now,
            metafields=_metafields(state, spec.metafields, "COMPANY"),
        )
    )
    contact_customer = next((c for c in customers if c.email == spec.contact_email), None)
    if contact_customer is None:
        contact_customer = state.add(
            Customer(number=state.new_number("Customer"), email=spec.contact_email, created_at=now, updated_at=now)
        )
    company.contacts.append(
        state.add(
            CompanyContact(
                number=state.new_number("CompanyContact"),
                company=company,
                customer=contact_customer,
                created_at=now,
                updated_at=now,
            )
        )
    )
    for location_spec in spec.locations:
        address = MailingAddress(
            company=spec.name,
            address1=location_spec.address1,
            city=location_spec.city,
            zip=location_spec.zip,
            country_code_v2=location_spec.country_code,
        )
        company.locations.append(
            state.add(
                CompanyLocation(
                    number=state.new_number("CompanyLocation"),
                    company=company,
                    name=location_spec.name,
                    shipping_address=address,
                    billing_address=address,
                    payment_terms_name=location_spec.payment_terms,
                    created_at=now,
                    updated_at=now,
                )
            )
        )
    return company
