"""`trueup demo`: the main job on embedded defaults, end to end, with a report in both systems' terms."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console

from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.entrypoints import terminal
from trueup.entrypoints.demo_payouts import month_close, pay_out_and_book, print_month, print_payouts
from trueup.entrypoints.demo_post_purchase import post_purchase_side
from trueup.entrypoints.demo_verify import print_verify, verify_summary
from trueup.entrypoints.terminal import say, text
from trueup.local_stack.stack import EPOCH, LocalStack, StackOptions
from trueup.service_layer.status import build_status

SETTLE_TIMEOUT_SECONDS = 900.0
# The trading's pace: 100 times the plan's, so follow-ups planned 1 to 60 minutes after their order (edits,
# address changes, cancellations, refunds) land seconds after it, mostly once the order is in the ERP.
TRADING_SPEED = 100.0


class _Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def shopify_side(stack: LocalStack) -> dict[str, Any]:
    orders = list(stack.shopify().order_summaries_since(EPOCH))
    postable = [o for o in orders if o.postable]
    return {
        "orders": len(orders),
        "postable_orders": len(postable),
        "postable_total": str(sum((o.total.amount for o in postable), Decimal(0))),
        "currency": orders[0].total.currency if orders else None,
        "by_financial_status": dict(Counter(o.financial_status for o in orders)),
    }


def erp_side(client: TrytonClient) -> dict[str, Any]:
    rows = client.call(
        "sale.sale", "search_read", [("reference", "like", "shopify:%")], 0, None, None, ["total_amount", "state"]
    )
    live = [r for r in rows if r["state"] != "cancelled"]
    return {
        "sales": len(live),
        "total": str(sum((Decimal(str(r["total_amount"])) for r in live), Decimal(0))),
        "by_state": dict(Counter(r["state"] for r in rows)),
    }


def build_report(
    stack: LocalStack,
    settled: bool,
    traded: dict[str, Any],
    payouts: dict[str, Any] | None = None,
    verified: dict[str, Any] | None = None,
) -> dict[str, Any]:
    store = stack.store()
    try:
        status = build_status(store, _Clock()).to_json()
        refunds = store.refund_records(shop=stack.shop_domain)
    finally:
        store.close()
    with stack.tryton_client() as client:
        erp = erp_side(client)
        # What the ERP books of each sale: its invoices, which carry Shopify's tax (the sale's own total keeps
        # Tryton's tax computation and may differ by a rounding cent), the sale's own total while it has none.
        booked = [{"reference": ref, "total_amount": total} for ref, total in stack.erp_booked_totals().items()]
        post_purchase = post_purchase_side(client, stack.shopify().order_summaries_since(EPOCH), refunds, booked)
    return {
        "settled": settled,
        "dir": str(stack.dir),
        "traded": traded,
        "shopify": shopify_side(stack),
        "erp": erp,
        "post_purchase": post_purchase,
        "ledger": status["orders_by_state"],
        "exceptions": status["exceptions"],
        "total_mismatches": status["total_mismatches"],
        "payouts": payouts or {},
        "verify": verify_summary(verified) if verified is not None else {},
    }


def print_report(report: dict[str, Any], console: Console) -> None:
    shop, erp = report["shopify"], report["erp"]
    say(
        console,
        f"\nShopify: {shop['orders']} orders, {shop['postable_orders']} paid, authorised or on terms "
        f"totalling {shop['postable_total']} {shop['currency']}",
    )
    say(
        console,
        f"ERP:     {erp['sales']} sales totalling {erp['total']} {shop['currency']} as sold "
        "(cancelled ones at 0; refunds are credit notes of their own)",
    )
    _print_post_purchase(report, console)
    say(console, f"Ledger:  {report['ledger']}")
    for group in report["exceptions"]:
        say(console, f"  {group['count']} × {group['cause']}: {group['what_to_do']}", "yellow")
        for example in group["examples"]:
            say(console, f"      {example['order']}: {example['detail']}")
    for mismatch in report["total_mismatches"]:
        say(console, f"  {mismatch['order']}: Shopify {mismatch['shopify']} vs ERP {mismatch['erp']}", "red")
    if report.get("payouts"):
        print_payouts(report["payouts"], console)
    if report.get("month"):
        print_month(report["month"], console)
    if report.get("verify"):
        print_verify(report["verify"], console)
    if report["settled"]:
        say(console, "Settled.")
    else:
        say(console, "Not settled within the time allowed.", "red")


def _print_post_purchase(report: dict[str, Any], console: Console) -> None:
    after, currency, ledger = report["post_purchase"], report["shopify"]["currency"], report["ledger"]
    cancelled = ledger.get("cancelled", 0) + ledger.get("cancelled_unposted", 0)
    say(
        console,
        f"Post-purchase: {report['traded'].get('follow_ups_done', 0)} follow-ups traded; "
        f"{after['edits_applied']} edits applied to {after['sales_amended']} ERP sales; "
        f"{cancelled} orders cancelled ({ledger.get('cancelled', 0)} ERP sales cancelled); "
        f"{after['credit_notes_posted']} credit notes posted totalling {after['credited_total']} {currency}"
        + (
            f"; {after['refunds_covered_by_cancellation']} refunds covered by a cancellation"
            if after["refunds_covered_by_cancellation"]
            else ""
        ),
    )
    mismatched = after["per_order_mismatches"]
    agreeing = after["orders_accounted"] - sum(1 for m in mismatched if m["shopify"] != "none")
    say(
        console,
        f"Per order: ERP sale − credit notes = Shopify's current total to the cent for {agreeing} of "
        f"{after['orders_accounted']} orders sold or cancelled (ERP {after['erp_less_credit_notes']}, Shopify "
        f"{after['shopify_current_total']} {currency})",
    )
    for mismatch in after["per_order_mismatches"]:
        say(
            console,
            f"  {mismatch['order']}: ERP sale − credit notes {mismatch['erp']} vs Shopify {mismatch['shopify']}",
            "red",
        )


def _exit_on_sigterm() -> None:
    # SIGTERM unwinds like Ctrl-C, so the stack's processes are stopped on the way out.
    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def run_demo(
    dir: Path, *, orders: int, seed: int, until_settled: bool, quiet: bool, erp: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`erp`: StackOptions' erp keys (erp, erp_server, erp_workers); the embedded SQLite Tryton by default."""
    _exit_on_sigterm()
    console = terminal.console(stderr=True, quiet=quiet)
    # The sandbox on its own clock, moving 4 times faster than real time, so that a week can be skipped once the
    # orders are in and Shopify Payments pays out; trueup books the payouts ([payments] on).
    started = datetime.now(UTC)
    options = StackOptions(dir=dir, seed=seed, clock_start=started, payments=True, **(erp or {}))
    stack = LocalStack(options, say=lambda line: say(console, f"• {line}"))
    with stack, stack.clock_moving():
        say(console, f"• Trading {orders} orders through the sandbox's Admin API")
        traded = stack.trade(orders, seed, follow_ups=True, speed=TRADING_SPEED)
        if not until_settled:
            say(console, f"\nRunning. Shopify sandbox: {stack.sandbox_url}; trueup: {stack.service_url}")
            say(console, f"Look: trueup status --config {stack.config_path}    (logs in {stack.dir / 'logs'})")
            say(console, "Ctrl-C to stop.")
            with contextlib.suppress(KeyboardInterrupt):
                threading.Event().wait()
            return {"settled": False}
        with terminal.spinner(console, "Waiting for every order to be posted or parked...") as spinner:
            settled = stack.wait_settled(
                SETTLE_TIMEOUT_SECONDS, lambda left: spinner.update(text(f"Waiting: {left} order(s) not yet settled"))
            )
        with terminal.spinner(console, "Moving the sandbox a week on: Shopify Payments pays out, trueup books..."):
            payouts = pay_out_and_book(stack)
        with terminal.spinner(console, "Reading the ERP: trueup verify checks every posted order's documents..."):
            verified = stack.verify()
        report = build_report(stack, settled, traded, payouts, verified)
        with terminal.spinner(console, "The month view: Shopify against the ERP's books..."):
            report["month"] = month_close(stack, started.strftime("%Y-%m"))
    print_report(report, console)
    return report
