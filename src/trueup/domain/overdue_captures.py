"""Captures Shopify Payments has not put in any payout after N business days.

Shopify pays a capture out after about 2 business days (3 in some countries), Friday to Sunday grouped: a
charge still in no payout after `N` business days (Monday to Friday; `[payments] overdue_business_days`, 5 by
default) is money finance should ask about (a hold on the account, a reserve, a dispute, a changed schedule).
Nothing is wrong in the ERP: the charge stays on the clearing account until a payout carries it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from trueup.domain.money import Money
from trueup.domain.payouts import BalanceTransaction

WHAT_TO_DO = (
    "Shopify Payments has not paid this capture out: in Shopify's admin (Finances > Payouts, and the order's "
    "payment) look for a hold on the account, a reserve, a dispute or a changed payout schedule. Nothing to do in "
    "the ERP: the charge stays on the clearing account until a payout carries it, and trueup books that payout."
)


def business_days_between(start: dt.date, end: dt.date) -> int:
    """The business days (Monday to Friday) after `start` up to and including `end`; 0 when `end` <= `start`."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + dt.timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


@dataclass(frozen=True)
class OverdueCapture:
    """A charge in no payout yet, `business_days` after it was captured."""

    order: str  # the order's name, or "-"
    transaction_id: str
    amount: Money
    captured_on: dt.date
    business_days: int

    def describe(self) -> str:
        return (
            f"{self.order}: {self.amount} captured on {self.captured_on.isoformat()}, in no payout after "
            f"{self.business_days} business days"
        )


def overdue_captures(
    transactions: Sequence[BalanceTransaction], today: dt.date, business_days: int
) -> list[OverdueCapture]:
    """The charges in no payout (`payout_status` PENDING) captured `business_days` or more business days before
    `today`, oldest first."""
    found = []
    for tx in transactions:
        if tx.type != "CHARGE" or tx.payout_status != "PENDING" or tx.processed_at is None:
            continue
        captured = tx.processed_at.date()
        age = business_days_between(captured, today)
        if age >= business_days:
            found.append(OverdueCapture(tx.order_name or "-", tx.transaction_id, tx.amount, captured, age))
    return sorted(found, key=lambda c: (c.captured_on, c.transaction_id))


def to_json(captures: Sequence[OverdueCapture]) -> str:
    return json.dumps(
        [
            {
                "order": c.order,
                "transaction": c.transaction_id,
                "amount": str(c.amount.amount),
                "currency": c.amount.currency,
                "captured_on": c.captured_on.isoformat(),
                "business_days": c.business_days,
            }
            for c in captures
        ]
    )


def from_json(text: str) -> list[OverdueCapture]:
    return [
        OverdueCapture(
            item["order"],
            item["transaction"],
            Money(Decimal(item["amount"]), item["currency"]),
            dt.date.fromisoformat(item["captured_on"]),
            int(item["business_days"]),
        )
        for item in json.loads(text)
    ]
