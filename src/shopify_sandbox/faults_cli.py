"""`trueup sandbox faults`: the fault knobs in force and how many faults of each kind were injected."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from shopify_sandbox.payments_cli import get_json


def show_faults(url: str, as_json: bool) -> None:
    knobs = get_json(url, "/sandbox/faults")
    injected = get_json(url, "/sandbox/faults/injected")
    if as_json:
        typer.echo(json.dumps({"knobs": knobs, "injected": injected}, indent=2))
        return
    console = Console()
    table = Table(title="Faults injected since the sandbox started")
    table.add_column("fault")
    table.add_column("injected", justify="right")
    for kind, count in injected.items():
        table.add_row(kind, str(count))
    console.print(table, markup=False)
    rates = ", ".join(f"{name} {value}" for name, value in knobs.items() if name.endswith("_rate") and value)
    console.print(f"knobs in force: {rates or 'none (no faults)'}", markup=False, highlight=False)
