"""`trueup sandbox ...`: the Typer command group of the sandbox (`serve` here; `trade` from the trading package)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from shopify_sandbox.clock import ManualClock
from shopify_sandbox.config import DEFAULT_SECRET, DEFAULT_TOKEN, SECRET_ENV, TOKEN_ENV, SandboxConfig
from shopify_sandbox.oauth import SandboxApp
from shopify_sandbox.webhook_wiring import enable_webhook_delivery

sandbox_app = typer.Typer(name="sandbox", help="A faithful local Shopify Admin API sandbox.", no_args_is_help=True)


class ClockKind(StrEnum):
    system = "system"
    manual = "manual"


class PlanName(StrEnum):
    standard = "standard"
    advanced = "advanced"
    plus = "plus"
    enterprise = "enterprise"


@sandbox_app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8765,
    plan: Annotated[PlanName, typer.Option(help="Shopify plan: sets the rate-limit bucket.")] = PlanName.standard,
    seed: Annotated[int | None, typer.Option(help="Seed of the generated shop (same seed, same shop).")] = None,
    access_token: Annotated[
        str, typer.Option(help="The Admin API access token clients must send.", envvar=TOKEN_ENV)
    ] = DEFAULT_TOKEN,
    api_secret: Annotated[
        str, typer.Option(help="The app secret webhooks are signed with.", envvar=SECRET_ENV)
    ] = DEFAULT_SECRET,
    state_file: Annotated[
        Path | None, typer.Option(help="Keep the shop's state in this file (default: memory).")
    ] = None,
    variants: Annotated[
        int | None, typer.Option(help="Serve a large catalogue of this many tracked variants (inventory at scale).")
    ] = None,
    locations: Annotated[int, typer.Option(help="Locations of the large catalogue (1-5).")] = 3,
    clock: Annotated[
        ClockKind, typer.Option(help="manual: time moves only by POST /sandbox/clock/advance (`trade --days`).")
    ] = ClockKind.system,
    start: Annotated[
        str | None, typer.Option(help="With --clock manual: the sandbox's first instant (ISO 8601, UTC).")
    ] = None,
    domain: Annotated[
        str | None,
        typer.Option(help="The shop's myshopify domain instead of the generated one (several sandbox shops at once)."),
    ] = None,
    apps: Annotated[
        list[str] | None,
        typer.Option(
            "--app",
            help="An installed app CLIENT_ID:CLIENT_SECRET:scope,scope (client credentials), or with :public "
            "appended an app of another organisation (installs by authorization code). Repeatable.",
        ),
    ] = None,
) -> None:
    """Serve the Admin GraphQL API at http://HOST:PORT/admin/api/2026-10/graphql.json."""
    import uvicorn

    from shopify_sandbox.app import create_app
    from shopify_sandbox.faults import FaultInjector, FaultsMiddleware, faults_routes

    config = SandboxConfig(
        plan=plan.value, access_token=access_token, api_secret=api_secret, seed=seed, state_file=state_file
    )
    if clock is ClockKind.manual:
        config.clock = ManualClock(_start(start))
    elif start is not None:
        raise typer.BadParameter("--start needs --clock manual", param_hint="--start")
    config.catalogue_variants, config.catalogue_locations = variants, locations
    if domain is not None:
        if not domain.endswith(".myshopify.com"):
            raise typer.BadParameter("a myshopify domain, e.g. second-shop.myshopify.com", param_hint="--domain")
        config.shop_spec = dataclasses.replace(config.resolve_shop_spec(), myshopify_domain=domain)
    try:
        config.apps = tuple(SandboxApp.parse(text) for text in apps or ())
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--app") from error
    # One set of fault knobs for the API and the webhooks, switched at run time: POST /sandbox/faults.
    injector = FaultInjector()
    dispatcher = enable_webhook_delivery(config, faults=injector)
    app = create_app(config)
    app.router.routes.extend(faults_routes(injector))
    app.add_middleware(FaultsMiddleware, injector=injector)
    typer.echo(f"Shopify sandbox on http://{host}:{port}/admin/api/2026-10/graphql.json (plan {plan.value})")
    if dispatcher is not None:
        dispatcher.start()
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        if dispatcher is not None:
            dispatcher.stop()


def _start(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise typer.BadParameter(f"not an ISO 8601 instant: {value}", param_hint="--start") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@sandbox_app.command()
def payouts(
    url: Annotated[str, typer.Option(help="The sandbox's base URL, e.g. http://127.0.0.1:8765.")],
    status: Annotated[str | None, typer.Option(help="Only payouts in this status (SCHEDULED, PAID, ...).")] = None,
    transactions: Annotated[bool, typer.Option(help="List each payout's balance transactions too.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the sandbox's Shopify Payments payouts (and their transactions), with the balance still to pay out."""
    from shopify_sandbox.payments_cli import show_payouts

    show_payouts(url, status, transactions, as_json)


@sandbox_app.command()
def faults(
    url: Annotated[str, typer.Option(help="The sandbox's base URL, e.g. http://127.0.0.1:8765.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the fault knobs in force and how many faults of each kind the sandbox has injected."""
    from shopify_sandbox.faults_cli import show_faults

    show_faults(url, as_json)


def _register_trade() -> None:
    # The `trade` command lives with the trading generator (another package); the sandbox runs without it.
    try:
        from shopify_sandbox.trading.cli import register
    except ImportError:
        return
    register(sandbox_app)


_register_trade()
