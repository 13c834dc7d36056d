"""Where the generated shop's people are, and the sales taxes that apply there (state + county, some cities).

Rates are plausible US rates, not a tax engine: the generator states every tax line explicitly in
`orderCreate`, as a storefront that already computed taxes would.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class TaxRate:
    title: str
    rate: Decimal


@dataclass(frozen=True)
class Place:
    city: str
    province_code: str  # US state
    zip: str
    taxes: tuple[TaxRate, ...]  # empty where there is no sales tax
    taxes_shipping: bool


def _rates(*pairs: tuple[str, str]) -> tuple[TaxRate, ...]:
    return tuple(TaxRate(title, Decimal(rate)) for title, rate in pairs)


PLACES: tuple[Place, ...] = (
    Place("Austin", "TX", "78701", _rates(("Texas State Tax", "0.0625"), ("Austin City Tax", "0.01")), True),
    Place(
        "Chicago",
        "IL",
        "60601",
        _rates(("Illinois State Tax", "0.0625"), ("Cook County Tax", "0.0175"), ("Chicago City Tax", "0.0125")),
        False,
    ),
    Place("Seattle", "WA", "98101", _rates(("Washington State Tax", "0.065"), ("King County Tax", "0.004")), True),
    Place("Columbus", "OH", "43215", _rates(("Ohio State Tax", "0.0575"), ("Franklin County Tax", "0.0175")), True),
    Place("Nashville", "TN", "37203", _rates(("Tennessee State Tax", "0.07"), ("Davidson County Tax", "0.0225")), True),
    Place("Buffalo", "NY", "14202", _rates(("New York State Tax", "0.04"), ("Erie County Tax", "0.0475")), True),
    Place("Denver", "CO", "80202", _rates(("Colorado State Tax", "0.029"), ("Denver City Tax", "0.0481")), False),
    Place("Atlanta", "GA", "30303", _rates(("Georgia State Tax", "0.04"), ("Fulton County Tax", "0.049")), True),
    Place("Portland", "OR", "97205", (), False),  # Oregon has no sales tax
    Place("Wilmington", "DE", "19801", (), False),  # nor Delaware
)

PLACES_BY_CITY = {place.city: place for place in PLACES}

STREETS = ("Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Park Blvd", "Lake St", "Hill Rd", "Elm St", "Pine Ct")
FIRST_NAMES = (
    "Ava",
    "Liam",
    "Mia",
    "Noah",
    "Zoe",
    "Ethan",
    "Nora",
    "Lucas",
    "Ivy",
    "Mateo",
    "Ada",
    "Owen",
    "Chloe",
    "Elias",
    "Maya",
    "Jonah",
    "Ruth",
    "Felix",
    "Iris",
    "Omar",
)
LAST_NAMES = (
    "Nguyen",
    "Garcia",
    "Smith",
    "Okafor",
    "Kowalski",
    "Rossi",
    "Tanaka",
    "Haddad",
    "Murphy",
    "Silva",
    "Larsen",
    "Dubois",
    "Khan",
    "Novak",
    "Reyes",
    "Fischer",
    "Brown",
    "Cohen",
    "Moreau",
    "Patel",
)
