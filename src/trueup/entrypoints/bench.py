"""`trueup bench ...`: the benchmarks whose figures are written in docs/benchmarks.md. Never timed asserts.

The engine's own overhead is measured with the test fakes, from a checkout: `python -m tests.benchmarks.engine`.
"""

from __future__ import annotations

import json
import platform
from typing import Annotated, Any

import typer

from trueup.entrypoints import terminal

bench_app = typer.Typer(
    name="bench", help="Measure intake, Tryton, payouts, the sandbox and inventory.", no_args_is_help=True
)


def _machine() -> dict[str, Any]:
    import os

    return {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count()}


def _emit(name: str, result: dict[str, Any]) -> None:
    result = {"benchmark": name, **result, "host": _machine()}
    print(json.dumps(result))


def _quiet() -> None:
    from trueup.entrypoints.logging_setup import configure_logging

    configure_logging("WARNING")


@bench_app.command()
def intake(
    count: Annotated[int, typer.Option(help="Webhooks to send.")] = 20_000,
    concurrency: Annotated[int, typer.Option(help="Concurrent connections.")] = 64,
    slow: Annotated[int, typer.Option(help="Hostile slow connections held open in the third run.")] = 300,
) -> None:
    """Webhook intake per second and its latency (SQLite, durable before 2xx): the bare app, the hardened one as
    `trueup serve` runs it, and the hardened one with SLOW hostile connections open, in one run."""
    from trueup.entrypoints.benchmarks.intake import compare

    _quiet()
    with terminal.spinner(terminal.console(stderr=True), f"Sending {count} signed webhooks, three times..."):
        _emit("intake", compare(count=count, concurrency=concurrency, slow=slow))


@bench_app.command("console")
def console_pages(
    orders: Annotated[int, typer.Option(help="Orders in the store.")] = 100_000,
    exceptions: Annotated[int, typer.Option(help="Of which parked (open exceptions).")] = 5_000,
    requests: Annotated[int, typer.Option(help="Requests per page.")] = 40,
    intake_count: Annotated[
        int, typer.Option(help="Webhooks sent to intake alone, and as many under console load.")
    ] = 20_000,
    rounds: Annotated[
        int, typer.Option(min=1, help="Rounds a side, interleaved (alone, loaded, loaded, alone, ...).")
    ] = 4,
    postgres: Annotated[
        str | None, typer.Option(help="A PostgreSQL URL (an empty database) instead of SQLite.")
    ] = None,
    console_rate: Annotated[
        float, typer.Option(help="Console pages a second during the loaded intake run (0: flat out).")
    ] = 5.0,
    console_niceness: Annotated[int, typer.Option(help="The console's niceness ([console] niceness).")] = 10,
) -> None:
    """The console's pages p50/p95 over a large store, and intake's rate with and without console load."""
    from trueup.entrypoints.benchmarks.console import run

    _quiet()
    with terminal.spinner(terminal.console(stderr=True), f"Seeding {orders} orders, then measuring the console..."):
        figures = run(
            orders,
            exceptions,
            requests,
            intake_count,
            postgres_url=postgres,
            console_rate=console_rate,
            console_niceness=console_niceness,
            rounds=rounds,
        )
        _emit("console", figures)


@bench_app.command()
def tryton(
    orders: Annotated[int, typer.Option(help="Orders per measurement (each batch size: raw, one poster, two).")] = 40,
    batch: Annotated[list[int] | None, typer.Option(help="A batch size to measure (repeat; default 1 and 10).")] = None,
    erp: Annotated[
        str, typer.Option(help="sqlite: the embedded trytond; postgresql: gunicorn, several trytond, trytond-worker.")
    ] = "sqlite",
    erp_server: Annotated[
        str, typer.Option(help="The PostgreSQL server of --erp postgresql.")
    ] = "postgresql://postgres@127.0.0.1:5432/",
    erp_workers: Annotated[int, typer.Option(help="trytond processes of --erp postgresql.", min=1)] = 2,
) -> None:
    """Orders per second into a real Tryton over JSON-RPC: trueup's rate (one poster, two side by side) and
    Tryton's raw create + confirm + process rate for the same orders, per batch size, with the ratio."""
    from trueup.entrypoints.benchmarks.tryton import run

    _quiet()
    if erp not in ("sqlite", "postgresql"):
        raise typer.BadParameter("sqlite or postgresql", param_hint="--erp")
    sizes = batch or [1, 10]
    with terminal.spinner(terminal.console(stderr=True), f"Posting {orders} orders into Tryton...") as status:
        _emit(
            "tryton",
            run(
                orders,
                sizes,
                progress=lambda step: status.update(terminal.text(step)),
                erp=erp,
                erp_server=erp_server,
                erp_workers=erp_workers,
            ),
        )


@bench_app.command()
def payouts(
    transactions: Annotated[int, typer.Option(help="Balance transactions in the payout.", min=1)] = 2000,
) -> None:
    """A payout of N balance transactions booked in a real Tryton, against Tryton's raw rate for the same lines."""
    from trueup.entrypoints.benchmarks.payouts import run

    _quiet()
    with terminal.spinner(terminal.console(stderr=True), f"Booking a payout of {transactions} transactions..."):
        _emit("payouts", run(transactions))


@bench_app.command()
def month(
    orders: Annotated[int, typer.Option(help="Orders over the month.", min=40)] = 300,
    days: Annotated[int, typer.Option(help="Days of trading on the sandbox's clock.", min=7)] = 30,
    seed: Annotated[int, typer.Option(help="Seed of the shop and the month.")] = 5,
) -> None:
    """The month's rehearsal: a month of trading through trueup into Tryton, every payout's booking checked."""
    from trueup.entrypoints.benchmarks.month import run

    _quiet()
    with terminal.spinner(terminal.console(stderr=True), f"Trading {orders} orders over {days} days..."):
        _emit("month", run(orders, days, seed))


@bench_app.command()
def sandbox(
    requests: Annotated[int, typer.Option(help="Requests to send.")] = 3000,
    concurrency: Annotated[int, typer.Option(help="Concurrent clients.")] = 16,
) -> None:
    """Requests per second the Shopify sandbox serves (a separate process, loaded from this one)."""
    from trueup.entrypoints.benchmarks.sandbox import run

    _quiet()
    with terminal.spinner(terminal.console(stderr=True), f"Sending {requests} GraphQL requests to the sandbox..."):
        _emit("sandbox", run(requests=requests, concurrency=concurrency))


@bench_app.command()
def inventory(
    variants: Annotated[int, typer.Option(help="Variants in the sandbox catalogue (full size: 20000).")] = 5000,
    locations: Annotated[int, typer.Option(help="Locations, each stocking every variant.")] = 3,
    seconds: Annotated[float, typer.Option(help="How long the writer is kept busy for the sustained rate.")] = 60.0,
    drift: Annotated[float, typer.Option(help="Share of levels wrong before the full reconciliation.")] = 0.05,
    order_processes: Annotated[
        int, typer.Option(help="Other processes making order calls on the shop meanwhile, each with its own budget.")
    ] = 0,
    order_reads_per_second: Annotated[float, typer.Option(help="Order calls per second in each of them.")] = 2.0,
    order_calls_at_once: Annotated[
        int, typer.Option(help="Order calls the stock writer's reserve holds at once (the budget's default: 2).")
    ] = 2,
) -> None:
    """Stock to Shopify on the Standard plan: updates per second vs the plan's ceiling, THROTTLED, orders
    served meanwhile, and a full reconciliation (bulk read, differences written)."""
    from trueup.entrypoints.benchmarks.inventory import run

    _quiet()
    with terminal.spinner(
        terminal.console(stderr=True), f"Inventory against a {variants}-variant sandbox on the Standard plan..."
    ):
        _emit(
            "inventory",
            run(
                variants=variants,
                locations=locations,
                seconds=seconds,
                drift=drift,
                order_processes=order_processes,
                order_reads_per_second=order_reads_per_second,
                order_calls_at_once=order_calls_at_once,
            ),
        )
