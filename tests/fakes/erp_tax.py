"""How the fake ERP computes tax, as Tryton does: per line, each tax on the rounded base, half to even."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal

from trueup.domain.money import Money, minor_unit
from trueup.domain.sales import SalesLine


def erp_line_tax(line: SalesLine, tax_rates: Mapping[str, Decimal]) -> Money:
    """The tax the ERP computes on one line: each tax on the rounded base, half to even (Tryton's way)."""
    base = line.amount.rounded()
    unit = minor_unit(base.currency)
    amounts = [(base.amount * tax_rates[c]).quantize(unit, rounding=ROUND_HALF_EVEN) for c in line.tax_codes]
    return Money(sum(amounts, Decimal(0)), base.currency)
