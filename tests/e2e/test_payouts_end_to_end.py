"""A week of trading on the sandbox's clock → trueup → a real Tryton: every payout booked once and balanced.

`trade --days 7` plays a week on the sandbox's manual clock (payout runs along it, captures, gift cards, PayPal,
terms paid later, chargebacks, a reserve, a failed payout, CAD besides USD); trueup's worker posts the orders
and polls the payouts. At the end every payout that left SCHEDULED has exactly one entry in Tryton (a payout
paid then failed, its return too), each bank account holds the nets of the payouts that reached it, and the
fees are Shopify's (local_stack/payout_books_check.py). The month of 300 orders is `trueup bench month`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import StackFactory
from trueup.local_stack.payout_books_check import check_books, wait_booked

pytestmark = [pytest.mark.slow, pytest.mark.tryton, pytest.mark.timeout(900)]
# Each paid order's invoice is posted and its payment booked as it syncs (Tryton posts an invoice in about 2 s
# on the 2-core VM), so the week's orders take longer to settle than their sales alone.
SETTLE = 420.0


def test_a_week_of_payouts_is_booked_once_each_and_balanced(start_stack: StackFactory) -> None:
    stack = start_stack(clock_start=datetime.now(UTC) - timedelta(days=20), payments=True, plan="plus")

    summary = stack.trade_month(days=7, orders=40, seed=5)
    with stack.clock_moving():  # Shopify's rate limits refill as the sandbox's clock moves
        assert stack.wait_settled(SETTLE), f"unsettled: {stack.unsettled()[:5]}"
    payouts, records = wait_booked(stack, SETTLE)  # the clock stands still: no new payout comes meanwhile
    assert payouts, summary

    result = check_books(stack, payouts, records)

    assert result["not_booked"] == {}
    assert result["checks"] == dict.fromkeys(result["checks"], True), result
    assert any(p["currency"] == "CAD" for p in payouts)
    assert any(r.totals["disputes"].amount for r in records.values())
