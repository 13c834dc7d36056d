"""Benchmark of the operations console: page latency (p50, p95) over a store of many orders and open exceptions
(SQLite or PostgreSQL), and the intake's rate with and without a person hammering the console meanwhile, each in
its own process on the same store, with both processes' resident memory.

Run: `trueup bench console [--orders 100000 --exceptions 5000] [--postgres URL]` (prints JSON).
"""

from __future__ import annotations

import asyncio
import functools
import json
import multiprocessing
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert

from trueup.adapters.passwords import Argon2Hasher
from trueup.adapters.storage import upgrade
from trueup.adapters.storage.console_store import SqlConsoleStore
from trueup.adapters.storage.sql_store import SqlStore
from trueup.adapters.storage.tables import deliveries, ledger
from trueup.domain.errors import Cause
from trueup.domain.ledger import OrderState
from trueup.domain.people import Role
from trueup.entrypoints.benchmarks.http_load import encode_post, fire
from trueup.entrypoints.benchmarks.intake import SHOP, free_port, signed_webhook, start_server, wait_until_up
from trueup.entrypoints.console.app import create_console_app
from trueup.entrypoints.console.auth import SESSION_COOKIE, Gate
from trueup.entrypoints.console.deps import ConsoleDeps
from trueup.entrypoints.console_service import CONSOLE_NICENESS, lower_priority
from trueup.entrypoints.logging_setup import configure_logging
from trueup.service_layer.people import People, add_user

ENV_DB = "TRUEUP_BENCH_DB_URL"
ENV_NICENESS = "TRUEUP_BENCH_CONSOLE_NICENESS"
USER, PASSWORD = "bench", "a bench password, long enough"
CAUSES = [Cause.SKU_NOT_IN_ITEM_MASTER, Cause.UNMAPPED_TAX, Cause.TOTALS_MISMATCH, Cause.BACK_OFFICE_REJECTED]
NOW = datetime.now(UTC).replace(microsecond=0)


class _Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def console_from_env() -> Any:
    """The console app on the store the benchmark passes in the environment (uvicorn --factory)."""
    configure_logging("WARNING")
    lower_priority(int(os.environ.get(ENV_NICENESS, CONSOLE_NICENESS)))
    url = os.environ[ENV_DB]
    store, records = SqlStore(url), SqlConsoleStore(url)
    people = People(records, Argon2Hasher(), _Clock())
    deps = ConsoleDeps(store, records, people, _Clock(), [SHOP])
    return create_console_app(deps, Gate(people, session_seconds=3600))


def _rows(orders: int, exceptions: int) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for n in range(1, orders + 1):
        parked = n <= exceptions
        seen = NOW - timedelta(seconds=(orders - n) * 2)
        gid = f"gid://shopify/Order/{n}"
        entry = {
            "shop": SHOP,
            "order_id": gid,
            "name": f"#{n}",
            "first_seen_at": seen,
            "updated_at": seen,
            "state": (OrderState.EXCEPTION if parked else OrderState.POSTED).value,
            "state_since": seen + timedelta(seconds=3),
            "shopify_total_amount": "42.00",
            "shopify_total_currency": "USD",
            "erp_total_amount": None if parked else "42.00",
            "erp_total_currency": None if parked else "USD",
            "erp_number": None if parked else f"SO{n}",
            "cause": CAUSES[n % len(CAUSES)].value if parked else None,
            "detail": f"SKU SKU-{n % 50} is not in the item master" if parked else None,
            "needs": {"skus": [f"SKU-{n % 50}"]} if parked else {},
        }
        body = json.dumps({"id": n, "email": f"c{n}@example.com", "shipping_address": {"country_code": "FR"}})
        delivery = {
            "webhook_id": f"seed-{n}",
            "shop": SHOP,
            "topic": "orders/create",
            "event_id": f"seed-ev-{n}",
            "api_version": "2026-10",
            "triggered_at": seen.isoformat(),
            "order_id": gid,
            "known_topic": True,
            "problem": None,
            "headers": {},
            "body": body.encode(),
            "received_at": seen,
        }
        yield entry, delivery


def seed(url: str, orders: int, exceptions: int, batch: int = 5000) -> float:
    """Fill the store with `orders` orders (the first `exceptions` parked) and a delivery each; seconds taken."""
    started = time.perf_counter()
    engine = create_engine(url)
    try:
        pending: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for pair in _rows(orders, exceptions):
            pending.append(pair)
            if len(pending) == batch:
                _insert(engine, pending)
                pending = []
        if pending:
            _insert(engine, pending)
    finally:
        engine.dispose()
    records = SqlConsoleStore(url)
    add_user(records, Argon2Hasher(), _Clock(), USER, Role.ADMIN, PASSWORD)
    records.close()
    _analyse(url)  # as the database's own maintenance (autovacuum) would soon after such a load
    return time.perf_counter() - started


def _analyse(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE")
    finally:
        engine.dispose()


def _insert(engine: Any, pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    with engine.begin() as connection:
        connection.execute(insert(ledger), [entry for entry, _ in pairs])
        connection.execute(insert(deliveries), [delivery for _, delivery in pairs])


def _start_console(url: str, port: int, niceness: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", "--factory", "trueup.entrypoints.benchmarks.console:console_from_env"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(command, env={**os.environ, ENV_DB: url, ENV_NICENESS: str(niceness)})


def _sign_in(base: str) -> dict[str, str]:
    """The Cookie header of a signed-in session (httpx keeps no Secure cookie over plain HTTP)."""
    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/login")
        csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        login_cookie = page.cookies.get("trueup_login_csrf") or ""
        answer = client.post(
            "/login",
            data={"username": USER, "password": PASSWORD, "csrf": csrf},
            headers={"cookie": f"trueup_login_csrf={login_cookie}"},
        )
        token = answer.cookies.get(SESSION_COOKIE) or answer.headers["set-cookie"].split("=", 1)[1].split(";", 1)[0]
    return {"cookie": f"{SESSION_COOKIE}={token}"}


PAGES = {
    "overview": "/",
    "exceptions": "/exceptions",
    "exceptions_by_cause": "/exceptions?cause=unmapped_tax",
    "exceptions_by_sku": "/exceptions?sku=SKU-7",
    "find_order": "/orders?q=%2350000",
    "order": f"/order?shop={SHOP}&id=gid%3A//shopify/Order/4000",
    "stock": "/stock",
    "activity": "/activity",
    "audit": "/audit",
    "api_overview": "/api/overview",
    "api_exceptions": "/api/exceptions",
    "metrics": "/metrics",
}


def _pct(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def measure_pages(base: str, headers: dict[str, str], requests: int) -> dict[str, dict[str, float]]:
    """Each page `requests` times in turn: p50 and p95 in milliseconds."""
    figures = {}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        for name, path in PAGES.items():
            latencies = []
            for _ in range(requests):
                started = time.perf_counter()
                answer = client.get(path)
                latencies.append(time.perf_counter() - started)
                if answer.status_code != 200:
                    raise RuntimeError(f"{path} answered {answer.status_code}")
            figures[name] = {
                "p50_ms": round(_pct(latencies, 0.5) * 1000, 1),
                "p95_ms": round(_pct(latencies, 0.95) * 1000, 1),
            }
    return figures


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _hammer(
    base: str, headers: dict[str, str], rate: float, stop: Event, ready: Event, served: Synchronized[int]
) -> None:
    """Every page in turn, `rate` pages a second (0: as fast as the console answers), until `stop`; run in a
    process of its own, as a person's browser is: in the webhook sender's process it would take the sender's
    interpreter lock and slow the sending, not intake. At the lowest priority: a person's browser is on another
    machine, so its own work is not the server's to pay for."""
    os.nice(19)
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        ready.set()
        while not stop.is_set():
            for path in PAGES.values():
                started = time.perf_counter()
                if stop.is_set():
                    return
                client.get(path)
                with served.get_lock():
                    served.value += 1
                if rate:
                    stop.wait(max(0.0, 1 / rate - (time.perf_counter() - started)))


def _intake_under_console_load(
    base: str, headers: dict[str, str], rate: float, served: Synchronized[int], send: Callable[[], object]
) -> float:
    """`send()` while the console serves `rate` pages a second; the seconds it took."""
    context = multiprocessing.get_context("spawn")
    stop, ready = context.Event(), context.Event()
    hammer = context.Process(target=_hammer, args=(base, headers, rate, stop, ready, served), daemon=True)
    hammer.start()
    try:
        if not ready.wait(60):
            raise RuntimeError("the console's reader did not start")
        started = time.perf_counter()
        send()
        return time.perf_counter() - started
    finally:
        stop.set()
        hammer.join(timeout=120)


def _abba(rounds: int) -> list[str]:
    """`rounds` rounds of each side, in pairs whose order alternates: alone, loaded, loaded, alone, ..."""
    pairs = [("alone", "loaded") if n % 2 == 0 else ("loaded", "alone") for n in range(rounds)]
    return [side for pair in pairs for side in pair]


def _intake_rate(port: int, secret: str, first: int, count: int, concurrency: int) -> float:
    webhooks = [signed_webhook(n, secret) for n in range(first, first + count)]
    requests = [encode_post("/webhooks/shopify", f"127.0.0.1:{port}", *webhook) for webhook in webhooks]
    load = asyncio.run(fire("127.0.0.1", port, requests, concurrency))
    if set(load.statuses) != {200}:
        raise RuntimeError(f"intake answered {load.statuses}")
    return len(load.latencies) / load.seconds


def run(
    orders: int = 100_000,
    exceptions: int = 5_000,
    requests: int = 40,
    intake_count: int = 20_000,
    concurrency: int = 32,
    postgres_url: str | None = None,
    console_rate: float = 5.0,
    console_niceness: int = CONSOLE_NICENESS,
    rounds: int = 4,
) -> dict[str, Any]:
    """Seed, then measure the pages, then intake alone and intake while the console serves `console_rate` pages a
    second (every page in turn; 0: as fast as it answers): `intake_count` webhooks each way, sent in `rounds`
    rounds a side, interleaved."""
    with tempfile.TemporaryDirectory(prefix="trueup-bench-console-") as workdir:
        url = postgres_url or f"sqlite:///{Path(workdir) / 'console.db'}"
        upgrade(url)
        seeded = seed(url, orders, exceptions)
        console_port, intake_port, secret = free_port(), free_port(), secrets.token_hex(16)
        console = _start_console(url, console_port, console_niceness)
        intake = start_server(url, secret, intake_port)
        try:
            base = f"http://127.0.0.1:{console_port}"
            asyncio.run(wait_until_up(base, console))
            asyncio.run(wait_until_up(f"http://127.0.0.1:{intake_port}", intake))
            headers = _sign_in(base)
            pages = measure_pages(base, headers, requests)
            seconds = {"alone": 0.0, "loaded": 0.0}
            served = multiprocessing.get_context("spawn").Value("i", 0)
            # Rounds in the order alone, loaded, loaded, alone, ... (each pair reversed from the last), so that
            # a warm-up or a drift in the machine's other load falls on both sides alike.
            per_round = max(1, intake_count // rounds)
            for n, side in enumerate(_abba(rounds)):
                first = 10_000_000 * (n + 1)
                if side == "alone":
                    seconds["alone"] += per_round / _intake_rate(intake_port, secret, first, per_round, concurrency)
                    continue
                seconds["loaded"] += _intake_under_console_load(
                    base,
                    headers,
                    console_rate,
                    served,
                    functools.partial(_intake_rate, intake_port, secret, first, per_round, concurrency),
                )
            sent = per_round * rounds
            alone, loaded = sent / seconds["alone"], sent / seconds["loaded"]
            rss = {"intake_mb": _rss_mb(intake.pid), "console_mb": _rss_mb(console.pid)}
        finally:
            for process in (console, intake):
                process.terminate()
                process.wait(timeout=30)
    return {
        "store": "postgresql" if postgres_url else "sqlite",
        "orders": orders,
        "open_exceptions": exceptions,
        "seed_seconds": round(seeded, 1),
        "requests_per_page": requests,
        "pages": pages,
        "worst_page_p95_ms": max(figures["p95_ms"] for figures in pages.values()),
        "intake_per_second_alone": round(alone, 1),
        "intake_per_second_with_console_load": round(loaded, 1),
        "intake_ratio": round(loaded / alone, 3),
        "console_pages_per_second_meanwhile": round(served.value / seconds["loaded"], 1),
        "intake_rounds": rounds * 2,
        "console_rate_asked": console_rate or "as fast as it answers",
        "console_niceness": console_niceness,
        "rss_after": rss,
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
