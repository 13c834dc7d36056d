"""A clearing account explained line by line: Shopify's transactions not paid out yet against the ERP's balance,
each difference named."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from trueup.domain.clearing import ClearingLine, UnbookedPayout, explain_clearing
from trueup.domain.money import Money


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def a_line(
    order: str, amount: str, *, booked: bool = True, kind: str = "CHARGE", currency: str = "USD"
) -> ClearingLine:
    why = "" if booked else "the order is exception: unknown_sku"
    return ClearingLine("shopify_payments", f"tx-{order}", kind, order, Money.of(amount, currency), booked, why)


def test_a_balance_equal_to_the_charges_not_paid_out_is_explained() -> None:
    lines = [a_line("#1001", "40.00"), a_line("#1002", "25.50"), a_line("#1001", "-10.00", kind="REFUND")]

    explanation = explain_clearing("5117-SP-USD", "shopify_payments", usd("55.50"), lines)

    assert explanation.explained
    assert explanation.not_paid_out == usd("55.50")
    assert explanation.differences() == []


def test_a_capture_whose_order_is_not_in_the_erp_is_named() -> None:
    lines = [a_line("#1001", "40.00"), a_line("#1003", "12.00", booked=False)]

    explanation = explain_clearing("5117-SP-USD", "shopify_payments", usd("40.00"), lines)

    assert explanation.explained
    assert explanation.differences() == [
        "#1003: CHARGE 12.00 USD not booked in the ERP (the order is exception: unknown_sku)"
    ]


def test_a_payout_paid_and_not_booked_keeps_its_charges_on_the_account() -> None:
    waiting = UnbookedPayout("77", usd("30.00"), "payout_waiting_for_orders: ...")

    explanation = explain_clearing("5117-SP-USD", "shopify_payments", usd("30.00"), [], [waiting])

    assert explanation.explained
    assert explanation.differences() == [
        "payout 77: 30.00 USD paid out by Shopify, not booked (payout_waiting_for_orders: ...)"
    ]


def test_what_nothing_accounts_for_is_named_unexplained() -> None:
    explanation = explain_clearing("5117-SP-USD", "shopify_payments", usd("47.50"), [a_line("#1001", "40.00")])

    assert not explanation.explained
    assert explanation.unexplained == usd("7.50")
    assert explanation.differences()[-1] == "unexplained: the ERP holds 7.50 USD more than the above accounts for"


def test_only_the_account_s_currency_counts() -> None:
    lines = [a_line("#1001", "40.00"), a_line("#1002", "20.00", currency="CAD")]

    assert explain_clearing("5117-SP-CAD", "shopify_payments", Money.of("20.00", "CAD"), lines).explained


cents = st.integers(min_value=-100_000, max_value=100_000).map(lambda c: Decimal(c) / 100)


@given(st.lists(st.tuples(cents, st.booleans()), max_size=20), cents)
def test_the_balance_is_always_the_booked_lines_plus_what_is_unexplained(
    lines: list[tuple[Decimal, bool]], balance: Decimal
) -> None:
    made = [
        ClearingLine("shopify_payments", str(n), "CHARGE", f"#{n}", Money(a, "USD"), b)
        for n, (a, b) in enumerate(lines)
    ]

    explanation = explain_clearing("X", "shopify_payments", Money(balance, "USD"), made)

    booked = sum((a for a, b in lines if b), Decimal(0))
    assert explanation.expected.amount + explanation.unexplained.amount == balance
    assert explanation.expected.amount == booked
    assert explanation.explained == (balance == booked)
