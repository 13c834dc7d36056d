"""Lines are priced for Tryton's 4-decimal unit prices without losing a cent (pure, no server)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from hypothesis import given
from hypothesis import strategies as st

from trueup.adapters.tryton.sale_lines import PRICE_DIGITS, priced_parts
from trueup.domain.money import Money
from trueup.domain.sales import SalesLine

CENT = Decimal("0.01")


def a_line(quantity: int, unit_price: Decimal) -> SalesLine:
    return SalesLine("SKU", "item", Decimal(quantity), Money(unit_price, "EUR"))


def tryton_amount(parts: list[tuple[Decimal, Decimal]]) -> Decimal:
    """What Tryton computes: each line's quantity × unit price rounded to the cent, summed."""
    return sum(((q * p).quantize(CENT, rounding=ROUND_HALF_EVEN) for q, p in parts), Decimal(0))


def test_a_price_tryton_can_store_stays_one_line() -> None:
    assert priced_parts(a_line(3, Decimal("12.5000"))) == [(Decimal(3), Decimal("12.5000"))]


def test_a_price_with_more_decimals_is_split_so_the_amount_holds() -> None:
    parts = priced_parts(a_line(300, Decimal(1000) / 300))  # 300 × 3.3333 would be 999.99

    assert len(parts) == 2
    assert tryton_amount(parts) == Decimal("1000.00")


@given(
    quantity=st.integers(min_value=1, max_value=500),
    cents=st.integers(min_value=0, max_value=10**7),
)
def test_tryton_amounts_always_equal_the_line_amount(quantity: int, cents: int) -> None:
    line = a_line(quantity, Decimal(cents) / 100 / quantity)

    parts = priced_parts(line)

    assert tryton_amount(parts) == line.amount.rounded().amount
    assert sum((q for q, _ in parts), Decimal(0)) == quantity
    assert all(p == p.quantize(Decimal(1).scaleb(-PRICE_DIGITS)) for _, p in parts)
