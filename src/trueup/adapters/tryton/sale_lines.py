"""Sales lines as Tryton takes them, priced so that Tryton's amounts equal trueup's to the cent.

Tryton stores a unit price with 4 decimals (product's `price_decimal`) and rounds `quantity × unit_price`
to the currency. A net unit price with more decimals (10.00 for 3 → 3.333…) would drift by a cent, so such a
line is split in two: all but one unit at the rounded price, and one unit carrying the remainder. A line books
on the product whose code is its SKU: the goods', or the shipping product for shipping.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from trueup.domain.money import minor_unit
from trueup.domain.sales import SalesLine

PRICE_DIGITS = 4


def priced_parts(line: SalesLine) -> list[tuple[Decimal, Decimal]]:
    """(quantity, unit price) pairs whose rounded amounts add up to the line's rounded amount."""
    currency_unit = minor_unit(line.unit_price.currency)
    price_unit = Decimal(1).scaleb(-PRICE_DIGITS)
    target = line.amount.rounded().amount
    price = line.unit_price.amount.quantize(price_unit, rounding=ROUND_HALF_EVEN)
    if _round(line.quantity * price, currency_unit) == target or line.quantity <= 1:
        return [(line.quantity, price)]
    rest = line.quantity - 1
    rest_amount = _round(rest * price, currency_unit)
    return [(rest, price), (Decimal(1), target - rest_amount)]


def sale_line_values(
    line: SalesLine, products: Mapping[str, Mapping[str, Any]], taxes: Mapping[str, int]
) -> list[dict[str, Any]]:
    """The `sale.line` values of `line` (one or two, see `priced_parts`), `products` by code and `taxes` by
    name as the reference data has them."""
    product = products[line.sku]
    tax_ids = [taxes[code] for code in line.tax_codes]
    return [
        {
            "type": "line",
            "product": product["id"],
            "description": line.description,
            "quantity": float(quantity),  # a Float field in Tryton; quantities are whole numbers here
            "unit": product["sale_uom"],
            "unit_price": price,
            "taxes": [("add", tax_ids)],
        }
        for quantity, price in priced_parts(line)
    ]


def _round(amount: Decimal, unit: Decimal) -> Decimal:
    return amount.quantize(unit, rounding=ROUND_HALF_EVEN)
