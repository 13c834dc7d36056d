"""What a run on the local stack must end with when payouts are booked: the same checks for the end-to-end test
and for the month's rehearsal (`trueup bench month`).

Every payout that left SCHEDULED has exactly one posted entry in Tryton (a payout paid then returned, two), each
bank account holds the nets of the payouts that reached it, and the fees trueup recorded are Shopify's.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from trueup.config import PaymentsConfig
from trueup.domain.errors import Cause
from trueup.domain.ledger import OrderState
from trueup.domain.payouts import PayoutRecord, PayoutState
from trueup.local_stack.stack import LocalStack

BOOKABLE = frozenset({"PAID", "FAILED", "CANCELED"})


def wait_booked(stack: LocalStack, timeout: float) -> tuple[list[dict[str, Any]], dict[str, PayoutRecord]]:
    """The sandbox's payouts that left SCHEDULED, and trueup's records once each is booked (or `timeout`)."""
    deadline = time.monotonic() + timeout
    while True:
        payouts = [p for p in stack.sandbox_payouts() if p["status"] in BOOKABLE]
        store = stack.store()
        try:
            records = {r.payout_id: r for r in store.payout_records()}
        finally:
            store.close()
        booked = {pid for pid, r in records.items() if r.state is not PayoutState.EXCEPTION}
        if {str(p["legacyResourceId"]) for p in payouts} <= booked or time.monotonic() > deadline:
            return payouts, records
        time.sleep(2)


def check_books(stack: LocalStack, payouts: list[dict[str, Any]], records: dict[str, PayoutRecord]) -> dict[str, Any]:
    """The checks, each with what was found: `ok` is True when all hold. A payout may stay unbooked only for a
    stated reason: waiting for orders that are themselves parked, each with its cause."""
    accounts = PaymentsConfig()
    parked = _parked_orders(stack)
    waiting = {
        pid: {order: parked.get(order, "not parked") for order in r.needs.get("orders", [])}
        for pid, r in records.items()
        if r.state is PayoutState.EXCEPTION and r.cause is Cause.PAYOUT_WAITING_FOR_ORDERS
    }
    payouts = [p for p in payouts if str(p["legacyResourceId"]) not in waiting]
    with stack.tryton_client() as client:
        moves = client.call(
            "account.move",
            "search_read",
            [("description", "like", "shopify:%:payout:%")],
            0,
            None,
            None,
            ["description", "state"],
        )
        rows = client.call(
            "account.account",
            "search_read",
            [("code", "in", sorted(accounts.bank.values()))],
            0,
            None,
            None,
            ["code", "balance", "amount_second_currency", "second_currency"],
        )
    references = [m["description"] for m in moves]
    returned = [r for r in records.values() if r.state is PayoutState.RETURNED]
    banks = {
        r["code"]: Decimal(str(r["amount_second_currency"] if r["second_currency"] else r["balance"])) for r in rows
    }
    bank_expected = {
        code: sum(
            (Decimal(p["net"]) for p in payouts if p["status"] == "PAID" and p["currency"] == currency), Decimal(0)
        )
        for currency, code in accounts.bank.items()
    }
    currencies = {p["currency"] for p in payouts}
    fees_recorded = {
        c: sum(
            (r.totals["fees"].amount for pid, r in records.items() if r.net.currency == c and pid not in waiting),
            Decimal(0),
        )
        for c in currencies
    }
    fees_shopify = {
        c: sum((Decimal(t["fee"]) for p in payouts if p["currency"] == c for t in p["transactions"]), Decimal(0))
        for c in currencies
    }
    not_booked = {
        pid: f"{r.cause}: {r.detail}"
        for pid, r in records.items()
        if r.state is PayoutState.EXCEPTION and pid not in waiting
    }
    checks = {
        "every_payout_booked_or_waiting_for_parked_orders": not not_booked
        and all("not parked" not in causes.values() for causes in waiting.values()),
        "each_entry_once": len(references) == len(set(references)),
        "entries_posted": all(m["state"] == "posted" for m in moves),
        "one_entry_per_payout": len(moves) == len(payouts) + len(returned),
        "bank_is_paid_out_nets": all(banks.get(code, Decimal(0)) == want for code, want in bank_expected.items()),
        "fees_are_shopify_s": fees_recorded == fees_shopify,
    }
    return {
        "ok": all(checks.values()),
        "checks": checks,
        "payouts": len(payouts),
        "entries": len(moves),
        "returned": len(returned),
        "not_booked": not_booked,
        "waiting_for_parked_orders": waiting,
        "bank": {code: str(amount) for code, amount in sorted(banks.items())},
        "bank_expected": {code: str(amount) for code, amount in sorted(bank_expected.items())},
        "fees": {c: str(a) for c, a in sorted(fees_recorded.items())},
    }


def _parked_orders(stack: LocalStack) -> dict[str, str]:
    """Order id -> its cause, for the orders parked in the ledger."""
    store = stack.store()
    try:
        return {e.order_id: f"{e.name} {e.cause}" for e in store.ledger_entries(OrderState.EXCEPTION)}
    finally:
        store.close()
