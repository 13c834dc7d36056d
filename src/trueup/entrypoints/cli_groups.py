"""The command groups that sit beside trueup's own commands: the sandbox, the embedded Tryton, the demo, bench."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Annotated

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


def register_groups(app: typer.Typer) -> None:
    """Add the sandbox, tryton, demo and bench commands to `app`."""
    from shopify_sandbox.cli import sandbox_app
    from trueup.entrypoints.bench import bench_app
    from trueup.entrypoints.inventory_cli import inventory_app
    from trueup.entrypoints.privacy_cli import privacy_app
    from trueup.entrypoints.rehearsal_cli import rehearse
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
