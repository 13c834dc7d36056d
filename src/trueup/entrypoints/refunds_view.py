"""The refunds part of `trueup status` for people."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table


def render_refunds(summary: Mapping[str, Any], console: Console) -> None:
    if not summary:
        return
    states = ", ".join(f"{state} {count}" for state, count in summary["by_state"].items())
    console.print(f"Refunds: {states}")
    for currency, amount in summary["credited"].items():
        console.print(f"Credited by credit notes in {currency}: {amount}")
    if summary["exceptions"]:
        parked = Table(title="Refunds parked, by cause")
        for column in ("cause", "refunds", "what to do", "e.g."):
            parked.add_column(column)
        for group in summary["exceptions"]:
            example = group["examples"][0] if group["examples"] else ""
            parked.add_row(group["cause"], str(group["count"]), group["what_to_do"], example)
        console.print(parked)
    for line in summary["waiting"]:
        console.print(f"[yellow]{line}[/yellow]")
    for line in summary["latest"]:
        console.print(line)
