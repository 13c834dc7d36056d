"""The one tax-rounding rule of sales, amendments and credit notes."""

import pytest

from tests.factories import eur
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.tax_rounding import check_tax_variance, settle_tax_rounding, taxes_as_charged


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


def test_taxes_as_charged_carry_shopifys_amount_per_tax_and_report_only_beyond_the_tolerance():
    settled = taxes_as_charged(
        "INV-1",
        {"VAT20": eur("4.17"), "VAT5.5": eur("0.17"), "CITY": eur("1.00")},
        {"VAT20": eur("4.16"), "VAT5.5": eur("0.17"), "CITY": eur("0.80"), "EXTRA": eur("0.30")},
        eur("0.05"),
        rates={"CITY": "City 1"},
    )
    assert settled.amounts == {"CITY": eur("1.00"), "EXTRA": eur("0.00"), "VAT20": eur("4.17"), "VAT5.5": eur("0.17")}
    assert [(v.tax, v.rate, v.difference) for v in settled.variances] == [
        ("CITY", "City 1", eur("0.20")),
        ("EXTRA", "EXTRA", eur("-0.30")),  # the ERP taxes what Shopify did not: carried at zero, reported
    ]
    assert (
        str(settled.variances[0])
        == "INV-1: CITY (City 1) Shopify 1.00 EUR, ERP rate gives 0.80 EUR (difference 0.20 EUR)"
    )


def test_without_a_tolerance_every_difference_is_a_variance():
    assert len(taxes_as_charged("S", {"VAT20": eur("2.01")}, {"VAT20": eur("2.00")}, None).variances) == 1


def test_parking_brands_get_a_mismatch_beyond_the_tolerance_only():
    check_tax_variance(eur("2.01"), eur("2.00"), eur("0.05"))
    with pytest.raises(StructuralError) as raised:
        check_tax_variance(eur("2.50"), eur("2.00"), eur("0.05"))
    assert raised.value.cause is Cause.TAX_MISMATCH
