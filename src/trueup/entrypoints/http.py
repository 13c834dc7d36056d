"""The HTTP entry point: Shopify's webhooks in (`POST /webhooks/shopify`, with or without a trailing slash), and
a health check.

Answers: 401 for a missing or bad signature or an unknown shop, 413 for a body over the limit, 408 for a
body not sent in time, 400 for a signed delivery whose identifying headers are missing, too long or not
readable, or whose X-Shopify-Triggered-At is older than the window (a replay), 503 when the store cannot
take it now or too many bodies are being read at once (Shopify retries), 200 once the delivery is durably
stored (duplicates too: Shopify must stop resending). A request body is never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass

import structlog
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from trueup.adapters.shopify import webhooks
from trueup.domain.errors import BadInput
from trueup.service_layer.intake import Intake

log = structlog.get_logger(__name__)

DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class IntakeLimits:
    """What one request, and all requests together, may cost before the signature is checked."""

    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    body_read_seconds: float = 10.0  # the whole body, from the end of the headers
    max_buffered_bytes: int = 32 * 1024 * 1024  # bodies being read, all requests together


class BodyTooLarge(Exception):
    """The request body is over the limit; raised as soon as that is known."""


class TooBusy(Exception):
    """Taking this body would pass the bytes all requests may hold at once."""


class BodyBudget:
    """The bytes held by bodies being read, across requests (one event loop: no lock needed)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0

    def take(self, size: int) -> None:
        if self.held + size > self.limit:
            raise TooBusy
        self.held += size

    def give_back(self, size: int) -> None:
        self.held -= size


async def read_body(request: Request, limit: int, budget: BodyBudget | None = None) -> bytes:
    """The whole body, read chunk by chunk and abandoned as soon as it passes `limit` bytes (or `budget`)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    budget = budget or BodyBudget(limit)
    if declared.isdigit() and budget.held + int(declared) > budget.limit:
        raise TooBusy  # refused before a byte of it is read: the connection closes, the kernel drops the rest
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge
            budget.take(len(chunk))
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        budget.give_back(sum(map(len, chunks)))


def _answer(status: int, message: str) -> Response:
    return JSONResponse({"status": message}, status_code=status)


def _stored(new: bool) -> Response:
    return Response(b'{"status":"stored"}' if new else b'{"status":"duplicate"}', 200, media_type="application/json")


def _signed_by_known_shop(headers: Mapping[str, str], body: bytes, secrets_by_shop: Mapping[str, str]) -> str | None:
    """Why the request is refused as unauthenticated, or None if it is signed with its shop's secret."""
    shop = headers.get(webhooks.SHOP_HEADER, "").strip().lower()
    secret = secrets_by_shop.get(shop)
    if not secret:  # an empty secret never authenticates anything
        return "unknown_shop"
    if not webhooks.signature_is_valid(body, secret, headers.get(webhooks.HMAC_HEADER)):
        return "bad_signature"
    return None


def _refuse(intake: Intake, reason: str, status: int, message: str, **fields: object) -> Response:
    intake.count_refused(reason)
    log.warning("webhook.refused", reason=reason, **fields)
    return _answer(status, message)


async def _read(request: Request, intake: Intake, limits: IntakeLimits, budget: BodyBudget) -> bytes | Response:
    try:
        async with asyncio.timeout(limits.body_read_seconds):
            return await read_body(request, limits.max_body_bytes, budget)
    except BodyTooLarge:
        return _refuse(intake, "body_too_large", 413, "body too large", limit=limits.max_body_bytes)
    except TooBusy:
        return _refuse(intake, "busy", 503, "try again")
    except TimeoutError:
        return _refuse(intake, "body_too_slow", 408, "body not received in time", seconds=limits.body_read_seconds)
    except ClientDisconnect:  # one line, no traceback: a hang-up is the client's business
        log.info("webhook.client_hung_up")
        return Response(status_code=400)


def webhook_endpoint(
    intake: Intake, secrets_by_shop: Mapping[str, str], limits: IntakeLimits
) -> Callable[[Request], Awaitable[Response]]:
    """The request handler of POST /webhooks/shopify."""
    secrets = {shop.lower(): secret for shop, secret in secrets_by_shop.items()}
    budget = BodyBudget(limits.max_buffered_bytes)

    async def receive_webhook(request: Request) -> Response:
        body = await _read(request, intake, limits, budget)
        if isinstance(body, Response):
            return body
        headers = dict(request.headers.items())  # one pass: Starlette's Headers scans its list on every get
        refusal = _signed_by_known_shop(headers, body, secrets)
        if refusal is not None:
            shop = headers.get(webhooks.SHOP_HEADER, "")[:255]
            return _refuse(intake, refusal, 401, "unauthorized", shop=shop)
        try:
            delivery = webhooks.read_delivery(headers, body, intake.clock())
        except BadInput as error:
            return _refuse(intake, "bad_request", 400, str(error), detail=str(error))
        if intake.is_stale(delivery):
            return _refuse(intake, "too_old", 400, "delivery too old", shop=delivery.shop, topic=delivery.topic)
        try:
            new = await intake.receive(delivery)
        except Exception as error:
            log.warning("webhook.not_stored", error=type(error).__name__, shop=delivery.shop, topic=delivery.topic)
            return _answer(503, "try again")
        # No log line per stored webhook: at thousands a second it would cost more than the storing.
        return _stored(new)

    return receive_webhook


async def healthz(_: Request) -> Response:
    """Liveness: the process answers."""
    return _answer(200, "ok")


def create_app(intake: Intake, secrets_by_shop: Mapping[str, str], limits: IntakeLimits | None = None) -> Starlette:
    """The intake web app. `secrets_by_shop` maps each shop domain to its app's API secret."""

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        intake.start()
        try:
            yield
        finally:
            intake.stop()

    endpoint = webhook_endpoint(intake, secrets_by_shop, limits or IntakeLimits())
    routes = [
        # Both spellings: Shopify does not follow the redirect Starlette would answer for the other one.
        Route("/webhooks/shopify", endpoint, methods=["POST"]),
        Route("/webhooks/shopify/", endpoint, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
