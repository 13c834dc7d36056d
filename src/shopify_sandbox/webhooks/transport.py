"""Sending one webhook request: over HTTP with Shopify's timeouts, or to a fake for unit tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import httpx

CONNECT_TIMEOUT_SECONDS = 1.0
RESPONSE_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class SendResult:
    status_code: int | None  # None when no answer came (timeout, refused connection)
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Shopify counts any 2xx as delivered, anything else as a failure."""
        return self.status_code is not None and 200 <= self.status_code < 300


class Transport(Protocol):
    def send(self, url: str, body: bytes, headers: dict[str, str]) -> SendResult: ...

    def close(self) -> None: ...


class HttpTransport:
    """POSTs with httpx: 1 s to connect, 5 s to answer (both configurable so tests need not wait)."""

    def __init__(
        self, timeout: float = RESPONSE_TIMEOUT_SECONDS, connect_timeout: float = CONNECT_TIMEOUT_SECONDS
    ) -> None:
        self._timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None

    def _http(self) -> httpx.Client:
        # Opened on first use (and again after `close`), so a stopped dispatcher can start again.
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(timeout=self._timeout, follow_redirects=False)
            return self._client

    def send(self, url: str, body: bytes, headers: dict[str, str]) -> SendResult:
        try:
            response = self._http().post(url, content=body, headers=headers)
        except httpx.TimeoutException as error:
            return SendResult(None, f"timeout: {type(error).__name__}")
        except httpx.HTTPError as error:
            return SendResult(None, f"{type(error).__name__}: {error}")
        return SendResult(response.status_code)

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()


@dataclass(frozen=True)
class SentRequest:
    url: str
    body: bytes
    headers: dict[str, str]


class RecordingTransport:
    """A fake transport: records every request and answers with `respond(url)` (200 by default)."""

    def __init__(self, respond: Callable[[str], SendResult] | None = None) -> None:
        self._respond = respond or (lambda _url: SendResult(200))
        self._lock = threading.Lock()
        self.sent: list[SentRequest] = []

    def send(self, url: str, body: bytes, headers: dict[str, str]) -> SendResult:
        with self._lock:
            self.sent.append(SentRequest(url, body, dict(headers)))
        return self._respond(url)

    def close(self) -> None:
        return None
