"""The stock part of `trueup status` for people."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def render_stock(summary: dict[str, Any], console: Console) -> None:
    issues = summary.get("issues") or []
    if issues:
        table = Table(title="Stock: what trueup cannot do by itself")
        for column in ("cause", "items", "what to do", "e.g."):
            table.add_column(column)
        for group in issues:
            example = group["examples"][0] if group["examples"] else {"sku": "", "where": "", "detail": ""}
            table.add_row(group["cause"], str(group["count"]), group["what_to_do"], example["detail"])
        console.print(table)
    if summary.get("open_drift"):
        console.print(
            f"[yellow]Stock drift left open by the last reconciliation: {summary['open_drift']} level(s) "
            "(`trueup inventory reconcile` shows and fixes them)[/yellow]"
        )
