"""The delivery log over HTTP, for tests and demos: `GET /sandbox/webhooks/deliveries`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from shopify_sandbox.webhooks.dispatcher import WebhookDispatcher


def delivery_routes(dispatcher: WebhookDispatcher, path: str = "/sandbox/webhooks/deliveries") -> list[Route]:
    """`GET path[?topic=orders/create&status=failed]`: the deliveries with their attempts, plus a count
    by status and the number still queued."""

    async def deliveries(request: Request) -> Response:
        topic = request.query_params.get("topic")
        status = request.query_params.get("status")
        return JSONResponse(
            {
                "deliveries": dispatcher.log(topic=topic, status=status),
                "summary": dispatcher.summary(),
                "pending": dispatcher.pending(),
            }
        )

    return [Route(path, deliveries, methods=["GET"])]


def sandbox_routes(sandbox: Any) -> list[Route]:
    """A route provider for `extensions.ROUTE_PROVIDERS` ("shopify_sandbox.webhooks.inspection:sandbox_routes"):
    the delivery log of the sandbox's bus, when that bus is a WebhookDispatcher."""
    bus = getattr(getattr(sandbox, "config", None), "bus", None)
    return delivery_routes(bus) if isinstance(bus, WebhookDispatcher) else []
