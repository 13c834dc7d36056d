"""A synchronous client for an ASGI app in tests, on one event loop kept for the client's life."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx


class AppClient:
    """Calls an ASGI app in-process (httpx's ASGI transport, no sockets)."""

    def __init__(self, app: Any) -> None:
        self._runner = asyncio.Runner()
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://trueup.test")

    def post(self, url: str, content: bytes | Iterator[bytes], headers: dict[str, str]) -> httpx.Response:
        body: bytes | AsyncIterator[bytes] = content if isinstance(content, bytes) else _async(content)
        return self._runner.run(self._client.post(url, content=body, headers=headers))

    def get(self, url: str) -> httpx.Response:
        return self._runner.run(self._client.get(url))

    def close(self) -> None:
        self._runner.run(self._client.aclose())
        self._runner.close()


async def _async(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk
