"""The payouts part of `trueup demo`: the sandbox's clock moved on a week so Shopify Payments pays out what the
demo's orders charged, then every payout that left SCHEDULED found booked in Tryton (docs/payouts.md)."""

from __future__ import annotations

import time
from collections import defaultdict
from decimal import Decimal
from typing import Any

import httpx
from rich.console import Console

from trueup.domain.payouts import PayoutState
from trueup.entrypoints.terminal import say
from trueup.local_stack.stack import LocalStack

WEEK_SECONDS = 7 * 86400
BOOKABLE = frozenset({"PAID", "FAILED", "CANCELED"})


def pay_out_and_book(stack: LocalStack, timeout: float = 180.0) -> dict[str, Any]:
    """Move the sandbox's clock a week on (its payout runs happen on the way), then wait until trueup has booked
    or parked every payout that left SCHEDULED; what Shopify paid out and what trueup did with it."""
    response = httpx.post(f"{stack.sandbox_url}/sandbox/clock/advance", json={"seconds": WEEK_SECONDS}, timeout=120)
    response.raise_for_status()
    expected = {str(p["legacyResourceId"]): p for p in stack.sandbox_payouts() if p["status"] in BOOKABLE}
    deadline = time.monotonic() + timeout
    while True:
        store = stack.store()
        try:
            records = {r.payout_id: r for r in store.payout_records(stack.shop_domain)}
        finally:
            store.close()
        if set(expected) <= set(records) or time.monotonic() > deadline:
            break
        time.sleep(1)
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for payout in expected.values():
        if payout["status"] == "PAID":
            paid[payout["currency"]] += Decimal(payout["net"])
    return {
        "shopify_payouts": len(expected),
        "paid_out": {currency: str(amount) for currency, amount in sorted(paid.items())},
        "booked": sum(1 for r in records.values() if r.state is not PayoutState.EXCEPTION),
        "not_booked": [
            {"payout": r.payout_id, "cause": str(r.cause), "detail": r.detail or ""}
            for r in records.values()
            if r.state is PayoutState.EXCEPTION
        ],
        "not_seen": sorted(set(expected) - set(records)),
    }


def print_payouts(payouts: dict[str, Any], console: Console) -> None:
    paid = ", ".join(f"{amount} {currency}" for currency, amount in payouts["paid_out"].items()) or "nothing"
    say(
        console,
        f"Payouts: Shopify Payments paid out {payouts['shopify_payouts']} payout(s) ({paid}); "
        f"{payouts['booked']} booked in Tryton, one entry each",
    )
    for item in payouts["not_booked"]:
        say(console, f"  payout {item['payout']} not booked: {item['cause']}: {item['detail']}", "yellow")
    if payouts["not_seen"]:
        say(console, f"  not yet read by trueup: {', '.join(payouts['not_seen'])}", "yellow")


def month_close(stack: LocalStack, month: str) -> dict[str, Any]:
    """The month view of the demo's month (`trueup month`): its totals line and the first differences."""
    from trueup.config import load_config
    from trueup.entrypoints.month_view import build_month_view, difference_rows, totals_line

    view = build_month_view(load_config(stack.config_path), month)
    return {"month": month, "line": totals_line(view), "closes": view.closes, "differences": difference_rows(view)}


def print_month(month: dict[str, Any], console: Console) -> None:
    say(console, month["line"], "green" if month["closes"] else "red")
    for row in month["differences"][:10]:
        say(
            console,
            f"  {row['kind']} {row['document']} ({row['erp_documents'] or 'no ERP document'}): {row['figure']} "
            f"Shopify {row['shopify']} ERP {row['erp']} {row['currency']}: {row['why']}",
            "yellow",
        )
