"""The HTTP entry point: Shopify's webhooks in (`POST /webhooks/shopify`), and a health check.

Answers: 401 for a missing or bad signature or an unknown shop, 413 for a body over the limit, 400 for a
signed delivery without the headers that identify it, 503 when the store cannot take it now (Shopify
retries), 200 once the delivery is durably stored (duplicates too: Shopify must stop resending).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from trueup.adapters.shopify import webhooks
from trueup.domain.errors import BadInput, TransientError
from trueup.service_layer.intake import Intake

log = structlog.get_logger(__name__)

DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024


class BodyTooLarge(Exception):
    """The request body is over the limit; raised as soon as that is known."""


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, read chunk by chunk and abandoned as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(status: int, message: str) -> Response:
    return JSONResponse({"status": message}, status_code=status)


def _stored(new: bool) -> Response:
    return Response(b'{"status":"stored"}' if new else b'{"status":"duplicate"}', 200, media_type="application/json")


def _signed_by_known_shop(headers: Mapping[str, str], body: bytes, secrets_by_shop: Mapping[str, str]) -> str | None:
    """Why the request is refused as unauthenticated, or None if it is signed with its shop's secret."""
    shop = headers.get(webhooks.SHOP_HEADER, "").strip().lower()
    secret = secrets_by_shop.get(shop)
    if secret is None:
        return "unknown_shop"
    if not webhooks.signature_is_valid(body, secret, headers.get(webhooks.HMAC_HEADER)):
        return "bad_signature"
    return None


def webhook_endpoint(
    intake: Intake, secrets_by_shop: Mapping[str, str], max_body_bytes: int
) -> Callable[[Request], Awaitable[Response]]:
    """The request handler of POST /webhooks/shopify."""
    secrets = {shop.lower(): secret for shop, secret in secrets_by_shop.items()}

    async def receive_webhook(request: Request) -> Response:
        try:
            body = await read_body(request, max_body_bytes)
        except BodyTooLarge:
            log.warning("webhook.refused", reason="body_too_large", limit=max_body_bytes)
            return _answer(413, "body too large")
        headers = dict(request.headers.items())  # one pass: Starlette's Headers scans its list on every get
        refusal = _signed_by_known_shop(headers, body, secrets)
        if refusal is not None:
            log.warning("webhook.refused", reason=refusal, shop=headers.get(webhooks.SHOP_HEADER, "")[:255])
            return _answer(401, "unauthorized")
        try:
            delivery = webhooks.read_delivery(headers, body, intake.clock())
        except BadInput as error:
            log.warning("webhook.refused", reason="bad_request", detail=str(error))
            return _answer(400, str(error))
        try:
            new = await intake.receive(delivery)
        except TransientError as error:
            log.warning("webhook.not_stored", reason=str(error), shop=delivery.shop, topic=delivery.topic)
            return _answer(503, "try again")
        # No log line per stored webhook: at thousands a second it would cost more than the storing.
        return _stored(new)

    return receive_webhook


async def healthz(_: Request) -> Response:
    """Liveness: the process answers."""
    return _answer(200, "ok")


def create_app(
    intake: Intake, secrets_by_shop: Mapping[str, str], max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
) -> Starlette:
    """The intake web app. `secrets_by_shop` maps each shop domain to its app's API secret."""

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        intake.start()
        try:
            yield
        finally:
            intake.stop()

    routes = [
        Route("/webhooks/shopify", webhook_endpoint(intake, secrets_by_shop, max_body_bytes), methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
