"""Factories for the webhook tests: a dispatcher on a manual clock, a fake transport, a real receiver."""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shopify_sandbox.clock import ManualClock
from shopify_sandbox.faults import FaultInjector, Faults
from shopify_sandbox.webhooks import InMemorySubscriptionRegistry, RecordingTransport, SendResult, WebhookDispatcher
from shopify_sandbox.webhooks.transport import Transport

SECRET = "shpss_sandbox_secret_for_tests"
SHOP = "trueup-test.myshopify.com"


@dataclass
class Rig:
    clock: ManualClock
    registry: InMemorySubscriptionRegistry
    dispatcher: WebhookDispatcher
    transport: Any
    injector: FaultInjector


def make_rig(
    *, answer: int = 200, transport: Transport | None = None, faults: Faults | None = None, **options: Any
) -> Rig:
    """A dispatcher on a ManualClock; by default a fake transport answering `answer` to everything."""
    clock = ManualClock()
    registry = InMemorySubscriptionRegistry(clock)
    transport = transport or RecordingTransport(lambda _url: SendResult(answer))
    injector = FaultInjector(faults or Faults())
    dispatcher = WebhookDispatcher(
        registry, api_secret=SECRET, shop_domain=SHOP, clock=clock, transport=transport, faults=injector, **options
    )
    return Rig(clock, registry, dispatcher, transport, injector)


def order_payload(order_id: int = 1001) -> dict[str, Any]:
    return {"id": order_id, "name": f"#{order_id}", "total_price": "12.50", "note": "café ☕"}


@dataclass
class ReceivedRequest:
    path: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 in a thread. `/ok` answers 200, `/fail` 500, `/slow` answers
    after `slow_seconds`."""

    slow_seconds: float = 2.0
    received: list[ReceivedRequest] = field(default_factory=list)
    port: int = 0

    def app(self) -> Starlette:
        async def handle(request: Request) -> Response:
            self.received.append(ReceivedRequest(request.url.path, await request.body(), dict(request.headers)))
            if request.url.path == "/slow":
                await asyncio.sleep(self.slow_seconds)
            return Response(status_code=500 if request.url.path == "/fail" else 200)

        return Starlette(routes=[Route("/{name}", handle, methods=["POST"])])

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def __enter__(self) -> Receiver:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app(), log_level="warning", lifespan="off", timeout_graceful_shutdown=5)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        while not self._server.started:
            threading.Event().wait(0.01)
        self._socket = sock
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._socket.close()
