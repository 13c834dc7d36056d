"""A week of trading on the sandbox's clock → trueup → a real Tryton: every payout booked once and balanced.

`trade --days 7` plays a week on the sandbox's manual clock (payout runs along it, captures, gift cards, PayPal,
terms paid later, chargebacks, a reserve, a failed payout, CAD besides USD); trueup's worker posts the orders
and polls the payouts. At the end every payout that left SCHEDULED has exactly one entry in Tryton (a payout
paid then failed, its return too), each bank account holds the nets of the payouts that reached it, and the
fees are Shopify's (local_stack/payout_books_check.py); each paid order's invoice is settled by its payments
through the clearing accounts, whose balances end at what Shopify has not paid out yet. The month of 300
orders is `trueup bench month`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from tests.contract.test_month_books_contract import make_hand_entry
from tests.e2e.conftest import StackFactory
from trueup.config import load_config
from trueup.entrypoints.month_view import build_month_view, difference_rows
from trueup.entrypoints.payouts_view import build_clearing_view
from trueup.local_stack.payout_books_check import check_books, wait_booked
from trueup.local_stack.stack import LocalStack

pytestmark = [pytest.mark.slow, pytest.mark.tryton, pytest.mark.timeout(900)]
# Each paid order's invoice is posted and its payment booked as it syncs (Tryton posts an invoice in about 2 s
# on the 2-core VM), so the week's orders take longer to settle than their sales alone.
SETTLE = 420.0


def test_a_week_of_payouts_is_booked_once_each_and_balanced(start_stack: StackFactory) -> None:
    start = datetime.now(UTC) - timedelta(days=20)
    stack = start_stack(clock_start=start, payments=True, plan="plus")

    summary = stack.trade_month(days=7, orders=40, seed=5)
    with stack.clock_moving():  # Shopify's rate limits refill as the sandbox's clock moves
        assert stack.wait_settled(SETTLE), f"unsettled: {stack.unsettled()[:5]}"
    payouts, records = wait_booked(stack, SETTLE)  # the clock stands still: no new payout comes meanwhile
    assert payouts, summary

    result = check_books(stack, payouts, records)

    assert result["not_booked"] == {}  # a payout unbooked waits for parked orders (each named with its cause)
    assert result["checks"] == dict.fromkeys(result["checks"], True), result
    assert any(p["currency"] == "CAD" for p in payouts)
    # Payments debit the clearing accounts at capture, payouts credit them: what is left is what Shopify has not
    # paid out yet, in each account's own currency.
    assert clearing_balances(stack) == not_paid_out(stack)
    # `trueup clearing` explains each of them line by line, to the cent.
    explanations = build_clearing_view(load_config(stack.config_path))
    assert all(e.explained for e in explanations), [e.differences() for e in explanations]
    lines = {e.account: e.not_paid_out.amount for e in explanations if e.account in CLEARING.values()}
    assert lines == not_paid_out(stack)
    assert any(r.totals["disputes"].amount for r in records.values())
    month_view_closes_then_names_a_hand_made_entry(stack, start)


CLEARING = {"USD": "5117-SP-USD", "CAD": "5117-SP-CAD"}


def clearing_balances(stack: LocalStack) -> dict[str, Decimal]:
    with stack.tryton_client() as client:
        rows = client.call(
            "account.account",
            "search_read",
            [("code", "in", sorted(CLEARING.values()))],
            0,
            None,
            None,
            ["code", "amount_second_currency"],
            context={"posted": True},
        )
    return {row["code"]: Decimal(str(row["amount_second_currency"] or 0)) for row in rows}


def not_paid_out(stack: LocalStack) -> dict[str, Decimal]:
    pending = httpx.get(f"{stack.sandbox_url}/sandbox/payments/pending", timeout=30).json()["pending"]
    return {
        code: sum(
            (Decimal(t["amount"]) for t in pending if t["currency"] == currency and t["type"] in ("CHARGE", "REFUND")),
            Decimal(0),
        )
        for currency, code in CLEARING.items()
    }


def month_view_closes_then_names_a_hand_made_entry(stack: LocalStack, start: datetime) -> None:
    """Each month the week touched closes to the cent (`trueup month`); a fee entered in the ERP by hand is
    then listed as a difference by its move's number."""
    config = load_config(stack.config_path)
    months = sorted({(start + timedelta(days=d)).strftime("%Y-%m") for d in range(8)})
    for month in months:
        view = build_month_view(config, month)
        assert view.documents
        assert view.closes, (difference_rows(view), view.not_invoiced_yet)
        # Orders authorised and not captured, or on terms and not paid, are not invoiced yet: listed apart.
        assert all(why.startswith(("authorised", "on payment terms")) for _, _, why in view.not_invoiced_yet)
    day = (start + timedelta(days=2)).date()
    with stack.tryton_client() as client:
        move = make_hand_entry(client, "Bank charge entered by hand", Decimal("7.50"), day)
        (number,) = client.call("account.move", "read", [move], ["number"])
    view = build_month_view(config, day.strftime("%Y-%m"))
    rows = difference_rows(view)
    assert [(r["kind"], r["document"], r["figure"], r["difference"]) for r in rows] == [
        ("erp entry", number["number"], "fees", "7.50"),
        ("erp entry", number["number"], "payouts", "-7.50"),
    ]
    assert not view.closes
