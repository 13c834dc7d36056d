"""`trueup serve`: the intake web app on uvicorn, wired from the configuration.

uvicorn bounds the time a connection may sit idle between requests, but not the time a client takes to
send a request's headers; `GuardedHttpProtocol` adds that bound and one on the headers' size, so a
connection that dribbles its headers is closed instead of held (the body's own bounds are the app's).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import structlog
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from trueup import bootstrap
from trueup.config import ServerConfig, TrueupConfig
from trueup.domain.errors import BadInput
from trueup.entrypoints.http import IntakeLimits, create_app
from trueup.entrypoints.install_routes import install_routes
from trueup.service_layer.intake import Intake

log = structlog.get_logger(__name__)


class HeadersTooLarge(Exception):
    """The request's headers pass the configured size."""


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing a connection whose request headers take longer than
    `header_seconds` (from the connection, or the previous answer) or pass `header_bytes`."""

    header_seconds = 10.0
    header_bytes = 32_768

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._header_received = 0
        self._header_fields = 0

    def _arm_header_timer(self) -> None:
        self._disarm_header_timer()
        self._header_received = 0
        self._header_timer = self.loop.call_later(self.header_seconds, self._headers_too_slow)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            log.info("http.headers_too_slow", seconds=self.header_seconds)
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        waiting_for_headers = self._header_timer is not None
        super().data_received(data)
        # Counted only while the headers are still incomplete after this chunk: a chunk that ends them
        # may carry much of the body, which is the app's to bound.
        if waiting_for_headers and self._header_timer is not None:
            self._header_received += len(data)
            if self._header_received > self.header_bytes and not self.transport.is_closing():
                self._disarm_header_timer()
                log.info("http.headers_too_large", limit=self.header_bytes)
                self.send_400_response("Request headers too large.")

    def on_message_begin(self) -> None:
        self._header_fields = 0
        super().on_message_begin()

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_fields += len(name) + len(value)
        if self._header_fields > self.header_bytes:
            log.info("http.headers_too_large", limit=self.header_bytes)
            # Raised inside the parser's callback: uvicorn answers 400 and closes the connection.
            raise HeadersTooLarge
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._disarm_header_timer()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self.pipeline:  # a pipelined request has its headers
            self._arm_header_timer()


def guarded_protocol(server: ServerConfig) -> type[GuardedHttpProtocol]:
    """The protocol class with the configured header bounds (uvicorn takes a class, not an instance)."""
    attributes = {"header_seconds": server.header_read_seconds, "header_bytes": server.max_header_bytes}
    return type("ConfiguredHttpProtocol", (GuardedHttpProtocol,), attributes)


def intake_limits(server: ServerConfig) -> IntakeLimits:
    return IntakeLimits(
        max_body_bytes=server.max_body_bytes,
        body_read_seconds=server.body_read_seconds,
        max_buffered_bytes=server.max_buffered_bytes,
    )


def build_http_app(config: TrueupConfig) -> Starlette:
    secrets = bootstrap.webhook_secrets(config)  # a missing or empty secret stops here, naming its shop
    store = bootstrap.build_store(config)
    age = config.server.max_delivery_age_seconds
    intake = Intake(store, max_age=timedelta(seconds=age) if age else None)
    app = create_app(intake, secrets, intake_limits(config.server))
    app.router.routes.extend(install_routes_of(config))
    return app


def install_routes_of(config: TrueupConfig) -> list[Route]:
    """`/shopify/install` and `/shopify/callback` when a shop is installed by authorization code (none otherwise)."""
    shops = bootstrap.installable_shops(config)
    if not shops:
        return []
    public_url, vault = config.server.public_url, bootstrap.build_token_vault(config)
    if public_url is None:
        raise BadInput(
            f"shops {', '.join(shops)} are installed by authorization code: set server.public_url (where Shopify "
            "sends the merchant back, <public_url>/shopify/callback)"
        )
    assert vault is not None  # the configuration requires [token_store] for these shops
    return install_routes(shops, public_url, vault, bootstrap.SystemClock().now)


def run_http_service(config: TrueupConfig) -> None:
    server = config.server
    uvicorn.run(
        build_http_app(config),
        host=server.host,
        port=server.port,
        http=guarded_protocol(server),
        limit_concurrency=server.max_connections,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=10,
    )
