"""Captures in no payout after N business days: the business days counted Monday to Friday, only charges in no
payout yet, oldest first."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from trueup.domain.money import Money
from trueup.domain.overdue_captures import business_days_between, from_json, overdue_captures, to_json
from trueup.domain.payouts import BalanceTransaction

FRIDAY = dt.date(2026, 11, 20)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (FRIDAY, FRIDAY, 0),
        (FRIDAY, FRIDAY + dt.timedelta(days=1), 0),  # Saturday
        (FRIDAY, FRIDAY + dt.timedelta(days=3), 1),  # Monday
        (FRIDAY, FRIDAY + dt.timedelta(days=7), 5),  # the next Friday
        (FRIDAY, FRIDAY + dt.timedelta(days=14), 10),
        (FRIDAY - dt.timedelta(days=1), FRIDAY + dt.timedelta(days=3), 2),  # Thursday to Monday
        (FRIDAY, FRIDAY - dt.timedelta(days=3), 0),
    ],
)
def test_business_days_are_monday_to_friday(start: dt.date, end: dt.date, days: int) -> None:
    assert business_days_between(start, end) == days


def a_charge(n: int, captured: dt.date, status: str = "PENDING", kind: str = "CHARGE") -> BalanceTransaction:
    gross = Money(Decimal("40.00"), "USD")
    fee = Money(Decimal("1.46"), "USD")
    moment = dt.datetime.combine(captured, dt.time(15), dt.UTC)
    return BalanceTransaction(
        f"tx{n}",
        kind,
        gross,
        fee,
        gross - fee,
        f"gid://shopify/Order/{n}",
        f"#{n}",
        processed_at=moment,
        payout_status=status,
    )


def test_a_charge_in_no_payout_five_business_days_on_is_overdue_and_younger_ones_are_not() -> None:
    today = FRIDAY + dt.timedelta(days=7)
    transactions = [
        a_charge(1, FRIDAY),  # 5 business days
        a_charge(2, FRIDAY + dt.timedelta(days=3)),  # Monday: 4
        a_charge(3, FRIDAY - dt.timedelta(days=1), status="SCHEDULED"),  # in a payout not paid yet
        a_charge(4, FRIDAY - dt.timedelta(days=2), kind="REFUND"),
        a_charge(5, FRIDAY - dt.timedelta(days=7)),  # 10
    ]

    overdue = overdue_captures(transactions, today, 5)

    assert [(c.order, c.business_days) for c in overdue] == [("#5", 10), ("#1", 5)]
    assert overdue[1].describe() == "#1: 40.00 USD captured on 2026-11-20, in no payout after 5 business days"


def test_the_snapshot_reads_back_as_written() -> None:
    overdue = overdue_captures([a_charge(1, FRIDAY)], FRIDAY + dt.timedelta(days=10), 3)

    assert from_json(to_json(overdue)) == overdue
