"""Payouts for people: the table of `trueup payouts`, its CSV, and the payouts part of `trueup status`."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console

from trueup.entrypoints.terminal import say, table

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
