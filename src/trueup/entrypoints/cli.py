"""`trueup`: the command line. Each command loads the configuration, wires what it needs, and runs."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trueup.domain.errors import BadInput, Cause
from trueup.entrypoints import terminal
from trueup.entrypoints.terminal import order_name, say

if TYPE_CHECKING:
    from trueup.config import TrueupConfig

app = typer.Typer(help="trueup: Shopify to back-office, every document accounted for.", no_args_is_help=True)
console = terminal.console(stderr=True)

ConfigOption = Annotated[
    Path,
    typer.Option("--config", "-c", envvar="TRUEUP_CONFIG", help="The TOML configuration file.", show_default=True),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _load(config_path: Path) -> TrueupConfig:
    from trueup.config import load_config

    try:
        return load_config(config_path)
    except BadInput as error:
        say(console, error, "red")
        raise typer.Exit(2) from None


def _setup_logging(json_logs: bool = False) -> None:
    from trueup.entrypoints.logging_setup import configure_logging

    configure_logging(os.environ.get("TRUEUP_LOG_LEVEL", "INFO"), json=json_logs)


@app.command()
def serve(config: ConfigOption = Path("trueup.toml")) -> None:
    """Run the HTTP service: Shopify's webhooks in, kept durably before they are acknowledged."""
    from trueup.entrypoints.http_service import run_http_service

    _setup_logging()
    run_http_service(_load(config))


@app.command("console")
def run_console_command(config: ConfigOption = Path("trueup.toml")) -> None:
    """Run the operations console (its own process, same store): pages, JSON API, /metrics (docs/console.md)."""
    from trueup.entrypoints.console_service import run_console

    _setup_logging()
    run_console(_load(config))


@app.command()
def alerts(
    config: ConfigOption = Path("trueup.toml"),
    once: Annotated[bool, typer.Option("--once", help="Check once, send what is due, and exit (for cron).")] = False,
) -> None:
    """Check the alert rules every [alerts] interval and send digests by e-mail and webhook (docs/console.md)."""
    from trueup import bootstrap
    from trueup.service_layer.alerting import Alerter

    _setup_logging()
    cfg = _load(config)
    records = bootstrap.build_console_store(cfg)
    store = bootstrap.build_store(cfg)
    alerter = Alerter(
        store,
        records,
        records,
        bootstrap.build_notifiers(cfg),
        bootstrap.SystemClock(),
        [shop.domain for shop in cfg.shops],
        bootstrap.alert_rules(cfg),
        bootstrap.finding_sources(store),
    )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    while True:
        alerter.run_once()
        if once or stop.wait(cfg.alerts.interval_seconds):
            return


@app.command()
def worker(
    config: ConfigOption = Path("trueup.toml"),
    name: Annotated[str | None, typer.Option(help="This worker's name (default: host-pid).")] = None,
    threads: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Jobs run side by side, new sales posted together (default: worker.threads)."),
    ] = None,
) -> None:
    """Run a worker; start as many as you like, on as many machines as share the store."""
    from trueup import bootstrap
    from trueup.service_layer.worker import Worker

    _setup_logging()
    cfg = _load(config)
    store = bootstrap.build_store(cfg, durable_commits=False)
    count = threads or cfg.worker.threads
    back_office = bootstrap.build_back_office(cfg)
    batches = bootstrap.batched_sales_orders(cfg, back_office) if count > 1 else None
    contexts = bootstrap.build_contexts(cfg, store, batches.as_back_office() if batches else back_office)
    settings = bootstrap.worker_settings(cfg)
    bootstrap.check_stock_locations(contexts, settings)  # an unknown or inactive location stops here
    payouts = {}
    if cfg.payments.enabled:  # an account or journal [payments] names and the ERP lacks stops here
        accounting = bootstrap.build_accounting(cfg)
        bootstrap.check_payment_accounts(cfg, accounting)
        payouts = bootstrap.build_payout_contexts(cfg, store, contexts, accounting)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    worker_name = name or f"{socket.gethostname()}-{os.getpid()}"
    names = [worker_name] if count == 1 else [f"{worker_name}-{n}" for n in range(1, count + 1)]
    usage = bootstrap.api_usage_sources(contexts)
    console = bootstrap.build_console_store(cfg)  # privacy requests reach the console's audit and alerts too
    failures: list[BaseException] = []

    def run(worker: Worker) -> None:
        try:
            worker.run(stop)
        except BaseException as error:  # one thread failing ends the process, as a single worker would
            failures.append(error)
            stop.set()

    runners = [
        threading.Thread(
            target=run,
            args=(
                Worker(
                    n, store, contexts, bootstrap.SystemClock(), settings, payouts=payouts, usage=usage, console=console
                ),
            ),
            name=n,
        )
        for n in names
    ]
    for runner in runners:
        runner.start()
    try:
        while any(runner.is_alive() for runner in runners):  # the main thread stays free to take the signals
            for runner in runners:
                runner.join(0.5)
    finally:
        stop.set()
        if batches is not None:
            batches.close()
        console.close()
    if failures:
        raise failures[0]


@app.command()
def status(
    config: ConfigOption = Path("trueup.toml"),
    shop: Annotated[str | None, typer.Option(help="Only this shop (its myshopify domain).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Where every order stands, shop by shop: counts by state, exceptions by cause with the fix, what is oldest."""
    from trueup import bootstrap
    from trueup.entrypoints.status_view import render_status
    from trueup.service_layer.status import build_status

    cfg = _load(config)
    shops = [s.domain for s in cfg.shops]
    if shop is not None and shop not in shops:
        raise typer.BadParameter(f"no shop {shop} in the configuration", param_hint="--shop")
    report = build_status(bootstrap.build_store(cfg), bootstrap.SystemClock(), shops=shops, shop=shop)
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        render_status(report, terminal.console())


@app.command()
def payouts(
    config: ConfigOption = Path("trueup.toml"),
    since: Annotated[str | None, typer.Option("--from", help="Issued on or after this day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option("--to", help="Issued on or before this day (YYYY-MM-DD).")] = None,
    shop: Annotated[str | None, typer.Option(help="Only this shop's payouts.")] = None,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Every column as CSV, for a spreadsheet.")] = False,
) -> None:
    """Shopify Payments payouts: charges, refunds, fees, adjustments, disputes, reserves, net, the ERP entry."""
    from datetime import UTC, datetime, time, timedelta

    from trueup import bootstrap
    from trueup.entrypoints.payouts_view import payouts_csv, render_overdue, render_payout_table
    from trueup.service_layer.payouts_status import payout_rows, payouts_summary

    def day(value: str | None, option: str) -> datetime | None:
        if value is None:
            return None
        try:
            return datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time(), UTC)
        except ValueError:
            raise typer.BadParameter(f"{value!r} is not a day (YYYY-MM-DD)", param_hint=option) from None

    until_day = day(until, "--to")
    store = bootstrap.build_store(_load(config))
    rows = payout_rows(store, day(since, "--from"), until_day + timedelta(days=1) if until_day else None, shop)
    if as_json:
        print(json.dumps(rows, indent=2))
    elif as_csv:
        sys.stdout.write(payouts_csv(rows))
    else:
        render_payout_table(rows, terminal.console())
        render_overdue(payouts_summary(store, shop=shop), terminal.console())


@app.command()
def month(
    config: ConfigOption = Path("trueup.toml"),
    which: Annotated[str, typer.Option("--month", help="The month, YYYY-MM (each shop's own time zone).")] = "",
    shop: Annotated[str | None, typer.Option(help="Only this shop.")] = None,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="The differences as CSV, for a spreadsheet.")] = False,
) -> None:
    """The month view: Shopify's sales, tax, refunds, fees and payouts against the ERP's revenue, tax, credit
    notes, fee expense and bank, to the cent, every difference by document. Exits 1 when it does not close."""
    from datetime import UTC, datetime

    from trueup.domain.month_close import month_bounds
    from trueup.entrypoints.month_view import build_month_view, month_csv, month_json, render_month

    which = which or datetime.now(UTC).strftime("%Y-%m")
    try:
        month_bounds(which)
    except ValueError:
        raise typer.BadParameter(f"{which!r} is not a month (YYYY-MM)", param_hint="--month") from None
    cfg = _load(config)
    if shop is not None and shop not in {s.domain for s in cfg.shops}:
        raise typer.BadParameter(f"no shop {shop} in the configuration", param_hint="--shop")
    view = build_month_view(cfg, which, shop)
    if as_json:
        print(json.dumps(month_json(view), indent=2))
    elif as_csv:
        sys.stdout.write(month_csv(view))
    else:
        render_month(view, terminal.console())
    if not view.closes:
        raise typer.Exit(1)


@app.command()
def clearing(
    config: ConfigOption = Path("trueup.toml"),
    shop: Annotated[str | None, typer.Option(help="Only this shop's transactions.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Each Shopify Payments clearing account explained line by line: the transactions Shopify has not paid out
    yet against the account's balance in the ERP, the difference named. Exits 1 when one is not explained."""
    from trueup.entrypoints.payouts_view import build_clearing_view, render_clearing
    from trueup.service_layer.clearing_view import clearing_json

    cfg = _load(config)
    if shop is not None and shop not in {s.domain for s in cfg.shops}:
        raise typer.BadParameter(f"no shop {shop} in the configuration", param_hint="--shop")
    explanations = build_clearing_view(cfg, shop)
    if as_json:
        print(json.dumps(clearing_json(explanations), indent=2))
    else:
        render_clearing(explanations, terminal.console())
    if not all(e.explained for e in explanations):
        raise typer.Exit(1)


@app.command()
def replay(
    config: ConfigOption = Path("trueup.toml"),
    cause: Annotated[Cause | None, typer.Option(help="Only orders parked for this cause.")] = None,
    order: Annotated[str | None, typer.Option(help="Only this order (Shopify id or name, e.g. #1001).")] = None,
    shop: Annotated[str | None, typer.Option(help="Only this shop's orders.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Queue parked orders again, once their cause is fixed; workers pick them up."""
    from trueup import bootstrap
    from trueup.service_layer.replay import replay as replay_parked

    cfg = _load(config)
    queued = replay_parked(bootstrap.build_store(cfg), shop=shop, cause=cause, order=order)
    if as_json:
        print(json.dumps({"queued": queued}))
    else:
        say(terminal.console(), f"{queued} parked order(s) queued again.")


@app.command()
def release(
    order: Annotated[str, typer.Argument(help="The held order (Shopify id or name, e.g. #1001).")],
    config: ConfigOption = Path("trueup.toml"),
    shop: Annotated[str | None, typer.Option(help="Only this shop's order.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Release a held order from its hold window now: it posts to the ERP and its Shopify holds are released."""
    from trueup import bootstrap
    from trueup.service_layer.hold_window import release_now

    cfg = _load(config)
    released = release_now(bootstrap.build_store(cfg), bootstrap.SystemClock(), order, shop=shop)
    if as_json:
        print(json.dumps({"released": [{"order": r.order, "shop": r.shop, "queued": r.queued} for r in released]}))
    elif not released:
        say(terminal.console(), f"No held order {order}.")
    else:
        for r in released:
            say(terminal.console(), f"{order_name(r.order, r.shop)} released: it posts as soon as a worker takes it.")
    if not released:
        raise typer.Exit(1)


@app.command()
def accept(
    order: Annotated[str, typer.Argument(help="The order parked for a change after the cut-off (id or name).")],
    config: ConfigOption = Path("trueup.toml"),
    shop: Annotated[str | None, typer.Option(help="Only this shop's order.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Accept a change after the cut-off as it stands (the parcel went anyway): it is not raised again."""
    from trueup import bootstrap
    from trueup.service_layer.post_purchase import accept_changes

    cfg = _load(config)
    accepted = accept_changes(bootstrap.build_store(cfg), order, shop=shop)
    if as_json:
        print(json.dumps({"accepted": [{"order": e.name, "shop": e.shop} for e in accepted]}))
    elif not accepted:
        say(terminal.console(), f"No order {order} parked for a change after the cut-off.")
    else:
        names = ", ".join(order_name(e.name, e.shop) for e in accepted)
        say(terminal.console(), f"{names}: change accepted; the order goes back to posted.")
    if not accepted:
        raise typer.Exit(1)


@app.command()
def migrate(config: ConfigOption = Path("trueup.toml")) -> None:
    """Bring the state database's schema up to date (the other commands do it too)."""
    from trueup import bootstrap

    bootstrap.build_store(_load(config))
    say(terminal.console(), "schema up to date")


def main() -> None:
    from trueup.entrypoints.cli_groups import register_groups

    register_groups(app)
    try:
        app()
    except BadInput as error:
        say(console, error, "red")
        sys.exit(2)
