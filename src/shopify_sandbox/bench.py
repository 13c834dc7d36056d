"""How many simple Admin API requests per second the sandbox serves (in-process uvicorn, concurrent client)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from shopify_sandbox.app import create_app
from shopify_sandbox.config import SandboxConfig
from shopify_sandbox.live_server import running_server

DEFAULT_QUERY = "{ shop { name currencyCode } products(first: 5) { nodes { id title } } }"


async def _hammer(base_url: str, token: str, query: str, requests: int, concurrency: int) -> tuple[int, int]:
    ok = failed = 0
    remaining = iter(range(requests))
    url = f"{base_url}/admin/api/2026-10/graphql.json"
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal ok, failed
            for _ in remaining:
                response = await client.post(url, json={"query": query}, headers={"X-Shopify-Access-Token": token})
                body = response.json()
                if response.status_code == 200 and "errors" not in body:
                    ok += 1
                else:
                    failed += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ok, failed


def requests_per_second(
    requests: int = 2000, concurrency: int = 16, query: str = DEFAULT_QUERY, plan: str = "enterprise"
) -> dict[str, Any]:
    """Serve a sandbox on 127.0.0.1 and time `requests` POSTs of `query` from `concurrency` clients.

    The plan defaults to enterprise so the bucket does not throttle the measurement itself.
    """
    config = SandboxConfig(plan=plan)
    app = create_app(config)
    with running_server(app) as base_url:
        started = time.perf_counter()
        ok, failed = asyncio.run(_hammer(base_url, config.access_token, query, requests, concurrency))
        elapsed = time.perf_counter() - started
    return {
        "requests": requests,
        "ok": ok,
        "failed": failed,
        "concurrency": concurrency,
        "seconds": round(elapsed, 3),
        "requests_per_second": round(ok / elapsed, 1) if elapsed else None,
    }


if __name__ == "__main__":
    print(requests_per_second())
