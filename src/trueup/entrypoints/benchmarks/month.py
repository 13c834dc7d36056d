"""The month's rehearsal: `trade --days` on the sandbox's manual clock (300 orders by default: captures, gift
cards, PayPal, terms paid later, chargebacks won and lost, a reserve, a failed payout, CAD besides USD) through
trueup into a real Tryton, then the payout books checked (local_stack/payout_books_check.py). Too long for the
test suite (the end-to-end test plays a week of 40 orders); its figures are in docs/benchmarks.md."""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from trueup.local_stack.payout_books_check import check_books, wait_booked
from trueup.local_stack.stack import LocalStack, StackOptions


def run(orders: int = 300, days: int = 30, seed: int = 5, cache: Path = Path(".cache/tryton")) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        options = StackOptions(
            dir=Path(tmp),
            seed=seed,
            plan="plus",
            tryton_cache=cache,
            poll_interval_seconds=5.0,
            clock_start=datetime.now(UTC) - timedelta(days=days + 5),
            payments=True,
        )
        with LocalStack(options) as stack:
            started = time.perf_counter()
            traded = stack.trade_month(days=days, orders=orders, seed=seed, timeout=3600)
            trading = time.perf_counter() - started
            with stack.clock_moving():
                settled = stack.wait_settled(3600)
            payouts, records = wait_booked(stack, 600)
            result = check_books(stack, payouts, records)
            elapsed = time.perf_counter() - started
    return {
        "orders": orders,
        "days": days,
        "settled": settled,
        "trading_seconds": round(trading, 1),
        "total_seconds": round(elapsed, 1),
        "traded": {k: v for k, v in traded.items() if isinstance(v, int | float)},
        **result,
    }
