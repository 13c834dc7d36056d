"""The command groups that sit beside trueup's own commands: the sandbox, the embedded Tryton, the demo, bench."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Annotated, cast

import typer
from rich.markup import escape

from trueup.entrypoints import terminal
from trueup.entrypoints.terminal import say

tryton_app = typer.Typer(
    name="tryton",
    help="Create and run trueup's Tryton ERP (SQLite, or PostgreSQL with --postgresql).",
    no_args_is_help=True,
)
DEFAULT_CACHE = Path(".cache/tryton")
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/"
PostgresOption = Annotated[
    str | None,
    typer.Option(
        "--postgresql",
        help="A PostgreSQL server's URL, without a database (e.g. postgresql://postgres@127.0.0.1:5432/): the "
        "database lives there instead of in a SQLite file.",
    ),
]


@tryton_app.command("init")
def tryton_init(
    dir: Annotated[Path, typer.Option(help="Where the database and server files live.")] = Path("tryton"),
    name: Annotated[str, typer.Option(help="The database name.")] = "trueup",
    cache: Annotated[Path, typer.Option(help="Where the template database is kept.")] = DEFAULT_CACHE,
    postgresql: PostgresOption = None,
    replace: Annotated[bool, typer.Option(help="Replace a database of that name with a fresh copy.")] = False,
) -> None:
    """Create a Tryton database with the modules and a demo business (from a template built once)."""
    from trueup.local_stack.embedded_tryton import ensure_database

    console = terminal.console(stderr=True)
    if postgresql is not None:
        from trueup.local_stack import postgres_tryton

        with terminal.spinner(console, "Building or copying the Tryton database (the first build takes minutes)..."):
            if replace:
                postgres_tryton.create_database(postgresql, postgres_tryton.build_template(postgresql), name)
            else:
                postgres_tryton.ensure_database(postgresql, name)
        say(terminal.console(), f"Tryton database ready on PostgreSQL: {escape(name)}")
        return
    if replace:
        for old in dir.glob(f"{name}.sqlite*"):
            old.unlink()
    with terminal.spinner(console, "Building or copying the Tryton database (the first build takes a minute)..."):
        path = ensure_database(cache, dir, name)
    say(terminal.console(), f"Tryton database ready: {path}")


@tryton_app.command("serve")
def tryton_serve(
    dir: Annotated[Path, typer.Option(help="The folder given to `trueup tryton init`.")] = Path("tryton"),
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8000,
    postgresql: PostgresOption = None,
    name: Annotated[str, typer.Option(help="The database to serve (with --postgresql).")] = "trueup",
    workers: Annotated[int, typer.Option(help="trytond processes behind gunicorn (with --postgresql).", min=1)] = 2,
    cron: Annotated[bool, typer.Option(help="Also run trytond-cron (with --postgresql).")] = False,
) -> None:
    """Run Tryton on 127.0.0.1 until interrupted: trytond for the SQLite databases in DIR or, with --postgresql,
    gunicorn with WORKERS trytond processes, trytond-worker (Tryton's queue) and optionally trytond-cron."""
    import signal
    import threading

    from trueup.local_stack.embedded_tryton import TrytonServer
    from trueup.local_stack.postgres_tryton import PostgresTryton

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if postgresql is not None:
        tryton = PostgresTryton(dir, postgresql, name, port, workers=workers, cron=cron)
        with tryton:
            processes = ", ".join(process.name for process in tryton.processes)
            say(terminal.console(), f"Tryton serving {escape(name)} on {tryton.url}: {processes} (Ctrl-C to stop)")
            with contextlib.suppress(KeyboardInterrupt):
                stop.wait()
        return
    with TrytonServer(dir, port) as server:
        databases = escape(", ".join(server.databases))
        say(terminal.console(), f"Tryton serving {databases} on {server.url} (Ctrl-C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


def demo(
    dir: Annotated[Path, typer.Option(help="Everything the demo creates lives here.")] = Path(".demo"),
    orders: Annotated[int, typer.Option(help="How many orders to trade.")] = 50,
    seed: Annotated[int, typer.Option(help="The seed of the shop and its trading.")] = 1,
    until_settled: Annotated[bool, typer.Option(help="Wait until all orders settle, report, exit.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    erp: Annotated[
        str, typer.Option(help="sqlite: one trytond over a file; postgresql: gunicorn, several trytond, queue worker.")
    ] = "sqlite",
    erp_server: Annotated[str, typer.Option(help="The PostgreSQL server of --erp postgresql.")] = DEFAULT_POSTGRES,
    erp_workers: Annotated[int, typer.Option(help="trytond processes of --erp postgresql.", min=1)] = 2,
) -> None:
    """Start the sandbox, Tryton, the service and a worker on 127.0.0.1; trade orders; report."""
    from trueup.entrypoints.demo import run_demo

    if erp not in ("sqlite", "postgresql"):
        raise typer.BadParameter("sqlite or postgresql", param_hint="--erp")
    erp_options = {"erp": erp, "erp_server": erp_server, "erp_workers": erp_workers}
    report = run_demo(dir, orders=orders, seed=seed, until_settled=until_settled, quiet=as_json, erp=erp_options)
    if as_json:
        print(json.dumps(report, indent=2))
    if until_settled and (not report.get("settled") or report.get("verify", {}).get("open")):
        raise typer.Exit(1)  # not settled, or trueup verify found a difference still open in the ERP


def rehearse(
    dir: Annotated[Path, typer.Option(help="Everything the rehearsal creates lives here.")] = Path(".rehearsal"),
    orders: Annotated[int, typer.Option(min=1, help="How many orders to trade.")] = 60,
    profile: Annotated[str, typer.Option(help="Orders-per-minute curve: ordinary or black_friday.")] = "black_friday",
    speed: Annotated[float, typer.Option(help="The profile's pace times this (2: twice as fast).")] = 1.0,
    seed: Annotated[int, typer.Option(help="The seed of the shop and its trading.")] = 1,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    threads: Annotated[int, typer.Option(min=1, help="Threads per worker (new sales posted in batches).")] = 2,
    faults: Annotated[bool, typer.Option(help="Duplicated, reordered, dropped webhooks and API errors.")] = False,
    erp_outage: Annotated[float, typer.Option(help="Stop the ERP this many seconds while trading (0: none).")] = 0.0,
    html: Annotated[Path | None, typer.Option(help="Write a self-contained HTML chart here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """A Black Friday rehearsal on the local stack: trade a profile with faults, then count what was lost,
    duplicated or oversold and the money difference; exit 1 unless all are zero."""
    from trueup.entrypoints.rehearsal import Rehearsal, html_chart, run
    from trueup.entrypoints.terminal import say
    from trueup.local_stack.stack import LocalStack, StackOptions

    console = terminal.console(stderr=True, quiet=as_json)
    options = StackOptions(dir=dir, seed=seed, workers=workers, worker_threads=threads)
    asked = Rehearsal(orders, seed, profile, speed, faults, erp_outage)
    stack = LocalStack(options, say=lambda line: say(console, f"• {line}"))
    with stack, terminal.spinner(console, "Rehearsing...") as status:
        report = run(stack, asked, progress=lambda step: status.update(terminal.text(step)))
    if html is not None:
        html.write_text(html_chart(report))
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        _print_rehearsal(report)
    if (
        not report["settled"]
        or report["lost"]
        or report["duplicated"]
        or report["oversold"]
        or report["money_difference"] != "0.00"
    ):
        raise typer.Exit(1)


def _print_rehearsal(report: dict[str, object]) -> None:
    console = terminal.console()
    for key in (
        "profile",
        "paid_orders",
        "erp_sales",
        "settled",
        "seconds",
        "lost",
        "duplicated",
        "oversold",
        "money_difference",
        "latency_seconds",
        "peak_backlog",
        "resident_mb_peak",
        "intake_ms",
        "exceptions_by_cause",
        "faults_injected",
    ):
        console.print(terminal.text(f"{key}: {report[key]}"))
    api = cast("dict[str, object]", report.get("api") or {})
    console.print(
        terminal.text(
            f"api: cost used {api.get('cost_used')} points in {api.get('calls')} calls, lowest available budget "
            f"{api.get('lowest_available')} of {api.get('maximum_available')}, THROTTLED {api.get('throttled')} "
            f"(the sandbox answered {api.get('throttled_answered')} in all)"
        )
    )
    for named, what in (("lost_orders", "lost"), ("oversold_skus", "oversold"), ("money_differences", "differs")):
        for item in cast("list[object]", report.get(named) or []):
            console.print(terminal.text(f"  {what}: {item}"))


def register_groups(app: typer.Typer) -> None:
    """Add the sandbox, tryton, demo and bench commands to `app`."""
    from shopify_sandbox.cli import sandbox_app
    from trueup.entrypoints.bench import bench_app
    from trueup.entrypoints.inventory_cli import inventory_app
    from trueup.entrypoints.privacy_cli import privacy_app
    from trueup.entrypoints.shop_cli import shop_app
    from trueup.entrypoints.users_cli import users_app
    from trueup.entrypoints.verify_cli import verify_command

    app.command()(rehearse)
    app.add_typer(sandbox_app, name="sandbox")
    app.add_typer(tryton_app, name="tryton")
    app.add_typer(bench_app, name="bench")
    app.add_typer(inventory_app, name="inventory")
    app.add_typer(shop_app, name="shop")
    app.add_typer(users_app, name="users")
    app.add_typer(privacy_app, name="privacy")
    app.command("demo")(demo)
    app.command("verify")(verify_command)
