"""A small Admin GraphQL client for the `trade` command: one request at a time, obeying Shopify's limits.

THROTTLED answers (HTTP 200, `errors[].extensions.code`) wait for the bucket to refill as
`extensions.cost.throttleStatus` says; HTTP 429 waits for Retry-After; 5xx and timeouts back off
exponentially. Anything else is returned to the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

MAX_ATTEMPTS = 30
BACKOFF_SECONDS = (0.25, 0.5, 1.0, 2.0, 4.0)


class TradeError(Exception):
    """The sandbox cannot be traded with: unreachable, refusing the token, or failing for good."""


@dataclass
class RequestCounters:
    requests: int = 0
    throttled: int = 0
    retried: int = 0  # 429, 5xx and timeouts


def throttle_wait_seconds(extensions: dict[str, Any] | None) -> float:
    """How long until the bucket holds the points the throttled query asked for."""
    cost = (extensions or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    try:
        needed = float(cost.get("requestedQueryCost", 0)) - float(status["currentlyAvailable"])
        restore_rate = float(status["restoreRate"])
    except (KeyError, TypeError, ValueError):
        return 1.0
    return min(max(needed, 1.0) / max(restore_rate, 1.0), 60.0)


def _is_throttled(body: dict[str, Any]) -> bool:
    errors = body.get("errors")
    return isinstance(errors, list) and any(
        isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors
    )


class AdminGraphQL:
    """POSTs to `{url}/admin/api/{version}/graphql.json` with `X-Shopify-Access-Token`."""

    def __init__(
        self,
        url: str,
        access_token: str,
        *,
        api_version: str = "2026-10",
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 10.0,
    ) -> None:
        self.endpoint = f"{url.rstrip('/')}/admin/api/{api_version}/graphql.json"
        self._headers = {"X-Shopify-Access-Token": access_token, "Content-Type": "application/json"}
        self._http = http or httpx.Client(timeout=timeout)
        self._sleep = sleep
        self.counters = RequestCounters()

    def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The JSON answer (`data`, `errors`, `extensions`) once it is neither throttled nor a transient failure."""
        failures = 0
        for _ in range(MAX_ATTEMPTS):
            self.counters.requests += 1
            try:
                response = self._http.post(
                    self.endpoint, json={"query": query, "variables": variables or {}}, headers=self._headers
                )
            except httpx.TransportError as error:  # timeouts included
                failures = self._back_off(failures, f"{type(error).__name__}")
                continue
            if response.status_code == 401:
                raise TradeError("the sandbox refused the access token (401)")
            if response.status_code == 429:
                self.counters.retried += 1
                self._sleep(float(response.headers.get("Retry-After", "1")))
                continue
            if response.status_code >= 500:
                failures = self._back_off(failures, f"HTTP {response.status_code}")
                continue
            body = response.json()
            if not isinstance(body, dict):
                raise TradeError(f"unexpected answer: HTTP {response.status_code}")
            if _is_throttled(body):
                self.counters.throttled += 1
                self._sleep(throttle_wait_seconds(body.get("extensions")))
                continue
            return body
        raise TradeError(f"gave up after {MAX_ATTEMPTS} attempts")

    def _back_off(self, failures: int, reason: str) -> int:
        if failures >= len(BACKOFF_SECONDS):
            raise TradeError(f"the sandbox keeps failing ({reason})")
        self.counters.retried += 1
        self._sleep(BACKOFF_SECONDS[failures])
        return failures + 1

    def close(self) -> None:
        self._http.close()
