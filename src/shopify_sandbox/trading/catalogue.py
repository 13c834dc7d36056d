"""`generate_shop(seed)`: a reproducible shop to trade with (catalogue, locations, stock, customers, B2B)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from shopify_sandbox.spec import (
    BundleComponentSpec,
    CompanyLocationSpec,
    CompanySpec,
    CustomerSpec,
    LocationSpec,
    MetafieldSpec,
    ProductSpec,
    ShopSpec,
    VariantSpec,
)
from shopify_sandbox.trading.places import FIRST_NAMES, LAST_NAMES, PLACES, STREETS


@dataclass(frozen=True)
class _Family:
    code: str
    name: str
    product_type: str
    low_price: int
    high_price: int
    sizes: tuple[str, ...] = ()
    colours: tuple[str, ...] = ()


_APPAREL = ("S", "M", "L", "XL")
_FAMILIES = (
    _Family("TEE", "Tee", "T-Shirts", 22, 36, _APPAREL, ("BLK", "WHT", "NAV")),
    _Family("HOOD", "Hoodie", "Sweatshirts", 55, 85, _APPAREL, ("BLK", "GRY")),
    _Family("JKT", "Jacket", "Outerwear", 120, 190, _APPAREL, ("OLV", "BLK")),
    _Family("SOCK", "Socks", "Socks", 9, 15, ("S/M", "L/XL"), ("WHT", "BLK", "RED")),
    _Family("CAP", "Cap", "Hats", 22, 32, (), ("BLK", "NAV", "KHK")),
    _Family("BEAN", "Beanie", "Hats", 18, 28, (), ("GRY", "RED")),
    _Family("TOTE", "Tote", "Bags", 18, 30, (), ("NAT", "BLK")),
    _Family("MUG", "Mug", "Homeware", 14, 20),
    _Family("BTL", "Bottle", "Homeware", 24, 34, (), ("STL", "BLU")),
    _Family("PSTR", "Poster", "Prints", 15, 40),
)
_STYLES = (
    ("", "Classic"),
    ("ORG", "Organic"),
    ("HVY", "Heavyweight"),
    ("TRL", "Trail"),
    ("CST", "Coastal"),
    ("STU", "Studio"),
    ("HRT", "Heritage"),
    ("SMT", "Summit"),
)
_COLOUR_NAMES = {
    "BLK": "Black",
    "WHT": "White",
    "NAV": "Navy",
    "GRY": "Grey",
    "OLV": "Olive",
    "RED": "Red",
    "KHK": "Khaki",
    "NAT": "Natural",
    "STL": "Steel",
    "BLU": "Blue",
}
_LOCATIONS = (
    ("Reno DC", "Reno", "89502", "NV"),
    ("Columbus DC", "Columbus", "43215", "OH"),
    ("Brooklyn Store", "Brooklyn", "11201", "NY"),
    ("Dallas DC", "Dallas", "75201", "TX"),
    ("Portland Store", "Portland", "97205", "OR"),
)
_COMPANIES = (
    "Northwind Outfitters",
    "Acme Corporate Gifts",
    "Blue Ridge Schools",
    "Harbor Hotels",
    "Summit Sports Club",
    "Lakeside Events",
)
_TERMS = ("Net 30", "Net 60", "Net 15", None)
_PRESENTMENT = {"CAD": Decimal("1.37"), "EUR": Decimal("0.92"), "GBP": Decimal("0.79")}

# Always in the catalogue: a donation (untracked, not taxable) and a digital guide (untracked, taxable).
_SERVICES = (
    ProductSpec(
        "Tree Planting Donation",
        "Trueup Goods",
        "Donations",
        (VariantSpec("DON-TREE", "Default Title", Decimal("5.00"), taxable=False, tracked=False),),
    ),
    ProductSpec(
        "Garment Care Guide",
        "Trueup Goods",
        "Digital",
        (VariantSpec("EBK-CARE", "Default Title", Decimal("4.99"), tracked=False),),
    ),
)


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low, high)) + rng.choice((Decimal("0.00"), Decimal("0.50"), Decimal("0.95")))


def _product(rng: random.Random, family: _Family, style: tuple[str, str]) -> ProductSpec:
    code = f"{family.code}-{style[0]}" if style[0] else family.code
    price = _price(rng, family.low_price, family.high_price)
    compare_at = (price * Decimal("1.25")).quantize(Decimal("1")) if rng.random() < 0.2 else None
    options = [(c, s) for c in family.colours or ("",) for s in family.sizes or ("",)]
    variants = []
    for colour, size in options:
        sku = "-".join(part for part in (code, colour, size.replace("/", "")) if part)
        title = " / ".join(part for part in (_COLOUR_NAMES.get(colour, ""), size) if part) or "Default Title"
        # Bigger sizes cost a little more, as they often do.
        variant_price = price + (Decimal(2) if size in ("XL", "L/XL") else Decimal(0))
        variants.append(VariantSpec(sku, title, variant_price, compare_at_price=compare_at))
    return ProductSpec(f"{style[1]} {family.name}", "Trueup Goods", family.product_type, tuple(variants))


def _bundle(rng: random.Random, number: int, products: list[ProductSpec]) -> ProductSpec:
    picked = rng.sample(products, 3 if number % 2 else 2)
    components = tuple(BundleComponentSpec(rng.choice(p.variants).sku, rng.choice((1, 1, 2))) for p in picked)
    prices = {v.sku: v.price for p in picked for v in p.variants}
    full = sum((prices[c.sku] * c.quantity for c in components), Decimal(0))
    price = (full * Decimal("0.85")).quantize(Decimal("1")) - Decimal("0.05")
    variant = VariantSpec(f"KIT-{number:02d}", "Default Title", price, tracked=False)
    name = ("Starter Kit", "Gift Set", "Weekend Bundle", "Team Pack")[number % 4]
    return ProductSpec(name, "Trueup Goods", "Bundles", (variant,), bundle_components=components)


def _catalogue(rng: random.Random, products: int) -> tuple[ProductSpec, ...]:
    bundles = 3 if products >= 12 else 2
    regular_count = products - bundles - len(_SERVICES)
    combos = [(family, style) for style in _STYLES for family in _FAMILIES]
    # Classic styles first so small shops still have "TEE-BLK-M"; the rest in seeded order.
    chosen = combos[: len(_FAMILIES)] + rng.sample(combos[len(_FAMILIES) :], len(combos) - len(_FAMILIES))
    regular = [_product(rng, family, style) for family, style in chosen[:regular_count]]
    kits = [_bundle(rng, n + 1, regular) for n in range(bundles)]
    return (*regular, *_SERVICES, *kits)


def _customers(rng: random.Random, count: int) -> tuple[CustomerSpec, ...]:
    customers = []
    for n in range(count):
        first, last, place = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), rng.choice(PLACES)
        phone = f"+1555{rng.randint(1000000, 9999999)}" if rng.random() < 0.7 else None
        address = f"{rng.randint(1, 999)} {rng.choice(STREETS)}"
        email = f"{first.lower()}.{last.lower()}.{n + 1}@example.com"
        # Every fifth customer has an account in the brand's ERP (no draw from `rng`: seeds keep their shops).
        metafields = (MetafieldSpec("erp", "account_number", f"C-{n + 1:05d}"),) if n % 5 == 0 else ()
        customers.append(CustomerSpec(first, last, email, phone, address, place.city, place.zip, "US", metafields))
    return tuple(customers)


def _companies(rng: random.Random, count: int) -> tuple[CompanySpec, ...]:
    companies = []
    for n, name in enumerate(_COMPANIES[:count]):
        handle = name.split()[0].lower()
        locations = tuple(
            CompanyLocationSpec(
                f"{name} {label}",
                f"{rng.randint(1, 999)} {rng.choice(STREETS)}",
                place.city,
                place.zip,
                "US",
                payment_terms=rng.choice(_TERMS),
            )
            for label, place in zip(("HQ", "Warehouse"), rng.sample(PLACES, 2), strict=False)
        )[: rng.choice((1, 2))]
        discount = Decimal(rng.choice((10, 15, 20)))
        account = (MetafieldSpec("erp", "account_number", f"ACC-{n + 1:05d}"),)
        companies.append(
            CompanySpec(name, f"B2B-{n + 1:04d}", f"purchasing@{handle}.example", locations, discount, account)
        )
    return tuple(companies)


def _stock(rng: random.Random, products: tuple[ProductSpec, ...], locations: tuple[LocationSpec, ...]):
    stock: dict[tuple[str, str], int] = {}
    for product in products:
        for variant in product.variants:
            if not variant.tracked:
                continue
            for location in locations:
                store = "Store" in location.name
                stock[(variant.sku, location.name)] = 0 if rng.random() < 0.1 else rng.randint(3, 40 if store else 300)
    return stock


def generate_shop(seed: int, *, products: int = 40, locations: int = 3, companies: int = 3) -> ShopSpec:
    """A deterministic shop: `products` products (variants by size and colour, 2-3 native bundles,
    an untracked non-taxable donation), `locations` locations with stock, customers, `companies` B2B
    companies with payment terms and a catalogue discount, and presentment currencies. Same seed,
    same shop."""
    if not 10 <= products <= len(_FAMILIES) * len(_STYLES) + 5:
        raise ValueError(f"products must be between 10 and {len(_FAMILIES) * len(_STYLES) + 5}")
    if not 1 <= locations <= len(_LOCATIONS) or not 0 <= companies <= len(_COMPANIES):
        raise ValueError(f"at most {len(_LOCATIONS)} locations and {len(_COMPANIES)} companies")
    rng = random.Random(f"shop-{seed}")
    catalogue = _catalogue(rng, products)
    location_specs = tuple(
        LocationSpec(name, f"{rng.randint(100, 9999)} Commerce Way", city, zip_code, "US")
        for name, city, zip_code, _state in _LOCATIONS[:locations]
    )
    # Rates move by up to 2 % from one seed to another.
    rates = {
        code: (rate * (1 + Decimal(rng.randint(-200, 200)) / 10_000)).quantize(Decimal("0.0001"))
        for code, rate in _PRESENTMENT.items()
    }
    return ShopSpec(
        name=f"Trueup Outfitters {seed}",
        myshopify_domain=f"trueup-outfitters-{seed}.myshopify.com".replace("--", "-"),
        currency="USD",
        taxes_included=False,
        locations=location_specs,
        products=catalogue,
        stock=_stock(rng, catalogue, location_specs),
        customers=_customers(rng, max(20, products // 2)),
        companies=_companies(rng, companies),
        presentment_rates=rates,
    )
