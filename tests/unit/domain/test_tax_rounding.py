"""The one tax-rounding rule of sales, amendments and credit notes."""

import pytest

from tests.factories import eur
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.tax_rounding import settle_tax_rounding


@pytest.mark.parametrize(
    ("shopify", "erp", "tolerance", "rounding"),
    [
        ("2.00", "2.00", "0.05", "0.00"),  # nothing to book
        ("2.01", "2.00", "0.05", "0.01"),  # Shopify rounded up: the ERP books one cent more
        ("1.99", "2.00", "0.05", "-0.01"),
        ("2.05", "2.00", "0.05", "0.05"),  # the tolerance itself is still rounding
        ("2.00", "2.00", None, "0.00"),  # no tolerance: an exact tax still posts
    ],
)
def test_a_difference_within_tolerance_is_booked_as_rounding(shopify, erp, tolerance, rounding):
    settled = settle_tax_rounding(eur(shopify), eur(erp), eur(tolerance) if tolerance else None)

    assert settled.amount == eur(rounding)
    assert settled.is_needed == (rounding != "0.00")
    assert settled.description == f"Tax rounding: Shopify {eur(shopify)}, ERP {eur(erp)}"


@pytest.mark.parametrize(("tolerance", "refunded", "verb"), [("0.05", False, "charged"), (None, True, "refunded")])
def test_a_larger_difference_is_a_mismatch_with_both_figures(tolerance, refunded, verb):
    with pytest.raises(StructuralError) as raised:
        settle_tax_rounding(eur("2.50"), eur("2.00"), eur(tolerance) if tolerance else None, refunded=refunded)

    assert raised.value.cause is Cause.TAX_MISMATCH
    assert raised.value.detail == f"Shopify {verb} 2.50 EUR of tax, the ERP computes 2.00 EUR (difference 0.50 EUR)"
