"""The completeness check's open findings for people: their part of `trueup status`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console

from trueup.entrypoints.terminal import order_name, say, table


def render_completeness(summary: Mapping[str, Any], console: Console) -> None:
    """How many findings the completeness check left open, per kind with what to do and the first few."""
    if not summary:
        return
    checked = f" (last run over the shop {summary['checked_at']})" if summary.get("checked_at") else ""
    if not summary["open"]:
        say(console, f"Completeness check: no open finding{checked}")
        return
    say(console, f"Completeness check: {summary['open']} open finding(s), Shopify ≠ ERP{checked}", "red")
    rows = [
        (
            group["kind"],
            group["count"],
            group["what_to_do"],
            "; ".join(f"{order_name(e['order'], e['shop'])}: {e['detail']}" for e in group["examples"]),
        )
        for group in summary["by_kind"]
    ]
    console.print(table("Open findings by kind", ("kind", "findings", "what to do", "first found"), rows))
