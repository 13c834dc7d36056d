"""The console's web app: routes, templates (Jinja2, autoescaped), static files, security headers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trueup.entrypoints.console import api, pages
from trueup.entrypoints.console.auth import Gate, signed_in
from trueup.entrypoints.console.deps import ConsoleDeps
from trueup.entrypoints.console.metrics import metrics_endpoint

HERE = Path(__file__).parent
# Scripts and styles from the console itself only; nothing framed; no referrer leaves it.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def when(value: datetime | str | None) -> str:
    """A moment as people read it: "2026-11-27 09:00:05" (UTC)."""
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def templates() -> Jinja2Templates:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    environment.filters["when"] = when
    return Jinja2Templates(env=environment)


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_console_app(deps: ConsoleDeps, gate: Gate, metrics_token: str | None = None) -> Starlette:
    """The console for `deps`; `gate` says who may come in."""
    metrics, bearer_ok = metrics_endpoint(deps, metrics_token)
    metrics_with_session = signed_in(metrics)

    async def metrics_gate(request: Request) -> Response:
        return await (metrics(request) if bearer_ok(request) else metrics_with_session(request))

    routes = [
        Route("/login", pages.login_page, methods=["GET"]),
        Route("/login", pages.login, methods=["POST"]),
        Route("/logout", signed_in(pages.logout), methods=["POST"]),
        Route("/", signed_in(pages.overview_page)),
        Route("/exceptions", signed_in(pages.exceptions_page)),
        Route("/actions/preview", signed_in(pages.preview), methods=["POST"]),
        Route("/actions/confirm", signed_in(pages.confirm), methods=["POST"]),
        Route("/orders", signed_in(pages.orders_page)),
        Route("/orders/by-email", signed_in(pages.orders_by_email_page), methods=["POST"]),
        Route("/order", signed_in(pages.order_page)),
        Route("/stock", signed_in(pages.stock_page)),
        Route("/activity", signed_in(pages.activity_page)),
        Route("/audit", signed_in(pages.audit_page)),
        Route("/api/overview", signed_in(api.api_overview)),
        Route("/api/exceptions", signed_in(api.api_exceptions)),
        Route("/api/orders", signed_in(api.api_orders)),
        Route("/api/orders/by-email", signed_in(api.api_orders_by_email), methods=["POST"]),
        Route("/api/order", signed_in(api.api_order)),
        Route("/api/stock", signed_in(api.api_stock)),
        Route("/api/activity", signed_in(api.api_activity)),
        Route("/api/audit", signed_in(api.api_audit)),
        Route("/api/actions/preview", signed_in(api.api_preview), methods=["POST"]),
        Route("/api/actions", signed_in(api.api_act), methods=["POST"]),
        Route("/metrics", metrics_gate),
        Route("/healthz", healthz),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])
    app.state.deps, app.state.gate, app.state.templates = deps, gate, templates()
    return app


__all__ = ["create_console_app"]
