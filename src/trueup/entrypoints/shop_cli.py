"""`trueup shop check` and `trueup shop connect`: is each shop ready for trueup, and its webhooks made so."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from trueup.entrypoints import terminal
from trueup.entrypoints.terminal import say, table

if TYPE_CHECKING:
    from trueup.service_layer.shop_connection import ShopReport

shop_app = typer.Typer(
    name="shop", help="Check a shop and connect it: credentials, scopes, webhooks.", no_args_is_help=True
)

ConfigOption = Annotated[
    Path, typer.Option("--config", "-c", envvar="TRUEUP_CONFIG", help="The TOML configuration file.")
]
ShopOption = Annotated[str | None, typer.Option(help="Only this shop (its myshopify domain).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _run(config: Path, shop: str | None, *, apply: bool, dry_run: bool, as_json: bool) -> None:
    from trueup import bootstrap
    from trueup.config import load_config
    from trueup.entrypoints.logging_setup import configure_logging
    from trueup.service_layer.shop_connection import check_shop, connect_shop

    configure_logging(os.environ.get("TRUEUP_LOG_LEVEL", "WARNING"))
    cfg = load_config(config)
    shops = [s for s in cfg.shops if shop in (None, s.domain)]
    if not shops:
        raise typer.BadParameter(f"no shop {shop} in the configuration", param_hint="--shop")
    bootstrap.build_store(cfg).close()  # the schema is up to date before a token is kept in it
    vault = bootstrap.build_token_vault(cfg)
    err = terminal.console(stderr=True, quiet=as_json)
    reports: list[ShopReport] = []
    for shop_config in shops:
        client = bootstrap.build_shopify(shop_config, cfg, vault)
        target = bootstrap.shop_target(shop_config, cfg)
        try:
            with terminal.spinner(err, f"{shop_config.domain}: credentials, scopes, locations, webhooks…"):
                if apply:
                    report = connect_shop(client, target, dry_run=dry_run, progress=lambda line: say(err, line))
                else:
                    report = check_shop(client, target)
        finally:
            client.close()
        reports.append(report)
        if not as_json:
            render(report, terminal.console(), dry_run=dry_run or not apply)
    if as_json:
        print(json.dumps({"shops": [r.to_json() for r in reports]}, indent=2))
    if not all(r.ready for r in reports):
        raise typer.Exit(1)


@shop_app.command("check")
def check_command(
    config: ConfigOption = Path("trueup.toml"), shop: ShopOption = None, as_json: JsonOption = False
) -> None:
    """Check each shop, changing nothing: credentials and API version, the scopes the enabled features need,
    the location mapping, and the webhook subscriptions `shop connect` would make. Exit 1 if anything is to fix."""
    _run(config, shop, apply=False, dry_run=True, as_json=as_json)


@shop_app.command("connect")
def connect_command(
    config: ConfigOption = Path("trueup.toml"),
    shop: ShopOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change, change nothing.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Check each shop, then create, move (to `server.public_url`) or remove trueup's own webhook subscriptions;
    the app's other subscriptions are left alone. Running it again changes nothing."""
    _run(config, shop, apply=True, dry_run=dry_run, as_json=as_json)


def render(report: ShopReport, out: Console, *, dry_run: bool) -> None:
    status = ("ready", "green") if report.ready else ("not ready", "red")
    say(out, f"{report.shop}: {status[0]}", status[1])
    if report.problem:
        say(out, f"  {report.problem}", "red")
    if report.api_version:
        say(out, f"  API version {report.api_version}")
    if report.version_problem:
        say(out, f"  {report.version_problem}", "red")
    if report.granted:
        say(out, f"  scopes granted: {', '.join(sorted(report.granted))}")
    if report.missing:
        missing = [(need.scope, need.why) for need in report.missing]
        title = "Missing scopes (add them to the app's configuration, then reinstall)"
        out.print(table(title, ["scope", "why"], missing))
    for problem in report.location_problems:
        say(out, f"  location: {problem}", "red")
    if report.webhooks_checked:
        if not report.changes:
            say(out, "  webhooks: up to date")
        else:
            verb = "would" if dry_run else "done:"
            changes = [
                (
                    f"{verb} {c.action.value}",
                    c.topic,
                    c.uri if c.previous_uri is None else f"{c.previous_uri} → {c.uri}",
                )
                for c in report.changes
            ]
            out.print(table("Webhook subscriptions", ["change", "topic", "address"], changes))
        for other in report.left_alone:
            say(out, f"  left alone (not trueup's address): {other.topic} {other.uri}")
