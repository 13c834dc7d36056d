"""Tax variances for people: the tax part of `trueup status`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console

from trueup.entrypoints.terminal import order_name, say, table


def render_tax_variances(summary: Mapping[str, Any], console: Console) -> None:
    """How many orders posted with Shopify's tax where the ERP's rate gives another figure, the sums per
    currency, per ERP tax, the latest few, and what to do."""
    if not summary:
        return
    say(
        console,
        f"Tax variances: {summary['count']} on {summary['orders']} order(s) posted with Shopify's tax, "
        "where the ERP's rate gives another figure (a refund's credit note: negative, credited)",
        "yellow",
    )
    for currency, sums in summary["by_currency"].items():
        say(
            console,
            f"  {currency}: Shopify charged {sums['shopify']}, the ERP's rates give {sums['erp']}, "
            f"difference {sums['difference']}",
        )
    rows = [
        (
            order_name(row["order"], row["shop"]),
            row["on"],
            row["tax"],
            row["rate"],
            f"{row['shopify']} {row['currency']}",
            f"{row['erp']} {row['currency']}",
            f"{row['difference']} {row['currency']}",
        )
        for row in summary["latest"]
    ]
    columns = ("order", "on", "ERP tax", "Shopify tax", "Shopify", "ERP", "difference")
    console.print(table("Latest tax variances", columns, rows))
    say(console, f"What to do: {summary['what_to_do']}")
