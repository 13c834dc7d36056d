"""What to do when the ERP computes another tax than Shopify charged: the one rule for sales, their amendments
and credit notes, applied alike by every back-office adapter and its fake.

The ERP rounds tax its own way (Tryton: half to even per line; Shopify: half up, on the order), so the two can
differ by a cent or so. Within the tolerance, the difference is booked on the ERP document as an explicit,
untaxed rounding line, so that its total is Shopify's to the cent; beyond it, it is a mismatch for a person,
with both figures, and nothing is posted.
"""

from __future__ import annotations

from dataclasses import dataclass

from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money


@dataclass(frozen=True)
class TaxRounding:
    """The rounding line the ERP document must carry: `amount` (zero: none) and its description."""

    amount: Money
    description: str

    @property
    def is_needed(self) -> bool:
        return not self.amount.is_zero()


def settle_tax_rounding(
    shopify_tax: Money, erp_tax: Money, tolerance: Money | None, *, refunded: bool = False
) -> TaxRounding:
    """The rounding line that makes the ERP's document total Shopify's; raises StructuralError(TAX_MISMATCH)
    when the ERP's tax differs by more than `tolerance` (None: no difference is tolerated). `refunded`: the
    document is a credit note (the message says so)."""
    difference = shopify_tax - erp_tax
    if not difference.is_zero() and (tolerance is None or abs(difference.amount) > tolerance.amount):
        verb = "refunded" if refunded else "charged"
        raise StructuralError(
            Cause.TAX_MISMATCH,
            f"Shopify {verb} {shopify_tax} of tax, the ERP computes {erp_tax} (difference {difference})",
        )
    return TaxRounding(difference, f"Tax rounding: Shopify {shopify_tax}, ERP {erp_tax}")
