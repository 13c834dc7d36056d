"""Tax variances kept for finance: where the ERP's own rate gives another tax than Shopify charged, beyond the
tolerance. The order posts all the same with Shopify's tax (domain/tax_rounding.py, `taxes_as_charged`); the
variance is recorded per order, ERP document (the sale, or a refund's credit note) and ERP tax, so that status,
the console and `trueup verify` report it, with Shopify's figure, the ERP's and the difference. Only order and
tax figures: nothing about the customer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from trueup.domain.money import Money
from trueup.domain.tax_rounding import TaxVariance

WHAT_TO_DO = (
    "The order posted with Shopify's tax, so the ERP's books match what the customer paid; the ERP's own rate "
    "gives another figure. Check the ERP tax's rate and the [taxes] mapping for this Shopify tax line (a wrong "
    "rate or mapping), or, if Shopify's tax service is the truth for this shop (a tax app, tax on discounted "
    "lines), accept Shopify's figure and leave the ERP as it is."
)


@dataclass(frozen=True)
class TaxVarianceRecord:
    """One ERP tax of one order whose ERP rate disagrees with Shopify's charge beyond the tolerance."""

    shop: str
    order_id: str  # the Shopify order's id
    order: str  # its name, e.g. "#1042"
    document: str  # the ERP document that carries it (the sale's reference or number)
    tax: str  # the ERP tax
    rate: str  # Shopify's tax line(s) mapped to it, e.g. "VAT 20"
    shopify: Money  # what Shopify charged (and the ERP document carries)
    erp: Money  # what the ERP's rate computes
    recorded_at: datetime
    # A refund's credit note rather than the order's sale: its amounts are negative (credited), so that an
    # order's variance less its refunds' is what stays booked beyond the ERP's rates.
    credit_note: bool = False

    @property
    def difference(self) -> Money:
        """Shopify's less the ERP's: positive when Shopify charged more than the ERP's rate gives."""
        return self.shopify - self.erp


def variance_records(
    shop: str, order_id: str, order: str, variances: Iterable[TaxVariance], at: datetime, *, credit_note: bool = False
) -> list[TaxVarianceRecord]:
    """The records of an order's variances as a posting or an amendment reported them (or, `credit_note`,
    as a refund's credit note did)."""
    return [
        TaxVarianceRecord(shop, order_id, order, v.document, v.tax, v.rate, v.shopify, v.erp, at, credit_note)
        for v in variances
    ]


@dataclass(frozen=True)
class VarianceTotals:
    """Per currency: what Shopify charged, what the ERP's rates give, and the difference, over some variances."""

    count: int
    orders: int
    shopify: dict[str, Money]
    erp: dict[str, Money]
    difference: dict[str, Money]


def variance_totals(records: Sequence[TaxVarianceRecord]) -> VarianceTotals:
    """Counted and summed per currency (never across currencies)."""
    sums: dict[str, dict[str, Decimal]] = {}
    for record in records:
        currency = record.shopify.currency
        into = sums.setdefault(currency, {"shopify": Decimal(0), "erp": Decimal(0)})
        into["shopify"] += record.shopify.amount
        into["erp"] += record.erp.amount

    def side(name: str) -> dict[str, Money]:
        return {currency: Money(pair[name], currency) for currency, pair in sorted(sums.items())}

    shopify, erp = side("shopify"), side("erp")
    return VarianceTotals(
        count=len(records),
        orders=len({(r.shop, r.order_id) for r in records}),
        shopify=shopify,
        erp=erp,
        difference={currency: shopify[currency] - erp[currency] for currency in shopify},
    )
