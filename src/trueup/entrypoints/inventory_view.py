"""The stock part of `trueup status` for people."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from trueup.entrypoints.terminal import say, table


def render_stock(summary: dict[str, Any], console: Console) -> None:
    issues = summary.get("issues") or []
    if issues:
        rows = []
        for group in issues:
            example = group["examples"][0] if group["examples"] else {"sku": "", "where": "", "detail": ""}
            rows.append((group["cause"], group["count"], group["what_to_do"], example["detail"]))
        console.print(table("Stock: what trueup cannot do by itself", ("cause", "items", "what to do", "e.g."), rows))
    if summary.get("open_drift"):
        say(
            console,
            f"Stock drift left open by the last reconciliation: {summary['open_drift']} level(s) "
            "(`trueup inventory reconcile` shows and fixes them)",
            "yellow",
        )
