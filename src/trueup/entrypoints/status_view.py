"""`trueup status` for people: a few tables, the stuck things first."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from trueup.entrypoints.fulfilment_view import render_unfulfilled
from trueup.entrypoints.inventory_view import render_stock
from trueup.entrypoints.post_purchase_view import render_post_purchase
from trueup.entrypoints.refunds_view import render_refunds
from trueup.service_layer.status import StatusReport


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def render_intake(report: StatusReport, console: Console) -> None:
    """Deliveries kept but not understood, with what to do; requests refused at the door."""
    if report.kept_not_understood:
        kept = Table(title="Deliveries kept but not understood")
        for column in ("problem", "deliveries", "what to do"):
            kept.add_column(column)
        for row in report.kept_not_understood:
            kept.add_row(escape(str(row["problem"])), str(row["count"]), escape(str(row["what_to_do"])))
        console.print(kept)
    if report.refused_requests:
        refused = ", ".join(f"{escape(reason)} {count}" for reason, count in report.refused_requests.items())
        console.print(f"Requests refused at the webhook endpoint: {refused}")


def render_status(report: StatusReport, console: Console) -> None:
    states = Table(title="Orders by state")
    states.add_column("state")
    states.add_column("orders", justify="right")
    for state, count in sorted(report.orders_by_state.items()):
        states.add_row(state, str(count))
    console.print(states)
    if report.exceptions:
        problems = Table(title="Exceptions by cause")
        for column in ("cause", "orders", "what to do", "e.g."):
            problems.add_column(column)
        for group in report.exceptions:
            example = group.examples[0] if group.examples else {"order": "", "detail": ""}
            problems.add_row(
                group.cause, str(group.count), group.what_to_do, f"{example['order']}: {example['detail']}"
            )
        console.print(problems)
    else:
        console.print("No exceptions.")
    if report.oldest_stuck:
        stuck = report.oldest_stuck
        console.print(f"Oldest stuck: {stuck.order} ({stuck.state}) for {_age(stuck.age_seconds)}")
    console.print(
        f"Last webhook: {_age(report.seconds_since_last_webhook)} ago"
        if report.seconds_since_last_webhook is not None
        else "Last webhook: none received yet"
    )
    console.print(
        f"Jobs waiting: {report.pending_jobs}; deliveries: {report.deliveries} "
        f"({report.duplicate_deliveries} duplicates)"
    )
    render_intake(report, console)
    for currency, sides in report.posted_totals.items():
        console.print(f"Posted {currency}: Shopify {sides['shopify']}, ERP {sides['erp']}")
    for currency, amount in report.charged_in_other_currencies.items():
        console.print(f"Charged in {currency} (posted in the shop currency): {amount}")
    for mismatch in report.total_mismatches:
        console.print(
            f"[red]Total differs on {mismatch['order']}: Shopify {mismatch['shopify']}, ERP {mismatch['erp']}[/red]"
        )
    render_unfulfilled(report.unfulfilled_shipments, console)
    render_post_purchase(report.held_orders, report.cancelled_orders, console)
    render_refunds(report.refunds, console)
    render_stock(report.stock, console)
