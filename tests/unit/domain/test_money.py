from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trueup.domain.money import CurrencyMismatch, Money, allocate, minor_unit


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        Money(0.1, "EUR")  # type: ignore[arg-type]


def test_money_refuses_mixed_currencies():
    with pytest.raises(CurrencyMismatch):
        _ = eur("1.00") + Money.of("1.00", "USD")


@pytest.mark.parametrize(
    ("amount", "weights", "expected"),
    [
        ("10.00", [1, 1, 1], ["3.34", "3.33", "3.33"]),
        ("0.05", [1, 1], ["0.03", "0.02"]),
        ("100.00", [3, 0, 1], ["75.00", "0.00", "25.00"]),
        ("-10.00", [1, 1, 1], ["-3.34", "-3.33", "-3.33"]),
        ("1.00", [0, 0], ["0.50", "0.50"]),
        ("0.01", [1, 1, 1], ["0.01", "0.00", "0.00"]),
    ],
)
def test_allocate_splits_by_largest_remainder(amount, weights, expected):
    assert [m.amount for m in allocate(eur(amount), weights)] == [Decimal(e) for e in expected]


def test_allocate_knows_currencies_without_cents():
    parts = allocate(Money.of("100", "JPY"), [1, 1, 1])
    assert [p.amount for p in parts] == [Decimal(34), Decimal(33), Decimal(33)]
    assert minor_unit("JPY") == Decimal(1)


def test_allocate_refuses_fractions_of_a_cent():
    with pytest.raises(ValueError, match="minor units"):
        allocate(eur("1.005"), [1, 1])


@given(
    cents=st.integers(min_value=-10_000_000, max_value=10_000_000),
    weights=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=30),
)
def test_allocation_preserves_the_total_exactly(cents, weights):
    amount = Money(Decimal(cents) / 100, "EUR")
    parts = allocate(amount, weights)
    assert sum((p.amount for p in parts), Decimal(0)) == amount.amount
    assert all(p.amount == p.rounded().amount for p in parts)
    assert len(parts) == len(weights)


@given(
    cents=st.integers(min_value=0, max_value=10_000_000),
    weights=st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=30),
)
def test_allocation_parts_are_within_a_cent_of_their_share(cents, weights):
    parts = allocate(Money(Decimal(cents) / 100, "EUR"), weights)
    total_weight = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        share = Decimal(cents) / 100 * weight / total_weight
        assert abs(part.amount - share) < Decimal("0.01")
