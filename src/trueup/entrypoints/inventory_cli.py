"""`trueup inventory`: a full stock reconciliation on command, with its drift report; one SKU explained."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from trueup.entrypoints import terminal
from trueup.entrypoints.terminal import say, table

if TYPE_CHECKING:
    from trueup.config import TrueupConfig
    from trueup.service_layer.inventory import StockContext, StockPass

inventory_app = typer.Typer(name="inventory", help="Stock from the ERP to Shopify.", no_args_is_help=True)

ConfigOption = Annotated[
    Path, typer.Option("--config", "-c", envvar="TRUEUP_CONFIG", help="The TOML configuration file.")
]
ShopOption = Annotated[str | None, typer.Option(help="Only this shop (its myshopify domain).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _configure_logging() -> None:
    from trueup.entrypoints.logging_setup import configure_logging

    # Logs go to stderr (warnings only, unless TRUEUP_LOG_LEVEL says otherwise): stdout is the report.
    configure_logging(os.environ.get("TRUEUP_LOG_LEVEL", "WARNING"))


def _contexts(config: Path, shop: str | None) -> dict[str, StockContext]:
    """Each shop's stock context, with the shops sharing its warehouses (a reconciliation covers them all)."""
    from trueup import bootstrap
    from trueup.config import load_config

    cfg: TrueupConfig = load_config(config)
    policies = bootstrap.stock_policies(cfg)
    if not policies:
        raise typer.BadParameter("[inventory] is not enabled in the configuration", param_hint="--config")
    if shop is not None and shop not in policies:
        raise typer.BadParameter(f"no shop {shop} in the configuration", param_hint="--shop")
    contexts = bootstrap.stock_contexts(cfg, bootstrap.build_store(cfg))
    return {domain: ctx for domain, ctx in contexts.items() if shop in (None, domain)}


@inventory_app.command("reconcile")
def reconcile_command(
    config: ConfigOption = Path("trueup.toml"),
    shop: ShopOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report the drift, write nothing.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Compare every mapped level in Shopify with what it should be, write only the differences, report the
    drift (which SKU, where, by how much, since when) and what trueup cannot do by itself."""
    from trueup.service_layer.inventory import check_locations
    from trueup.service_layer.stock_reconcile import reconcile

    _configure_logging()
    err = terminal.console(stderr=True)
    report: dict[str, Any] = {}
    for domain, ctx in _contexts(config, shop).items():
        with terminal.spinner(err, f"{domain}: checking locations, reading every level, computing targets…"):
            check_locations(ctx.shopify, ctx.policy)
            outcome = reconcile(ctx, write=not dry_run)
        report[domain] = _as_json(outcome, ctx.clock.now())
        if not as_json:
            _render(domain, outcome, ctx.clock.now(), terminal.console(), dry_run=dry_run)
    if as_json:
        print(json.dumps(report, indent=2))


@inventory_app.command("show")
def show_command(
    sku: Annotated[str, typer.Argument(help="The SKU to explain.")],
    config: ConfigOption = Path("trueup.toml"),
    shop: ShopOption = None,
    as_json: JsonOption = False,
) -> None:
    """Why Shopify shows what it shows for SKU: Shopify's committed, ERP available, unposted demand, ERP on hand,
    buffer, target, last set."""
    from trueup.service_layer.inventory_explain import explain_sku

    _configure_logging()
    report = {
        domain: [row.to_json() for row in explain_sku(ctx, sku)] for domain, ctx in _contexts(config, shop).items()
    }
    if as_json:
        print(json.dumps(report, indent=2))
        return
    columns = "location|warehouse|Shopify|committed|ERP available|unposted|ERP on hand|buffer|target|last set"
    for domain, rows in report.items():
        cells = [
            (
                row["location_id"],
                row["warehouse"],
                _figure(row["shopify"]),
                _figure(row["shopify_committed"]),
                _figure(row["erp_available"]),
                row["unposted_demand"],
                _figure(row["erp_on_hand"]),
                row["buffer"],
                _figure(row["target"]),
                f"{row['last_set']} at {row['last_set_at']}" if row["last_set"] is not None else "never",
            )
            for row in rows
        ]
        terminal.console().print(table(f"{sku} in {domain}", columns.split("|"), cells))


def _figure(value: int | None) -> str:
    return "—" if value is None else str(value)


def _as_json(outcome: StockPass, now: datetime) -> dict[str, Any]:
    return {
        "levels_read": outcome.levels_read,
        "written": len(outcome.written),
        "still_stale": len(outcome.still_stale),
        "drift": [
            {
                "sku": d.sku,
                "location_id": d.location_id,
                "shopify": d.shopify,
                "target": d.target,
                "difference": d.difference,
                "since": d.since.isoformat(),
                "for_seconds": (now - d.since).total_seconds(),
            }
            for d in outcome.drift
        ],
        "issues": [
            {"cause": i.cause, "sku": i.sku, "location": i.location, "detail": i.detail} for i in outcome.issues
        ],
    }


def _render(domain: str, outcome: StockPass, now: datetime, console: Console, *, dry_run: bool) -> None:
    verb = "would be written" if dry_run else "written"
    say(
        console,
        f"{domain}: {outcome.levels_read} level(s) compared, {len(outcome.drift)} drifted, "
        f"{len(outcome.written)} {verb}, {len(outcome.still_stale)} changed in Shopify meanwhile (next pass)",
    )
    if outcome.drift:
        rows = [
            (
                d.sku,
                d.location_id,
                d.shopify,
                d.target,
                f"{d.difference:+d}",
                f"{d.since:%Y-%m-%d %H:%M} ({(now - d.since).total_seconds() / 60:.0f} min)",
            )
            for d in outcome.drift
        ]
        console.print(table("Drift found", ("SKU", "location", "Shopify", "should be", "difference", "since"), rows))
    if outcome.issues:
        from trueup.domain.errors import WHAT_TO_DO, Cause

        issues = [(i.cause, i.sku, i.location, i.detail, WHAT_TO_DO.get(Cause(i.cause), "")) for i in outcome.issues]
        columns = ("cause", "SKU", "where", "detail", "what to do")
        console.print(table("What trueup cannot do by itself", columns, issues))
