"""What to do when the ERP computes another tax than Shopify charged: the one rule for sales, their amendments
and credit notes, applied alike by every back-office adapter and its fake.

The ERP rounds tax its own way (Tryton: half to even per line; Shopify: half up, on the order), and a tax
service or tax on discounted lines can give another figure altogether. The accounting documents (invoices
and credit notes) carry Shopify's tax per ERP tax, to the cent (`taxes_as_charged`): the tax account equals
the tax collected, and no untaxed line balances anything. A difference beyond the tolerance is a
`TaxVariance`, a finding for finance, not a reason to stop the warehouse; a brand that wants such orders
parked sets `park_on_tax_variance` (`check_tax_variance`, a mismatch for a person with both figures).

`settle_tax_rounding` is the older rule (an untaxed rounding line for the difference): it remains for what
carries tax with no ERP tax to hold it (a refund's order adjustment) and for parking.
"""

from __future__ import annotations

from collections.abc import Mapping
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


# --- Tax as charged: the accounting documents carry Shopify's tax per tax, never a balancing line ---------------


@dataclass(frozen=True)
class TaxVariance:
    """Where the ERP's own rate gives another tax than Shopify charged, beyond the tolerance: a finding for
    finance (the document carries Shopify's figure all the same)."""

    document: str  # the ERP document, e.g. "INV-12" or the order's reference
    tax: str  # the ERP tax
    rate: str  # Shopify's tax line(s) mapped to it, e.g. "VAT 20"
    shopify: Money
    erp: Money

    @property
    def difference(self) -> Money:
        return self.shopify - self.erp

    def __str__(self) -> str:
        return (
            f"{self.document}: {self.tax} ({self.rate}) Shopify {self.shopify}, ERP rate gives {self.erp} "
            f"(difference {self.difference})"
        )


@dataclass(frozen=True)
class TaxesAsCharged:
    """The tax amount each ERP tax of a document must carry (Shopify's), and the variances to report."""

    amounts: dict[str, Money]
    variances: tuple[TaxVariance, ...]


def taxes_as_charged(
    document: str,
    shopify: Mapping[str, Money],
    erp: Mapping[str, Money],
    tolerance: Money | None,
    *,
    rates: Mapping[str, str] | None = None,
) -> TaxesAsCharged:
    """Each ERP tax of the document at Shopify's amount (`shopify`, by ERP tax; a tax the ERP computes that
    Shopify did not charge carries zero). A tax whose ERP figure (`erp`) differs by more than `tolerance`
    (None: any difference) is a TaxVariance; rounding within it is not reported."""
    currency = next(iter([*shopify.values(), *erp.values()]), Money.zero("XXX")).currency
    amounts: dict[str, Money] = {}
    variances: list[TaxVariance] = []
    for tax in sorted(set(shopify) | set(erp)):
        wanted = shopify.get(tax, Money.zero(currency))
        computed = erp.get(tax, Money.zero(currency))
        amounts[tax] = wanted
        difference = abs((wanted - computed).amount)
        if difference and (tolerance is None or difference > tolerance.amount):
            variances.append(TaxVariance(document, tax, (rates or {}).get(tax, tax), wanted, computed))
    return TaxesAsCharged(amounts, tuple(variances))


def check_tax_variance(shopify_tax: Money, erp_tax: Money, tolerance: Money | None, *, refunded: bool = False) -> None:
    """For brands that park on a tax difference (`park_on_tax_variance`): StructuralError(TAX_MISMATCH) when the
    ERP's tax differs from Shopify's by more than `tolerance`, before anything is confirmed."""
    settle_tax_rounding(shopify_tax, erp_tax, tolerance, refunded=refunded)
