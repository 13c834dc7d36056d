"""How many Admin API requests per second the Shopify sandbox serves, measured from outside its process.

The sandbox runs as `trueup sandbox serve` (enterprise plan, so the rate limit is not what is measured)
and is loaded over keep-alive connections by the lean client of `http_load`, in this process.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from trueup.entrypoints.benchmarks.http_load import encode_post, fire
from trueup.local_stack.processes import ManagedProcess, free_port, trueup_command

TOKEN = "shpat_bench"  # noqa: S105 - a local sandbox's token
# (query, how many requests at most): the total requested cost stays within the enterprise bucket, so
# every answer is a real one, not a cheap THROTTLED refusal.
QUERIES = {
    "shop_and_products": ("{ shop { name currencyCode } products(first: 5) { nodes { id title } } }", 100_000),
    "orders_page_of_10": (
        "{ orders(first: 10, sortKey: UPDATED_AT) { nodes { id name updatedAt "
        "currentTotalPriceSet { shopMoney { amount currencyCode } } } } }",
        1000,
    ),
}


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0


def run(requests: int = 3000, concurrency: int = 16) -> dict[str, Any]:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        argv = trueup_command(
            "sandbox", "serve", "--port", str(port), "--plan", "enterprise", "--seed", "1", "--access-token", TOKEN
        )
        server = ManagedProcess("sandbox", argv, Path(tmp) / "sandbox.log").start()
        try:
            server.wait_for_port(port)
            # Orders to read: 200 placed through the API first, so the orders page is a full page.
            trade = trueup_command(
                "sandbox",
                "trade",
                "--url",
                f"http://127.0.0.1:{port}",
                "--access-token",
                TOKEN,
                "--orders",
                "200",
                "--seed",
                "1",
                "--no-follow-ups",
                "--json",
            )
            subprocess.run(trade, check=True, capture_output=True, timeout=300)
            results: dict[str, Any] = {"requests": requests, "concurrency": concurrency, "orders_in_shop": 200}
            headers = {"Content-Type": "application/json", "X-Shopify-Access-Token": TOKEN}
            for name, (query, most) in QUERIES.items():
                body = json.dumps({"query": query}).encode()
                wire = encode_post("/admin/api/2026-10/graphql.json", f"127.0.0.1:{port}", body, headers)
                load = asyncio.run(fire("127.0.0.1", port, [wire] * min(requests, most), concurrency))
                ok = load.statuses.get(200, 0)
                results[name] = {
                    "requests": min(requests, most),
                    "ok": ok,
                    "requests_per_second": round(ok / load.seconds, 1),
                    "p50_ms": round(_percentile(load.latencies, 0.5) * 1000, 2),
                    "p99_ms": round(_percentile(load.latencies, 0.99) * 1000, 2),
                }
            return results
        finally:
            server.stop()
