"""The real sandbox app served by uvicorn on 127.0.0.1 in a thread, for the `trade` command's tests."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from shopify_sandbox.app import create_app
from shopify_sandbox.config import SandboxConfig
from shopify_sandbox.faults import FaultInjector, FaultsMiddleware, faults_routes

TOKEN = "shpat_trade_test"


@contextmanager
def live_sandbox(config: SandboxConfig, faults: FaultInjector | None = None) -> Iterator[str]:
    """Yields the base URL of a running sandbox (with API faults injected, if given)."""
    app = create_app(config)
    if faults is not None:
        app.add_middleware(FaultsMiddleware, injector=faults)
        app.router.routes.extend(faults_routes(faults))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            threading.Event().wait(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
