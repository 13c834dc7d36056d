"""`trueup sandbox payouts`: the sandbox's payouts and balance, read from its `/sandbox/payments` endpoints."""

from __future__ import annotations

import json
from typing import Any

import httpx
import typer
from rich.console import Console
from rich.table import Table


def get_json(url: str, path: str) -> dict[str, Any]:
    try:
        response = httpx.get(f"{url.rstrip('/')}{path}", timeout=30.0)
    except httpx.TransportError as error:
        typer.echo(f"the sandbox at {url} cannot be reached: {type(error).__name__}", err=True)
        raise typer.Exit(1) from error
    if response.status_code != 200:
        typer.echo(f"the sandbox answered {response.status_code} to {path}", err=True)
        raise typer.Exit(1)
    body: dict[str, Any] = response.json()
    return body


def show_payouts(url: str, status: str | None, with_transactions: bool, as_json: bool) -> None:
    query = f"?status={status.upper()}" if status else ""
    payouts = get_json(url, f"/sandbox/payments/payouts{query}")["payouts"]
    account = get_json(url, "/sandbox/payments")
    if as_json:
        typer.echo(json.dumps({"account": account, "payouts": payouts}, indent=2))
        return
    console = Console()
    table = Table(title=f"Shopify Payments payouts (sandbox time {account['now']})")
    for column in ("payout", "issued", "status", "net", "charges", "refunds", "adjustments", "reserves", "retried"):
        table.add_column(column, justify="right" if column not in ("payout", "issued", "status") else "left")
    for payout in payouts:
        summary = payout["summary"]

        def net(kind: str, s: dict[str, str] = summary) -> str:
            return f"{float(s[kind + 'Gross']) - float(s[kind + 'Fee']):.2f}"

        table.add_row(
            payout["legacyResourceId"],
            (payout["issuedAt"] or "")[:10],
            payout["status"],
            f"{payout['net']} {payout['currency']}",
            net("charges"),
            net("refunds"),
            net("adjustments"),
            net("reservedFunds"),
            net("retriedPayouts"),
        )
    console.print(table, markup=False)
    balances = ", ".join(f"{amount} {currency}" for currency, amount in account["balance"].items())
    console.print(f"balance not yet paid out: {balances}", markup=False, highlight=False)
    if with_transactions:
        for payout in payouts:
            console.print(f"payout {payout['legacyResourceId']}:", markup=False, highlight=False)
            for t in payout["transactions"]:
                money = f"{t['amount']:>10} {t['fee']:>8} {t['net']:>10} {t['currency']}"
                line = f"  {t['type']:<24} {money} {t['order'] or ''}"
                console.print(line, markup=False, highlight=False)
