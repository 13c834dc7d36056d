"""`trueup status` for people: each shop on its own (the stuck things first), then what every shop shares."""

from __future__ import annotations

from rich.console import Console

from trueup.entrypoints.completeness_view import render_completeness
from trueup.entrypoints.fulfilment_view import render_unfulfilled
from trueup.entrypoints.inventory_view import render_stock
from trueup.entrypoints.payouts_view import render_payouts
from trueup.entrypoints.post_purchase_view import render_post_purchase
from trueup.entrypoints.refunds_view import render_refunds
from trueup.entrypoints.tax_variances_view import render_tax_variances
from trueup.entrypoints.terminal import order_name, say, table
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
        rows = [(row["problem"], row["count"], row["what_to_do"]) for row in report.kept_not_understood]
        console.print(table("Deliveries kept but not understood", ("problem", "deliveries", "what to do"), rows))
    if report.refused_requests:
        _render_refused(report, console)


def _render_refused(report: StatusReport, console: Console) -> None:
    refused = ", ".join(f"{reason} {count}" for reason, count in report.refused_requests.items())
    say(console, f"Requests refused at the webhook endpoint: {refused}", "yellow")


def render_status(report: StatusReport, console: Console) -> None:
    """Each shop's report under its name; then, for several shops, what is counted over all of them."""
    sections = report.shops or [report]
    for section in sections:
        _render_shop(section, console)
    if len(sections) > 1:
        say(console, "Every shop", "bold")
        say(console, f"Orders: {_states(report.orders_by_state)}")
    say(
        console,
        f"Jobs waiting: {report.pending_jobs}; deliveries: {report.deliveries} "
        f"({report.duplicate_deliveries} duplicates)",
    )
    if report.shops and report.refused_requests:  # counted for the endpoint, not by shop
        _render_refused(report, console)


def _states(counts: dict[str, int]) -> str:
    return ", ".join(f"{state} {count}" for state, count in sorted(counts.items())) or "none"


def _render_shop(report: StatusReport, console: Console) -> None:
    if report.shop is not None:
        say(console, f"Shop {report.shop}", "bold")
    counts = [(state, count) for state, count in sorted(report.orders_by_state.items())]
    console.print(table("Orders by state", ("state", "orders"), counts))
    if report.exceptions:
        rows = []
        for group in report.exceptions:
            example = group.examples[0] if group.examples else {"order": "", "shop": "", "detail": ""}
            order = order_name(example["order"], example.get("shop", ""))
            rows.append((group.cause, group.count, group.what_to_do, f"{order}: {example['detail']}"))
        console.print(table("Exceptions by cause", ("cause", "orders", "what to do", "e.g."), rows))
    else:
        say(console, "No exceptions.")
    if report.oldest_stuck:
        stuck = report.oldest_stuck
        order = order_name(stuck.order, stuck.shop)
        say(console, f"Oldest stuck: {order} ({stuck.state}) for {_age(stuck.age_seconds)}")
    say(
        console,
        f"Last webhook: {_age(report.seconds_since_last_webhook)} ago"
        if report.seconds_since_last_webhook is not None
        else "Last webhook: none received yet",
    )
    work = report.order_work
    say(
        console,
        f"Order work waiting: {work.get('orders', 0)} (periodic jobs: {work.get('periodic', 0)}); deliveries: "
        f"{report.deliveries} ({report.duplicate_deliveries} duplicates)",
    )
    for row in report.waiting_orders:
        order = order_name(str(row["order"]), str(row["shop"]))
        cause = f": {row['cause']}" if row["cause"] else ""
        say(console, f"  {order} {row['state']} for {_age(float(str(row['age_seconds'])))}{cause}")
    render_intake(report, console)
    if report.documents_equal:
        equal = report.documents_equal
        say(console, f"Shopify = ERP to the cent for {equal['equal']} of {equal['of']} documents")
    render_completeness(report.completeness, console)
    for currency, sides in report.posted_totals.items():
        say(console, f"Posted {currency}: Shopify {sides['shopify']}, ERP {sides['erp']}")
    for currency, amount in report.charged_in_other_currencies.items():
        say(console, f"Charged in {currency} (posted in the shop currency): {amount}")
    for mismatch in report.total_mismatches:
        order = order_name(mismatch["order"], mismatch.get("shop", ""))
        say(console, f"Total differs on {order}: Shopify {mismatch['shopify']}, ERP {mismatch['erp']}", "red")
    render_unfulfilled(report.unfulfilled_shipments, console)
    render_post_purchase(report.held_orders, report.cancelled_orders, console)
    render_refunds(report.refunds, console)
    render_payouts(report.payouts, console)
    render_tax_variances(report.tax_variances, console)
    render_stock(report.stock, console)
