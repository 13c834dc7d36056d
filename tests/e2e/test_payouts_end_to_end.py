"""A week of trading on the sandbox's clock → trueup → a real Tryton: every payout booked once and balanced.

`trade --days 7` plays a week on the sandbox's manual clock (payout runs along it, captures, gift cards, PayPal,
terms paid later, chargebacks, a reserve, a failed payout, CAD besides USD); trueup's worker posts the orders
and polls the payouts. At the end every payout that left SCHEDULED has exactly one entry in Tryton (a payout
paid then failed, its return too), each bank account holds the nets of the payouts that reached it, and fee
expense is Shopify's fees. The month of 300 orders is `trueup bench payouts --month` (docs/benchmarks.md).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.e2e.conftest import StackFactory
from trueup.config import PaymentsConfig
from trueup.domain.payouts import PayoutState
from trueup.local_stack.stack import LocalStack

pytestmark = [pytest.mark.slow, pytest.mark.tryton, pytest.mark.timeout(600)]
SETTLE = 240.0
ACCOUNTS = PaymentsConfig()
BOOKABLE = {"PAID", "FAILED", "CANCELED"}


def moves(stack: LocalStack) -> list[dict[str, Any]]:
    with stack.tryton_client() as client:
        rows: list[dict[str, Any]] = client.call(
            "account.move",
            "search_read",
            [("description", "like", "shopify:%:payout:%")],
            0,
            None,
            None,
            ["description", "state", "lines"],
        )
    return rows


def balances(stack: LocalStack, codes: set[str]) -> dict[str, Decimal]:
    """Each account's balance in its second currency where it has one, else the company's."""
    with stack.tryton_client() as client:
        rows = client.call(
            "account.account",
            "search_read",
            [("code", "in", sorted(codes))],
            0,
            None,
            None,
            ["code", "balance", "amount_second_currency", "second_currency"],
        )
    return {
        r["code"]: Decimal(str(r["amount_second_currency"] if r["second_currency"] else r["balance"])) for r in rows
    }


def wait_booked(stack: LocalStack, expected: set[str]) -> dict[str, Any]:
    deadline = time.monotonic() + SETTLE
    while True:
        with stack.store() as store:
            records = {r.payout_id: r for r in store.payout_records()}
        settled = {pid for pid, r in records.items() if r.state is not PayoutState.EXCEPTION}
        if expected <= settled or time.monotonic() > deadline:
            return records
        time.sleep(2)


def test_a_week_of_payouts_is_booked_once_each_and_balanced(start_stack: StackFactory) -> None:
    stack = start_stack(clock_start=datetime.now(UTC) - timedelta(days=20), payments=True, plan="plus")

    summary = stack.trade_month(days=7, orders=40, seed=5)
    with stack.clock_moving():
        assert stack.wait_settled(SETTLE), f"unsettled: {stack.unsettled()[:5]}"
        payouts = [p for p in stack.sandbox_payouts() if p["status"] in BOOKABLE]
        assert payouts, summary
        records = wait_booked(stack, {str(p["legacyResourceId"]) for p in payouts})
    payouts = [p for p in stack.sandbox_payouts() if p["status"] in BOOKABLE]

    not_booked = {pid: (r.cause, r.detail) for pid, r in records.items() if r.state is PayoutState.EXCEPTION}
    assert not_booked == {}
    entries = moves(stack)
    references = [m["description"] for m in entries]
    assert len(references) == len(set(references))  # never twice
    assert all(m["state"] == "posted" for m in entries)
    failed_after_paid = [r for r in records.values() if r.state is PayoutState.RETURNED]
    assert len(entries) == len(payouts) + len(failed_after_paid)

    banks = balances(stack, set(ACCOUNTS.bank.values()))
    for currency, code in ACCOUNTS.bank.items():
        reached = sum(
            (Decimal(p["net"]) for p in payouts if p["status"] == "PAID" and p["currency"] == currency), Decimal(0)
        )
        assert banks.get(code, Decimal(0)) == reached, currency
    fees = {
        currency: sum((r.totals["fees"].amount for r in records.values() if r.net.currency == currency), Decimal(0))
        for currency in {r.net.currency for r in records.values()}
    }
    sandbox_fees = {
        currency: sum(
            (Decimal(t["fee"]) for p in payouts if p["currency"] == currency for t in p["transactions"]), Decimal(0)
        )
        for currency in fees
    }
    assert fees == sandbox_fees
