"""Payouts for people: the table of `trueup payouts`, its CSV, and the payouts part of `trueup status`."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console

from trueup.domain.clearing import ClearingExplanation
from trueup.entrypoints.terminal import say, table

if TYPE_CHECKING:
    from trueup.config import TrueupConfig

OVERDUE_DAYS_HINT = "[payments] overdue_business_days"

COLUMNS = (
    "payout",
    "issued",
    "status",
    "currency",
    "charges",
    "refunds",
    "fees",
    "adjustments",
    "disputes",
    "reserves",
    "retried",
    "net",
    "state",
    "erp_entry",
)


def render_payout_table(rows: Sequence[Mapping[str, str]], console: Console) -> None:
    if not rows:
        say(console, "No payouts in that period.")
        return
    console.print(table("Shopify Payments payouts", COLUMNS, ([row[c] for c in COLUMNS] for row in rows)))
    for row in rows:
        if row["cause"]:
            say(console, f"payout {row['payout']} not booked: {row['cause']}: {row['detail']}", "red")
        if row["returned_entry"]:
            say(console, f"payout {row['payout']} {row['status'].lower()} after booking: entry {row['returned_entry']}")


def payouts_csv(rows: Sequence[Mapping[str, str]]) -> str:
    """The rows as CSV, every column, header first."""
    out = io.StringIO()
    fields = list(rows[0]) if rows else ["shop", "payout", "issued", "status", "currency", "net", "state"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def render_payouts(summary: Mapping[str, Any], console: Console) -> None:
    """The payouts part of `trueup status`."""
    if not summary:
        return
    states = ", ".join(f"{state} {count}" for state, count in summary["by_state"].items())
    say(console, f"Payouts: {states}")
    for currency, amount in summary["paid_to_bank"].items():
        say(console, f"Paid out to the bank in {currency}: {amount} (fees {summary['fees'].get(currency, '0')})")
    if summary["exceptions"]:
        rows = [
            (group["cause"], group["count"], group["what_to_do"], group["examples"][0] if group["examples"] else "")
            for group in summary["exceptions"]
        ]
        console.print(table("Payouts not booked, by cause", ("cause", "payouts", "what to do", "e.g."), rows))
    render_overdue(summary, console)


def render_overdue(summary: Mapping[str, Any], console: Console) -> None:
    """The captures in no payout after N business days, and what to do."""
    overdue = summary.get("overdue_captures") or []
    if not overdue:
        return
    say(console, f"Captured but in no payout past {OVERDUE_DAYS_HINT}: {len(overdue)}", "yellow")
    for item in overdue:
        say(console, f"  {item['shop']} {item['capture']}")
    say(console, f"  What to do: {summary['overdue_what_to_do']}")


def build_clearing_view(cfg: TrueupConfig, shop: str | None = None) -> list[ClearingExplanation]:
    """The clearing accounts explained for every configured shop (or `shop`), wired from the configuration."""
    from trueup import bootstrap
    from trueup.entrypoints.month_view import close_all
    from trueup.service_layer.clearing_view import ShopPayments, clearing_view

    store = bootstrap.build_store(cfg)
    try:
        vault = bootstrap.build_token_vault(cfg)
        clients = {s.domain: bootstrap.build_shopify(s, cfg, vault) for s in cfg.shops if shop in (None, s.domain)}
        shops = [ShopPayments(domain, client.payments) for domain, client in clients.items()]
        books = bootstrap.build_accounting(cfg)
        try:
            return clearing_view(shops, store, books, bootstrap.payout_accounts(cfg))
        finally:
            close_all([books, *clients.values()])
    finally:
        store.close()


def render_clearing(explanations: Sequence[ClearingExplanation], console: Console) -> None:
    """`trueup clearing`: each clearing account, its lines not paid out yet, and its differences named."""
    for e in explanations:
        verdict = "explained to the cent" if e.explained else f"unexplained {e.unexplained.amount}"
        say(
            console,
            f"{e.account} ({e.gateway} {e.currency}): ERP balance {e.balance.amount}, Shopify not paid out "
            f"{e.not_paid_out.amount} in {len(e.lines)} transaction(s): {verdict}",
            "green" if e.explained else "red",
        )
        if e.lines:
            rows = [
                (
                    line.gateway,
                    line.amount.currency,
                    line.order,
                    line.type,
                    str(line.amount.amount),
                    "yes" if line.booked else f"no: {line.why}",
                )
                for line in e.lines
            ]
            console.print(
                table(
                    f"{e.account}: not paid out yet",
                    ("gateway", "currency", "order", "type", "amount", "in the ERP"),
                    rows,
                )
            )
        for difference in e.differences():
            say(console, f"  {difference}", "yellow")
