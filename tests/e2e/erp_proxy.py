"""A proxy between trueup and trytond that kills trytond at one exact moment: once it has answered a given
JSON-RPC call (by default a sale's confirm), before that answer is passed on. Nothing is timed: the kill
follows the answer itself, so trueup has seen the call succeed and can make no other call to that server."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import httpx

CONFIRM = "model.sale.sale.confirm"


class KillingProxy:
    """Forwards every call to `upstream`; after `upstream` has answered `method` successfully, calls `kill`
    (at most `kills` times), then passes the answer on. `crashes` gets the ids of the records each killed
    call was made for. A call `upstream` cannot take is answered HTTP 502, as a gateway would."""

    def __init__(self, kills: int, method: str = CONFIRM) -> None:
        self.method = method
        self.kills_left = kills
        self.upstream: str | None = None  # set once the server behind it is known
        self.kill: Callable[[], None] = lambda: None
        self.crashes: queue.Queue[list[int]] = queue.Queue()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="erp-proxy", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> KillingProxy:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def forward(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, str]:
        """Status, body and content type of `upstream`'s answer; trytond killed first if this is the moment."""
        if self.upstream is None:
            return 502, b"no server behind the proxy yet", "text/plain"
        try:
            answer = httpx.post(self.upstream + path, content=body, headers=headers, timeout=120)
        except httpx.TransportError:
            return 502, b"the server behind the proxy is unreachable", "text/plain"
        call = json.loads(body or b"{}")
        if call.get("method") == self.method and answer.status_code == 200 and _succeeded(answer.content):
            with self._lock:
                if self.kills_left > 0:
                    self.kills_left -= 1
                    self.kill()
                    self.crashes.put(list(call["params"][0]))
        return answer.status_code, answer.content, answer.headers.get("content-type", "application/json")


def _succeeded(content: bytes) -> bool:
    try:
        reply: dict[str, Any] = json.loads(content)
    except ValueError:
        return False
    return reply.get("error") is None


def _handler(proxy: KillingProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as trueup's client expects of trytond

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "authorization")}
            status, content, content_type = proxy.forward(self.path, body, headers)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
