"""Benchmark of webhook intake: uvicorn serving the intake app on SQLite in its own process, fed signed
webhooks over keep-alive connections by an asyncio client (httpx for the health check; the load itself
goes through `http_load`, as httpx tops out below the rate to measure). Reports webhooks/s and latency.

`compare` runs it twice in one go: the bare app (no bounds, uvicorn's own protocol) and the hardened one as
`trueup serve` runs it (header and body bounds, the replay window, the guarded protocol, the connection
limit), then the hardened one again with `slow` hostile connections open (slow_clients.py), and reports the
ratio of the rates, the good deliveries' latency under attack and the server's resident memory.

Run: `python -m trueup.entrypoints.benchmarks.intake --count 20000 --concurrency 32` (prints JSON).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from trueup.adapters.shopify.webhooks import sign
from trueup.adapters.storage import SqlStore, upgrade
from trueup.config import ServerConfig
from trueup.entrypoints.benchmarks.http_load import encode_post, fire
from trueup.entrypoints.benchmarks.slow_clients import attack_in_background
from trueup.entrypoints.http import IntakeLimits, create_app
from trueup.entrypoints.http_service import guarded_protocol, intake_limits
from trueup.entrypoints.logging_setup import configure_logging
from trueup.service_layer.intake import Intake

SHOP = "bench.myshopify.com"
ENV_DB = "TRUEUP_BENCH_DB_URL"
ENV_SECRET = "TRUEUP_BENCH_SECRET"  # noqa: S105 (the name of a variable, not a secret)
ENV_HARDENED = "TRUEUP_BENCH_HARDENED"
BARE_LIMITS = IntakeLimits(max_body_bytes=2_000_000, body_read_seconds=3600.0, max_buffered_bytes=2**40)


def app_from_env() -> Any:
    """The intake app on the store and secret the benchmark passes in the environment (uvicorn --factory)."""
    configure_logging("WARNING")
    # The committer thread releases the GIL around each SQLite call and must get it back from the busy
    # event loop; a shorter switch interval than the default 5 ms shortens each of those waits.
    sys.setswitchinterval(0.0005)
    store = SqlStore(os.environ[ENV_DB])
    if os.environ.get(ENV_HARDENED):
        server = ServerConfig()
        intake = Intake(store, max_age=timedelta(seconds=server.max_delivery_age_seconds))
        return create_app(intake, {SHOP: os.environ[ENV_SECRET]}, intake_limits(server))
    return create_app(Intake(store), {SHOP: os.environ[ENV_SECRET]}, BARE_LIMITS)


def serve_from_env(port: int) -> None:
    """uvicorn serving `app_from_env`: as `trueup serve` runs it when hardened, with uvicorn's defaults if not."""
    import uvicorn

    app = app_from_env()
    if not os.environ.get(ENV_HARDENED):
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
        return
    server = ServerConfig()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        http=guarded_protocol(server),
        limit_concurrency=server.max_connections,
        log_level="warning",
        access_log=False,
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(db_url: str, secret: str, port: int, hardened: bool = False) -> subprocess.Popen[bytes]:
    """uvicorn serving `app_from_env` (uvloop and httptools are used when installed)."""
    command = [sys.executable, "-m", "trueup.entrypoints.benchmarks.intake", "--serve", str(port)]
    env = {**os.environ, ENV_DB: db_url, ENV_SECRET: secret, ENV_HARDENED: "1" if hardened else ""}
    return subprocess.Popen(command, env=env)


def resident_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) of process `pid` in MB, from /proc (Linux)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


async def wait_until_up(base_url: str, server: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Return once GET /healthz answers; raise if the server died or never answered."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=base_url) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited with code {server.returncode}")
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                await asyncio.sleep(0.05)
    raise RuntimeError("the server did not answer in time")


def signed_webhook(number: int, secret: str) -> tuple[bytes, dict[str, str]]:
    """One orders/create delivery for order `number`, signed with `secret`."""
    body = json.dumps(
        {
            "id": number,
            "admin_graphql_api_id": f"gid://shopify/Order/{number}",
            "name": f"#{number}",
            "total_price": "10.00",
        }
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Hmac-Sha256": sign(body, secret),
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Webhook-Id": f"bench-{number}",
        "X-Shopify-Event-Id": f"bench-event-{number}",
        "X-Shopify-Triggered-At": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    return body, headers


def _percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def run(
    count: int | None = 20_000,
    duration: float | None = None,
    concurrency: int = 32,
    hardened: bool = False,
    slow: int = 0,
) -> dict[str, Any]:
    """Benchmark intake for `count` webhooks (or `duration` seconds) with `concurrency` connections, with `slow`
    hostile slow connections held open meanwhile."""
    secret = secrets.token_hex(16)
    total = count if count is not None else 1_000_000
    webhooks = [signed_webhook(n, secret) for n in range(1, total + 1)]
    with tempfile.TemporaryDirectory(prefix="trueup-bench-") as workdir:
        db_url = f"sqlite:///{Path(workdir) / 'intake.db'}"
        upgrade(db_url)
        port = free_port()
        server = start_server(db_url, secret, port, hardened)
        try:
            base_url = f"http://127.0.0.1:{port}"
            asyncio.run(wait_until_up(base_url, server))
            deadline = time.perf_counter() + duration if duration else None
            requests = [encode_post("/webhooks/shopify", f"127.0.0.1:{port}", *webhook) for webhook in webhooks]
            load, attack = asyncio.run(_under_attack(port, requests, concurrency, deadline, slow))
            memory = resident_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        stored = SqlStore(db_url).intake_stats().deliveries
    ordered = sorted(load.latencies)
    extra = attack
    return {
        "hardened": hardened,
        "resident_mb": round(memory[0], 1),
        "peak_resident_mb": round(memory[1], 1),
        **extra,
        "webhooks": len(ordered),
        "stored": stored,
        "statuses": load.statuses,
        "concurrency": concurrency,
        "seconds": round(load.seconds, 3),
        "webhooks_per_second": round(len(ordered) / load.seconds, 1),
        "p50_ms": round(_percentile(ordered, 0.50) * 1000, 2),
        "p99_ms": round(_percentile(ordered, 0.99) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),  # other work on the machine skews the figures
    }


async def _under_attack(
    port: int, requests: list[bytes], concurrency: int, deadline: float | None, slow: int
) -> tuple[Any, dict[str, Any]]:
    if not slow:
        return await fire("127.0.0.1", port, requests, concurrency, deadline), {}
    attackers = attack_in_background("127.0.0.1", port, slow)
    try:
        await asyncio.sleep(5.0)  # all connected and sending before the load starts
        return await fire("127.0.0.1", port, requests, concurrency, deadline), {"slow_connections": slow}
    finally:
        attackers.terminate()
        attackers.join(timeout=10)


def compare(count: int = 20_000, concurrency: int = 32, slow: int = 300) -> dict[str, Any]:
    """The bare app, the hardened app, and the hardened app under `slow` hostile connections, in one run."""
    bare = run(count, concurrency=concurrency)
    hardened = run(count, concurrency=concurrency, hardened=True)
    attacked = run(count, concurrency=concurrency, hardened=True, slow=slow)
    return {
        "bare": bare,
        "hardened": hardened,
        "hardened_under_attack": attacked,
        "ratio_hardened_to_bare": round(hardened["webhooks_per_second"] / bare["webhooks_per_second"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--duration", type=float, default=None, help="seconds; overrides --count")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)  # the server process
    options = parser.parse_args()
    if options.serve is not None:
        serve_from_env(options.serve)
        return
    count = None if options.duration else options.count
    print(json.dumps(run(count, options.duration, options.concurrency), indent=2))


if __name__ == "__main__":
    main()
