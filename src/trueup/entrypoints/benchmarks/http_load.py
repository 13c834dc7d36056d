"""A lean HTTP/1.1 load generator on asyncio streams: keep-alive connections, one request in flight each.

httpx was measured at ~600 requests/s at best on this 2-core machine (and less as connections are
added), so it would measure itself rather than the server; this client does several thousand.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0


def encode_post(path: str, host: str, body: bytes, headers: dict[str, str]) -> bytes:
    """The bytes of one HTTP/1.1 POST request with a Content-Length."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def _connection(
    host: str, port: int, requests: Iterator[bytes], result: LoadResult, deadline: float | None
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for request in requests:
            if deadline is not None and time.perf_counter() > deadline:
                return
            started = time.perf_counter()
            writer.write(request)
            status = await _read_response(reader)
            result.latencies.append(time.perf_counter() - started)
            result.statuses[status] = result.statuses.get(status, 0) + 1
    finally:
        writer.close()


async def fire(
    host: str, port: int, requests: list[bytes], concurrency: int, deadline: float | None = None
) -> LoadResult:
    """Send `requests` over `concurrency` keep-alive connections (until `deadline`, a perf_counter value)."""
    result = LoadResult()
    shared = iter(requests)
    started = time.perf_counter()
    await asyncio.gather(*(_connection(host, port, shared, result, deadline) for _ in range(concurrency)))
    result.seconds = time.perf_counter() - started
    return result
