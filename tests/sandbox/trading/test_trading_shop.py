from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from shopify_sandbox.trading import generate_shop

seeds = st.integers(min_value=0, max_value=2**32)


@settings(max_examples=25, deadline=None)
@given(seed=seeds)
def test_the_same_seed_gives_the_same_shop(seed):
    assert generate_shop(seed) == generate_shop(seed)


def test_different_seeds_give_different_shops():
    assert generate_shop(1) != generate_shop(2)


@settings(max_examples=25, deadline=None)
@given(seed=seeds, products=st.integers(min_value=10, max_value=85), locations=st.integers(1, 5))
def test_a_shop_is_consistent(seed, products, locations):
    shop = generate_shop(seed, products=products, locations=locations)
    skus = [v.sku for p in shop.products for v in p.variants]
    tracked = {v.sku for p in shop.products for v in p.variants if v.tracked}
    location_names = {location.name for location in shop.locations}
    assert len(shop.products) == products
    assert len(skus) == len(set(skus))
    assert len({p.title for p in shop.products}) == products
    assert len(shop.locations) == locations
    bundles = [p for p in shop.products if p.bundle_components]
    assert 2 <= len(bundles) <= 3
    for bundle in bundles:
        assert len(bundle.variants) == 1
        assert {c.sku for c in bundle.bundle_components} <= tracked
    assert {sku for sku, _ in shop.stock} <= tracked
    assert {name for _, name in shop.stock} <= location_names
    assert all(quantity >= 0 for quantity in shop.stock.values())
    assert all(v.price > 0 and v.price == v.price.quantize(Decimal("0.01")) for p in shop.products for v in p.variants)


def test_the_default_shop_has_what_trading_needs():
    shop = generate_shop(42)
    variants = [v for p in shop.products for v in p.variants]
    assert "TEE-BLK-M" in {v.sku for v in variants}
    assert any(not v.tracked and not v.taxable for v in variants)
    assert any(v.title not in ("Default Title",) and "/" in v.title for v in variants)  # colour / size
    assert len(shop.companies) == 3
    for company in shop.companies:
        assert company.catalog_discount_percent > 0
        assert company.locations
        assert all(loc.payment_terms in ("Net 15", "Net 30", "Net 60", None) for loc in company.locations)
    assert any(loc.payment_terms for company in shop.companies for loc in company.locations)
    assert set(shop.presentment_rates) == {"CAD", "EUR", "GBP"}
    assert len(shop.customers) >= 20
    assert shop.myshopify_domain.endswith(".myshopify.com")
