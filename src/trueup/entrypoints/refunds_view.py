"""The refunds part of `trueup status` for people."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console

from trueup.entrypoints.terminal import say, table


def render_refunds(summary: Mapping[str, Any], console: Console) -> None:
    if not summary:
        return
    states = ", ".join(f"{state} {count}" for state, count in summary["by_state"].items())
    say(console, f"Refunds: {states}")
    for currency, amount in summary["credited"].items():
        say(console, f"Credited by credit notes in {currency}: {amount}")
    if summary["exceptions"]:
        rows = [
            (group["cause"], group["count"], group["what_to_do"], group["examples"][0] if group["examples"] else "")
            for group in summary["exceptions"]
        ]
        console.print(table("Refunds parked, by cause", ("cause", "refunds", "what to do", "e.g."), rows))
    for line in summary["waiting"]:
        say(console, line, "yellow")
    for line in summary["latest"]:
        say(console, line)
