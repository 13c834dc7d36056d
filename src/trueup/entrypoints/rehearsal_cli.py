"""`trueup rehearse`: its options (the local stack's own Tryton, or an existing one: a brand's staging copy of its
ERP; a profile, or a multiple of an ordinary day), the run, and the printed report."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from trueup.config import SecretRef
from trueup.entrypoints import terminal

if TYPE_CHECKING:
    from trueup.entrypoints.rehearsal import Rehearsal
    from trueup.local_stack.stack import StackOptions

ORDINARY_DAY = "ordinary"  # the sandbox's ordinary day: about 2 orders a minute (1 to 3 over a four-hour cycle)


def rehearse(
    dir: Annotated[Path, typer.Option(help="Everything the rehearsal creates lives here.")] = Path(".rehearsal"),
    orders: Annotated[int, typer.Option(min=1, help="How many orders to trade.")] = 60,
    profile: Annotated[
        str | None, typer.Option(help="Orders-per-minute curve: ordinary or black_friday (default).")
    ] = None,
    speed: Annotated[float | None, typer.Option(help="The profile's pace times this (2: twice as fast).")] = None,
    scale: Annotated[
        float | None,
        typer.Option(
            min=0.1,
            help="N times an ordinary day's order rate (about 2 orders a minute): the ordinary profile at speed N "
            "(instead of --profile and --speed).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="The seed of the shop and its trading.")] = 1,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    threads: Annotated[int, typer.Option(min=1, help="Threads per worker (new sales posted in batches).")] = 2,
    follow_ups: Annotated[
        bool, typer.Option(help="Edits, address changes, cancellations and refunds after the orders.")
    ] = False,
    faults: Annotated[bool, typer.Option(help="Duplicated, reordered, dropped webhooks and API errors.")] = False,
    erp_outage: Annotated[float, typer.Option(help="Stop the ERP this many seconds while trading (0: none).")] = 0.0,
    erp_url: Annotated[
        str | None,
        typer.Option(
            help="An existing Tryton's JSON-RPC address (a STAGING copy, never production) instead of "
            "starting one: the rehearsal creates products, taxes, customers, sales and invoices in it."
        ),
    ] = None,
    erp_database: Annotated[str | None, typer.Option(help="The existing Tryton's database (with --erp-url).")] = None,
    erp_user: Annotated[str, typer.Option(help="The existing Tryton's user (with --erp-url).")] = "admin",
    erp_password_env: Annotated[
        str | None, typer.Option(help="The environment variable holding that user's password (with --erp-url).")
    ] = None,
    erp_password_file: Annotated[
        Path | None, typer.Option(help="A file (mode 0600) holding that user's password (with --erp-url).")
    ] = None,
    erp_warehouse: Annotated[str, typer.Option(help="The ERP warehouse (code) orders ship from.")] = "WH1",
    erp_is_staging: Annotated[
        bool,
        typer.Option(
            "--erp-is-staging",
            help="Confirm that --erp-url is a staging copy that may be written to (required with it).",
        ),
    ] = False,
    html: Annotated[Path | None, typer.Option(help="Write a self-contained HTML chart here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """A Black Friday rehearsal on the local stack (or against a staging copy of the ERP): trade a profile with
    faults, then count what was lost, duplicated or oversold and the money difference; exit 1 unless all are
    zero."""
    from trueup.entrypoints.rehearsal import html_chart, run
    from trueup.entrypoints.terminal import say
    from trueup.local_stack.stack import LocalStack

    password = _password(erp_password_env, erp_password_file)
    try:
        asked = rehearsal_asked(orders, seed, profile, speed, scale, faults, erp_outage, follow_ups=follow_ups)
        options = rehearsal_stack(
            dir, seed, workers, threads, erp_url, erp_database, erp_user, password, erp_warehouse, erp_is_staging
        )
        if erp_outage and options.erp == "external":
            raise ValueError("--erp-outage stops the rehearsal's own Tryton: not with --erp-url")
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    console = terminal.console(stderr=True, quiet=as_json)
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


def _password(env: str | None, file: Path | None) -> SecretRef | None:
    if env is None and file is None:
        return None
    if env is not None and file is not None:
        raise typer.BadParameter("one of --erp-password-env or --erp-password-file, not both")
    return SecretRef(env=env, file=file)


def rehearsal_asked(
    orders: int,
    seed: int,
    profile: str | None,
    speed: float | None,
    scale: float | None,
    faults: bool,
    erp_outage: float,
    follow_ups: bool = False,
) -> Rehearsal:
    """What the rehearsal trades: `profile` at `speed` (black_friday at 1 by default), or, with `scale`, an
    ordinary day's orders arriving `scale` times as fast. ValueError when both are asked."""
    from trueup.entrypoints.rehearsal import Rehearsal

    if scale is not None:
        if profile is not None or speed is not None:
            raise ValueError("--scale is an ordinary day times N: give it instead of --profile and --speed")
        return Rehearsal(orders, seed, ORDINARY_DAY, scale, faults, erp_outage, scale=scale, follow_ups=follow_ups)
    pace = 1.0 if speed is None else speed
    return Rehearsal(orders, seed, profile or "black_friday", pace, faults, erp_outage, follow_ups=follow_ups)


def rehearsal_stack(
    dir: Path,
    seed: int,
    workers: int,
    threads: int,
    erp_url: str | None,
    erp_database: str | None,
    erp_user: str,
    erp_password: SecretRef | None,
    erp_warehouse: str,
    erp_is_staging: bool,
) -> StackOptions:
    """The local stack a rehearsal runs on: its own embedded Tryton, or the existing one at `erp_url` (only when
    confirmed a staging copy), with a shop domain of this run's own so that its sales stay apart from any earlier
    rehearsal's in that ERP. ValueError naming what is missing or wrong."""
    from trueup.local_stack.stack import StackOptions, external_erp_problems

    options = StackOptions(dir=dir, seed=seed, workers=workers, worker_threads=threads, erp_warehouse=erp_warehouse)
    if erp_url is None:
        if erp_database is not None or erp_password is not None:
            raise ValueError("--erp-database and the ERP's password go with --erp-url")
        return options
    if not erp_is_staging:
        raise ValueError(
            "--erp-url: the rehearsal creates orders, customers and invoices in that ERP; point it at a staging "
            "copy, never production, and confirm with --erp-is-staging"
        )
    options.erp = "external"
    options.erp_url, options.erp_database, options.erp_user = erp_url, erp_database, erp_user
    options.erp_password = erp_password
    options.shop_domain = f"rehearsal-{secrets.token_hex(4)}.myshopify.com"
    problems = external_erp_problems(options)
    if problems:
        raise ValueError("--erp-url needs " + "; ".join(problems))
    return options


def _print_rehearsal(report: dict[str, object]) -> None:
    console = terminal.console()
    for key in (
        "profile",
        "scale",
        "follow_ups",
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
        console.print(terminal.text(f"{key}: {report.get(key)}"))
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
