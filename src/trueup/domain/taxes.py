"""Shopify's tax lines and the ERP taxes they map to: one mapping for sales, amendments and credit notes.

A tax line is mapped by its key, "<title> <rate as percent>" ("VAT 20" for VAT at 20 %), to the ERP tax the
configuration names (`[taxes]`). A sale, its amendments and its credit notes all go through `erp_tax_codes`,
so a refund is always taxed as its sale was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money


@dataclass(frozen=True)
class TaxLine:
    title: str
    rate: Decimal  # 0.2 for 20 %
    amount: Money


def tax_key(tax: TaxLine) -> str:
    """The name a Shopify tax line is mapped by in the configuration, e.g. "VAT 20" for VAT at 20 %."""
    percent = (tax.rate * 100).normalize()
    return f"{tax.title} {percent:f}"


def is_untaxing(tax: TaxLine) -> bool:
    """A zero tax line (no rate, nothing charged): it takes no ERP tax."""
    return tax.amount.is_zero() and tax.rate == 0


def erp_tax_codes(taxes: Iterable[TaxLine], mapping: Mapping[str, str]) -> tuple[str, ...]:
    """The ERP taxes of Shopify's tax lines, in order; raises StructuralError(UNMAPPED_TAX) naming the first
    tax line the configuration does not map."""
    codes = []
    for tax in taxes:
        if is_untaxing(tax):
            continue
        key = tax_key(tax)
        if key not in mapping:
            raise StructuralError(Cause.UNMAPPED_TAX, f"Shopify tax {key!r} has no ERP tax", needs={"taxes": [key]})
        codes.append(mapping[key])
    return tuple(codes)


def tax_by_erp_tax(taxes: Iterable[TaxLine], mapping: Mapping[str, str], currency: str) -> dict[str, Money]:
    """Shopify's tax summed by the ERP tax each tax line maps to (what the ERP document must carry per tax)."""
    amounts: dict[str, Money] = {}
    for tax in taxes:
        if is_untaxing(tax):
            continue
        (code,) = erp_tax_codes([tax], mapping)
        amounts[code] = amounts.get(code, Money.zero(currency)) + tax.amount
    return amounts


def shopify_rates(taxes: Iterable[TaxLine], mapping: Mapping[str, str]) -> dict[str, str]:
    """The Shopify tax line keys behind each ERP tax ("VAT20" → "VAT 20"), for findings."""
    keys: dict[str, set[str]] = {}
    for tax in taxes:
        if not is_untaxing(tax) and tax_key(tax) in mapping:
            keys.setdefault(mapping[tax_key(tax)], set()).add(tax_key(tax))
    return {code: ", ".join(sorted(names)) for code, names in keys.items()}
