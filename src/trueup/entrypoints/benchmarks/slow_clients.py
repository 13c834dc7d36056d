"""Hostile slow connections for the intake benchmark: a third dribble their headers a byte at a time, a third
send headers and then dribble a large body, a third send most of a large body at once and stall (half-sent
bodies). Each reconnects a second after the server closes it, so about `count` stay open the whole time. They run
in a process of their own (`attack_in_background`), not to take the load generator's CPU."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
from collections.abc import Awaitable, Callable
from multiprocessing.process import BaseProcess

Attack = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
HEAD = "POST /webhooks/shopify HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
BODY_SIZE = 1_900_000


class SlowClients:
    def __init__(self, host: str, port: int, count: int, pause: float = 0.5) -> None:
        self.host, self.port, self.count, self.pause = host, port, count, pause
        self._tasks: list[asyncio.Task[None]] = []
        self.connections = 0
        self.closed_by_server = 0

    async def start(self) -> None:
        kinds = itertools.cycle((self._dribbled_headers, self._dribbled_body, self._half_sent_body))
        self._tasks = [asyncio.create_task(self._forever(next(kinds))) for _ in range(self.count)]
        await asyncio.sleep(2 * self.pause)  # all connected and sending before the load starts

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def report(self) -> dict[str, int]:
        return {"connections_opened": self.connections, "closed_by_server": self.closed_by_server}

    async def _forever(self, attack: Attack) -> None:
        while True:
            try:
                reader, writer = await asyncio.open_connection(self.host, self.port)
            except OSError:
                await asyncio.sleep(self.pause)
                continue
            self.connections += 1
            try:
                await attack(reader, writer)
            except (ConnectionError, OSError):
                pass
            finally:
                self.closed_by_server += 1
                writer.close()
            await asyncio.sleep(1.0)

    async def _trickle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes) -> None:
        for byte in data:
            if reader.at_eof():
                return
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(self.pause)
        await reader.read()  # whatever the server answers, until it closes

    async def _dribbled_headers(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self._trickle(reader, writer, (HEAD + "X-Shopify-Topic: orders/create\r\n" * 100).encode())

    async def _dribbled_body(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(f"{HEAD}Content-Length: {BODY_SIZE}\r\n\r\n".encode())
        await self._trickle(reader, writer, b"x" * BODY_SIZE)

    async def _half_sent_body(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(f"{HEAD}Content-Length: {BODY_SIZE + 100_000}\r\n\r\n".encode() + b"x" * BODY_SIZE)
        await writer.drain()
        await reader.read()  # stalled: the rest never comes


def _attack(host: str, port: int, count: int) -> None:
    async def forever() -> None:
        await SlowClients(host, port, count).start()
        await asyncio.Event().wait()

    asyncio.run(forever())


def attack_in_background(host: str, port: int, count: int) -> BaseProcess:
    """`count` slow connections to host:port from another process, until it is terminated."""
    process = multiprocessing.get_context("spawn").Process(target=_attack, args=(host, port, count), daemon=True)
    process.start()
    return process
