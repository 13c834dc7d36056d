"""Faults on demand: duplicated, reordered, late and dropped webhooks; API 5xx, timeouts and latency.

Each fault is a knob with a rate in [0, 1], decided by a seeded random generator so that a rehearsal
can be replayed. The decisions are plain functions of (knobs, rng); `FaultInjector` holds the knobs
and the generator at run time, `FaultsMiddleware` applies the API faults to the Admin API routes and
`faults_routes` lets a person or a test turn the knobs (`GET`/`POST /sandbox/faults`) and read how many
faults of each kind were injected since the sandbox started (`GET /sandbox/faults/injected`), so that a
rehearsal can report what it went through.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import threading
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_HANG_SECONDS = 120.0  # a "timed out" request still ends: the sandbox must not leak connections


class InvalidFaults(ValueError):
    """A knob that does not exist, or a value out of range."""


@dataclass(frozen=True)
class Faults:
    """The knobs. Rates are probabilities per webhook delivery or per API request."""

    seed: int = 0
    webhook_duplicate_rate: float = 0.0
    webhook_reorder_rate: float = 0.0
    webhook_reorder_hold_seconds: float = 30.0  # held this long (on the clock) so later ones overtake
    webhook_late_rate: float = 0.0
    webhook_late_seconds: float = 3600.0
    webhook_drop_rate: float = 0.0
    api_5xx_rate: float = 0.0
    api_timeout_rate: float = 0.0
    api_timeout_seconds: float = 10.0  # how long a timed-out request hangs: longer than a client waits
    api_latency_rate: float = 0.0
    api_latency_ms: int = 0

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.name.endswith("_rate") and not 0.0 <= value <= 1.0:
                raise InvalidFaults(f"{field.name} must be between 0 and 1, not {value}")
            if field.name.endswith(("_seconds", "_ms")) and value < 0:
                raise InvalidFaults(f"{field.name} cannot be negative")
        if self.api_timeout_seconds > MAX_HANG_SECONDS:
            raise InvalidFaults(f"api_timeout_seconds is bounded by {MAX_HANG_SECONDS}")

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def updated(self, changes: dict[str, Any]) -> Faults:
        """These knobs with `changes` applied (from JSON: unknown names and bad types are refused)."""
        known = {f.name: f for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - set(known))
        if unknown:
            raise InvalidFaults(f"unknown fault knobs: {', '.join(unknown)}")
        coerced: dict[str, Any] = {}
        for name, value in changes.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidFaults(f"{name} must be a number")
            integral = name in ("seed", "api_latency_ms")
            if integral and value != int(value):
                raise InvalidFaults(f"{name} must be an integer")
            coerced[name] = int(value) if integral else float(value)
        return dataclasses.replace(self, **coerced)


@dataclass(frozen=True)
class WebhookFaultDecision:
    drop: bool = False
    duplicate: bool = False
    reorder_hold_seconds: float = 0.0
    late_seconds: float = 0.0

    @property
    def delay_seconds(self) -> float:
        return self.reorder_hold_seconds + self.late_seconds

    @property
    def labels(self) -> tuple[str, ...]:
        """Names of the faults applied, for the delivery log."""
        names = [
            ("dropped", self.drop),
            ("duplicated", self.duplicate),
            ("reordered", self.reorder_hold_seconds > 0),
            ("late", self.late_seconds > 0),
        ]
        return tuple(name for name, applied in names if applied)


@dataclass(frozen=True)
class ApiFaultDecision:
    status: int | None = None  # 502 or 503 when the request fails
    hang_seconds: float = 0.0  # > 0: the request hangs, then fails with 504
    latency_seconds: float = 0.0

    @property
    def labels(self) -> tuple[str, ...]:
        """Names of the faults applied ("5xx" when it fails, "timeout" when it hangs first and so fails with
        a 504 instead, "latency")."""
        names = [
            ("5xx", self.status is not None and not self.hang_seconds),
            ("timeout", self.hang_seconds > 0),
            ("latency", self.latency_seconds > 0),
        ]
        return tuple(name for name, applied in names if applied)


# Every count `GET /sandbox/faults/injected` reports, zero included: a rehearsal reads each one.
INJECTED_KINDS = (
    "webhook_dropped",
    "webhook_duplicated",
    "webhook_reordered",
    "webhook_late",
    "api_5xx",
    "api_timeout",
    "api_latency",
)


def decide_webhook(faults: Faults, rng: random.Random) -> WebhookFaultDecision:
    """What happens to one webhook delivery. Always draws the same number of values, so one knob's
    setting does not shift the others' sequence for a given seed."""
    drop, duplicate, reorder, late = (rng.random() for _ in range(4))
    return WebhookFaultDecision(
        drop=drop < faults.webhook_drop_rate,
        duplicate=duplicate < faults.webhook_duplicate_rate,
        reorder_hold_seconds=faults.webhook_reorder_hold_seconds if reorder < faults.webhook_reorder_rate else 0.0,
        late_seconds=faults.webhook_late_seconds if late < faults.webhook_late_rate else 0.0,
    )


def api_fault(faults: Faults, rng: random.Random) -> ApiFaultDecision:
    """What happens to one Admin API request (same fixed number of draws as `decide_webhook`)."""
    fail, which, hang, slow = (rng.random() for _ in range(4))
    return ApiFaultDecision(
        status=(502 if which < 0.5 else 503) if fail < faults.api_5xx_rate else None,
        hang_seconds=faults.api_timeout_seconds if hang < faults.api_timeout_rate else 0.0,
        latency_seconds=faults.api_latency_ms / 1000 if slow < faults.api_latency_rate else 0.0,
    )


class FaultInjector:
    """The knobs in force and their seeded generator, shared by the webhook dispatcher and the API."""

    def __init__(self, faults: Faults | None = None) -> None:
        self._lock = threading.Lock()
        self._faults = faults or Faults()
        self._rng = random.Random(self._faults.seed)
        self._injected: Counter[str] = Counter()

    @property
    def faults(self) -> Faults:
        with self._lock:
            return self._faults

    def set(self, faults: Faults) -> None:
        """Replace the knobs; the generator restarts from the seed, so a rehearsal replays."""
        with self._lock:
            self._faults = faults
            self._rng = random.Random(faults.seed)

    def update(self, changes: dict[str, Any]) -> Faults:
        faults = self.faults.updated(changes)
        self.set(faults)
        return faults

    def decide_webhook(self) -> WebhookFaultDecision:
        with self._lock:
            decision = decide_webhook(self._faults, self._rng)
            self._injected.update(f"webhook_{label}" for label in decision.labels)
            return decision

    def api_fault(self) -> ApiFaultDecision:
        with self._lock:
            decision = api_fault(self._faults, self._rng)
            self._injected.update(f"api_{label}" for label in decision.labels)
            return decision

    def injected(self) -> dict[str, int]:
        """How many faults of each kind were injected since the sandbox started (changing the knobs keeps
        the counts): per webhook delivery decided and per Admin API request."""
        with self._lock:
            return {kind: self._injected[kind] for kind in INJECTED_KINDS}


_5XX_MESSAGES = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


def api_error_response(status: int) -> Response:
    """A Shopify-like 5xx: GraphQL-shaped errors with a request id, no Retry-After."""
    request_id = str(uuid.uuid4())
    message = f"{_5XX_MESSAGES.get(status, 'Internal Server Error')}. Request ID: {request_id}"
    body = {"errors": [{"message": message, "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}}]}
    return JSONResponse(body, status_code=status, headers={"X-Request-Id": request_id})


Sleep = Callable[[float], Awaitable[Any]]


class FaultsMiddleware:
    """ASGI middleware applying the API faults to requests under `path_prefix` (the Admin API only,
    so the `/sandbox/...` controls that switch faults off stay reachable)."""

    def __init__(
        self, app: ASGIApp, injector: FaultInjector, *, path_prefix: str = "/admin/api/", sleep: Sleep = asyncio.sleep
    ) -> None:
        self.app = app
        self.injector = injector
        self.path_prefix = path_prefix
        self._sleep = sleep

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.path_prefix):
            await self.app(scope, receive, send)
            return
        decision = self.injector.api_fault()
        if decision.latency_seconds:
            await self._sleep(decision.latency_seconds)
        if decision.hang_seconds:
            await self._sleep(decision.hang_seconds)
            await api_error_response(504)(scope, receive, send)
        elif decision.status is not None:
            await api_error_response(decision.status)(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def faults_routes(injector: FaultInjector, path: str = "/sandbox/faults") -> list[Route]:
    """`GET path` shows the knobs; `POST path {"webhook_drop_rate": 0.1, ...}` changes some of them
    (the others keep their values; the generator restarts from the seed). 400 on bad input.
    `GET path/injected`: how many faults of each kind were injected so far."""

    async def show(_request: Request) -> Response:
        return JSONResponse(injector.faults.to_json())

    async def injected(_request: Request) -> Response:
        return JSONResponse(injector.injected())

    async def change(request: Request) -> Response:
        try:
            changes = json.loads(await request.body() or b"{}")
            if not isinstance(changes, dict):
                raise InvalidFaults("expected a JSON object of knobs")
            return JSONResponse(injector.update(changes).to_json())
        except (ValueError, InvalidFaults) as error:
            return JSONResponse({"errors": str(error)}, status_code=400)

    return [
        Route(path, show, methods=["GET"]),
        Route(path, change, methods=["POST"]),
        Route(f"{path}/injected", injected, methods=["GET"]),
    ]
