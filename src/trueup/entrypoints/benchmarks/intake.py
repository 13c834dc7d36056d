"""Benchmark of webhook intake: uvicorn serving the intake app on SQLite in its own process, fed signed
webhooks over keep-alive connections by an asyncio client (httpx for the health check; the load itself
goes through `http_load`, as httpx tops out below the rate to measure). Reports webhooks/s and latency.

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
from pathlib import Path
from typing import Any

import httpx

from trueup.adapters.shopify.webhooks import sign
from trueup.adapters.storage import SqlStore, upgrade
from trueup.entrypoints.benchmarks.http_load import encode_post, fire
from trueup.entrypoints.http import create_app
from trueup.entrypoints.logging_setup import configure_logging
from trueup.service_layer.intake import Intake

SHOP = "bench.myshopify.com"
ENV_DB = "TRUEUP_BENCH_DB_URL"
ENV_SECRET = "TRUEUP_BENCH_SECRET"  # noqa: S105 (the name of a variable, not a secret)


def app_from_env() -> Any:
    """The intake app on the store and secret the benchmark passes in the environment (uvicorn --factory)."""
    configure_logging("WARNING")
    # The committer thread releases the GIL around each SQLite call and must get it back from the busy
    # event loop; a shorter switch interval than the default 5 ms shortens each of those waits.
    sys.setswitchinterval(0.0005)
    store = SqlStore(os.environ[ENV_DB])
    return create_app(Intake(store), {SHOP: os.environ[ENV_SECRET]})


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(db_url: str, secret: str, port: int) -> subprocess.Popen[bytes]:
    """uvicorn serving `app_from_env` (uvloop and httptools are used when installed)."""
    command = [sys.executable, "-m", "uvicorn", "--factory", "trueup.entrypoints.benchmarks.intake:app_from_env"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"]
    env = {**os.environ, ENV_DB: db_url, ENV_SECRET: secret}
    return subprocess.Popen(command, env=env)


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
        "X-Shopify-Triggered-At": "2026-11-27T09:00:00.000Z",
    }
    return body, headers


def _percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def run(count: int | None = 20_000, duration: float | None = None, concurrency: int = 32) -> dict[str, Any]:
    """Benchmark intake for `count` webhooks (or `duration` seconds) with `concurrency` connections."""
    secret = secrets.token_hex(16)
    total = count if count is not None else 1_000_000
    webhooks = [signed_webhook(n, secret) for n in range(1, total + 1)]
    with tempfile.TemporaryDirectory(prefix="trueup-bench-") as workdir:
        db_url = f"sqlite:///{Path(workdir) / 'intake.db'}"
        upgrade(db_url)
        port = free_port()
        server = start_server(db_url, secret, port)
        try:
            base_url = f"http://127.0.0.1:{port}"
            asyncio.run(wait_until_up(base_url, server))
            deadline = time.perf_counter() + duration if duration else None
            requests = [encode_post("/webhooks/shopify", f"127.0.0.1:{port}", *webhook) for webhook in webhooks]
            load = asyncio.run(fire("127.0.0.1", port, requests, concurrency, deadline))
        finally:
            server.terminate()
            server.wait(timeout=30)
        stored = SqlStore(db_url).intake_stats().deliveries
    ordered = sorted(load.latencies)
    return {
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--duration", type=float, default=None, help="seconds; overrides --count")
    parser.add_argument("--concurrency", type=int, default=32)
    options = parser.parse_args()
    count = None if options.duration else options.count
    print(json.dumps(run(count, options.duration, options.concurrency), indent=2))


if __name__ == "__main__":
    main()
