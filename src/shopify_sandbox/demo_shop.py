"""A small, fixed shop for a sandbox started without the trading generator (and for quick demos)."""

from __future__ import annotations

from decimal import Decimal

from shopify_sandbox.spec import (
    BundleComponentSpec,
    CompanyLocationSpec,
    CompanySpec,
    CustomerSpec,
    LocationSpec,
    ProductSpec,
    ShopSpec,
    VariantSpec,
)


def demo_shop_spec() -> ShopSpec:
    """Two warehouses, a few products (one with sizes, one bundle), two customers and one B2B company."""
    locations = (
        LocationSpec("Paris Warehouse", "12 Rue de Rivoli", "Paris", "75001", "FR"),
        LocationSpec("Lyon Warehouse", "3 Quai Saint-Antoine", "Lyon", "69002", "FR"),
    )
    products = (
        ProductSpec(
            "Linen Shirt",
            "Maison Demo",
            "Shirts",
            (
                VariantSpec("SHIRT-S", "S", Decimal("49.00")),
                VariantSpec("SHIRT-M", "M", Decimal("49.00")),
                VariantSpec("SHIRT-L", "L", Decimal("52.00")),
            ),
        ),
        ProductSpec("Canvas Tote", "Maison Demo", "Bags", (VariantSpec("TOTE-1", "Default Title", Decimal("19.90")),)),
        ProductSpec(
            "Gift Card",
            "Maison Demo",
            "Gift",
            (VariantSpec("GIFT-25", "Default Title", Decimal("25.00"), taxable=False, tracked=False),),
        ),
        ProductSpec(
            "Weekend Set",
            "Maison Demo",
            "Bundles",
            (VariantSpec("SET-WEEKEND", "Default Title", Decimal("59.90")),),
            bundle_components=(BundleComponentSpec("SHIRT-M", 1), BundleComponentSpec("TOTE-1", 1)),
        ),
    )
    stock = {
        ("SHIRT-S", "Paris Warehouse"): 40,
        ("SHIRT-M", "Paris Warehouse"): 60,
        ("SHIRT-L", "Paris Warehouse"): 25,
        ("SHIRT-M", "Lyon Warehouse"): 15,
        ("TOTE-1", "Paris Warehouse"): 100,
        ("TOTE-1", "Lyon Warehouse"): 30,
    }
    customers = (
        CustomerSpec("Alice", "Martin", "alice@example.com", "+33612345678", "5 Rue Oberkampf", "Paris", "75011", "FR"),
        CustomerSpec("Bruno", "Keller", "bruno@example.com", None, "8 Hauptstrasse", "Berlin", "10115", "DE"),
    )
    companies = (
        CompanySpec(
            "Boutique Lumière",
            "ERP-C-001",
            "buyer@lumiere.example",
            (CompanyLocationSpec("Lumière Lille", "1 Grand Place", "Lille", "59000", "FR", "Net 30"),),
            catalog_discount_percent=Decimal("10"),
        ),
    )
    return ShopSpec(
        name="Maison Demo",
        myshopify_domain="maison-demo.myshopify.com",
        currency="EUR",
        taxes_included=True,
        locations=locations,
        products=products,
        stock=stock,
        customers=customers,
        companies=companies,
        presentment_rates={"USD": Decimal("1.08"), "GBP": Decimal("0.86")},
    )
