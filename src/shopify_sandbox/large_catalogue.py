"""A shop with a large catalogue, for inventory at scale: `variants` tracked variants (ten per product),
each stocked at every one of `locations` locations. Deterministic for a seed; plain data (a ShopSpec)."""

from __future__ import annotations

import random
from decimal import Decimal

from shopify_sandbox.spec import LocationSpec, ProductSpec, ShopSpec, VariantSpec

VARIANTS_PER_PRODUCT = 10
_CITIES = (("Leeds", "LS1"), ("Bristol", "BS1"), ("Glasgow", "G1"), ("Cardiff", "CF10"), ("Belfast", "BT1"))


def variant_sku(number: int) -> str:
    """The SKU of variant `number` (0-based): product and variant in it, e.g. "BULK-00012-3"."""
    return f"BULK-{number // VARIANTS_PER_PRODUCT:05d}-{number % VARIANTS_PER_PRODUCT}"


def large_catalogue_shop(variants: int, locations: int = 3, seed: int = 1) -> ShopSpec:
    """`variants` variants in products of ten, stocked 0-250 at each of `locations` locations (1-5)."""
    if variants < 1:
        raise ValueError("a large catalogue has at least one variant")
    if not 1 <= locations <= len(_CITIES):
        raise ValueError(f"a large catalogue has 1 to {len(_CITIES)} locations")
    rng = random.Random(f"large-catalogue-{seed}")
    location_specs = tuple(
        LocationSpec(f"{city} DC", f"{n + 1} Distribution Park", city, postcode, "GB")
        for n, (city, postcode) in enumerate(_CITIES[:locations])
    )
    products = []
    for first in range(0, variants, VARIANTS_PER_PRODUCT):
        numbers = range(first, min(first + VARIANTS_PER_PRODUCT, variants))
        product_variants = tuple(
            VariantSpec(variant_sku(n), f"Size {n % VARIANTS_PER_PRODUCT}", Decimal(10 + n % 40)) for n in numbers
        )
        products.append(ProductSpec(f"Item {first // VARIANTS_PER_PRODUCT:05d}", "Bulk", "Goods", product_variants))
    stock = {
        (variant_sku(n), location.name): rng.randint(0, 250) for n in range(variants) for location in location_specs
    }
    return ShopSpec(
        name=f"Large catalogue {variants}",
        myshopify_domain="large-catalogue.myshopify.com",
        currency="GBP",
        taxes_included=True,
        locations=location_specs,
        products=tuple(products),
        stock=stock,
    )
