"""The `trade` command: play N orders (or M minutes of a profile) against a running sandbox."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shopify_sandbox.config import TOKEN_ENV
from shopify_sandbox.trading.catalogue import generate_shop
from shopify_sandbox.trading.curve import PROFILES
from shopify_sandbox.trading.graphql_client import AdminGraphQL, TradeError
from shopify_sandbox.trading.plan import generate_trading
from shopify_sandbox.trading.player import TradePlayer, TradeSummary, Unresolved


def trade(
    url: Annotated[str, typer.Option(help="The sandbox's base URL, e.g. http://127.0.0.1:8080.")],
    access_token: Annotated[str, typer.Option(help="The sandbox's Admin API access token.", envvar=TOKEN_ENV)],
    orders: Annotated[int | None, typer.Option(help="Place this many orders (default 50).", min=1)] = None,
    minutes: Annotated[float | None, typer.Option(help="Or trade this many minutes of the profile.", min=0)] = None,
    days: Annotated[
        int | None,
        typer.Option(
            help="Or play this many days on the sandbox's manual clock, with payout runs, captures, payments on "
            "terms, gift cards, PayPal, chargebacks, a reserve and a failed payout (12 orders a day by default).",
            min=7,
        ),
    ] = None,
    profile: Annotated[str, typer.Option(help=f"Orders-per-minute curve: {', '.join(PROFILES)}.")] = "ordinary",
    seed: Annotated[int, typer.Option(help="Seed of the trading plan.")] = 1,
    shop_seed: Annotated[
        int | None, typer.Option(help="Seed the sandbox's shop was generated with (default: --seed).")
    ] = None,
    speed: Annotated[
        float, typer.Option(help="Pace: 1 is real time, 60 a minute per second, 0 as fast as possible.")
    ] = 0.0,
    follow_ups: Annotated[
        bool, typer.Option(help="Also edit, cancel, refund and re-address some orders, as customers do.")
    ] = True,
    skus: Annotated[
        str | None, typer.Option(help="Comma-separated SKUs: orders buy only these (a run on a few fast sellers).")
    ] = None,
    api_version: Annotated[str, typer.Option(help="Admin API version.")] = "2026-10",
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Trade against a running sandbox through Shopify's Admin GraphQL API, obeying its rate limits."""
    if orders is not None and minutes is not None:
        raise typer.BadParameter("give --orders or --minutes, not both")
    if days is not None:
        if minutes is not None:
            raise typer.BadParameter("give --days or --minutes, not both")
        _trade_month(url, access_token, days, orders, seed, shop_seed, api_version, as_json)
        return
    if profile not in PROFILES:
        raise typer.BadParameter(f"--profile must be one of {', '.join(PROFILES)}")
    shop = generate_shop(seed if shop_seed is None else shop_seed)
    if minutes is None and orders is None:
        orders = 50
    only = [sku.strip() for sku in skus.split(",") if sku.strip()] if skus is not None else None
    try:
        plan = generate_trading(
            seed, shop, orders=orders, minutes=minutes, profile=profile, follow_ups=follow_ups, skus=only
        )
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--skus") from error
    client = AdminGraphQL(url, access_token, api_version=api_version)
    player = TradePlayer(client, speed=speed)
    console = Console(stderr=as_json)
    try:
        player.load_ids()
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=as_json,
        ) as progress:
            task = progress.add_task(f"trading ({profile})", total=len(plan))
            summary = player.play(plan, on_action=lambda _action: progress.advance(task))
    except (TradeError, Unresolved) as error:
        console.print(f"[red]trade stopped:[/red] {escape(str(error))}")
        raise typer.Exit(1) from error
    finally:
        client.close()
    if as_json:
        typer.echo(json.dumps(summary.to_json(), indent=2))
    else:
        _print_summary(console, summary)
    if summary.orders_placed == 0:
        raise typer.Exit(1)


def _trade_month(
    url: str,
    access_token: str,
    days: int,
    orders: int | None,
    seed: int,
    shop_seed: int | None,
    api_version: str,
    as_json: bool,
) -> None:
    from shopify_sandbox.trading.month import generate_month
    from shopify_sandbox.trading.month_player import MonthPlayer, SandboxControl

    shop = generate_shop(seed if shop_seed is None else shop_seed)
    try:
        plan = generate_month(seed, shop, days=days, orders=orders)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--orders") from error
    control = SandboxControl(url)
    # A throttled request waits on the sandbox's own clock: the bucket refills only as that clock moves.
    client = AdminGraphQL(url, access_token, api_version=api_version, sleep=control.advance)
    console = Console(stderr=as_json)
    try:
        control.advance(0)  # fails at once, saying so, when the sandbox's clock is not manual
        player = TradePlayer(client)
        player.load_ids()
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=as_json,
        ) as progress:
            task = progress.add_task(f"trading {days} days", total=len(plan.actions) + len(plan.events))
            summary = MonthPlayer(player, control).play(plan, on_step=lambda: progress.advance(task))
    except (TradeError, Unresolved) as error:
        console.print("trade stopped: " + str(error), markup=False)
        raise typer.Exit(1) from error
    finally:
        client.close()
        control.close()
    if as_json:
        typer.echo(json.dumps(summary.to_json(), indent=2))
    else:
        _print_summary(console, summary.trade)
        console.print(f"sandbox time {summary.started} to {summary.ended}", markup=False, highlight=False)
        cases = ", ".join(f"{name} {len(positions)}" for name, positions in sorted(summary.cases.items()))
        console.print(f"payments mix: {cases}", markup=False, highlight=False)
        console.print(f"captures: {dict(summary.captures)}, marked as paid: {summary.marked_paid}", markup=False)
        for event in summary.shop_events:
            console.print(f"  shopify: {event}", markup=False, highlight=False)
        payouts = ", ".join(f"{count} {name}" for name, count in sorted(summary.payouts.items()))
        console.print(f"payouts: {payouts}", markup=False, highlight=False)
    if summary.trade.orders_placed == 0:
        raise typer.Exit(1)


def _print_summary(console: Console, summary: TradeSummary) -> None:
    value = ", ".join(f"{amount} {currency}" for currency, amount in summary.total_value.items()) or "0"
    console.print(f"orders placed: {summary.orders_placed} (failed: {summary.orders_failed}), total value: {value}")
    console.print(f"follow-ups: {summary.follow_ups_done} done, {summary.follow_ups_failed} failed")
    if summary.mismatched_orders:
        console.print(f"[red]orders whose total differs from the plan: {len(summary.mismatched_orders)}[/red]")
    console.print(
        f"requests: {summary.requests}, throttled: {summary.throttled}, retried: {summary.retried}, "
        f"elapsed: {summary.elapsed_seconds:.1f} s"
    )
    for error in summary.errors[:10]:
        console.print(f"  [yellow]error[/yellow] {escape(error)}")


def register(app: typer.Typer) -> None:
    """Add the `trade` command to a Typer app (the sandbox's command group)."""
    app.command("trade")(trade)
