"""`trueup serve` against the hostile-input corpus, on SQLite and on PostgreSQL: every request gets its
documented answer, slow and half-sent requests are cut off, no traceback and no body reaches the log, and
good deliveries sent alongside bad ones are all stored, once."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select

from tests.e2e.hostile_requests import EMAIL, SECRET, SHOP, cases, good, signed
from trueup.adapters.storage import SqlStore, upgrade
from trueup.adapters.storage.tables import deliveries
from trueup.config import write_secret_file
from trueup.entrypoints.benchmarks.intake import free_port

pytestmark = pytest.mark.slow

TRUEUP = str(Path(sys.executable).parent / "trueup")
CONFIG = """
[storage]
url = "{url}"

[back_office]
database = "unused"
password = {{ env = "HOSTILE_UNUSED_PASSWORD" }}

[[shops]]
domain = "{shop}"
access_token = {{ env = "HOSTILE_UNUSED_TOKEN" }}
api_secret = {{ file = "secret.txt" }}

[server]
port = {port}
max_body_bytes = 65536
body_read_seconds = 1.0
header_read_seconds = 1.0
max_header_bytes = 32768
max_connections = {max_connections}
"""
MAX_CONNECTIONS = 80


class Served:
    def __init__(self, url: str, port: int, process: subprocess.Popen[bytes], log: Path) -> None:
        self.url, self.port, self.process, self.log = url, port, process, log
        self.base = f"http://127.0.0.1:{port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def write_config(folder: Path, url: str, port: int, secret: str = SECRET) -> Path:
    write_secret_file(folder / "secret.txt", secret)
    path = folder / "trueup.toml"
    path.write_text(CONFIG.format(url=url, shop=SHOP, port=port, max_connections=MAX_CONNECTIONS))
    return path


def wait_until_up(served: Served) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert served.process.poll() is None, served.log_text()
        try:
            if httpx.get(served.base + "/healthz").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("trueup serve did not answer in time")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'intake.db'}"
        upgrade(url)
        return url
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def served(store_url: str, tmp_path: Path) -> Iterator[Served]:
    port = free_port()
    config = write_config(tmp_path, store_url, port)
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([TRUEUP, "serve", "--config", str(config)], stdout=sink, stderr=sink)
    running = Served(store_url, port, process, log)
    try:
        wait_until_up(running)
        yield running
    finally:
        process.terminate()
        process.wait(timeout=30)


def stored_deliveries(url: str) -> dict[str, str | None]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(select(deliveries.c.webhook_id, deliveries.c.problem)).all()
    engine.dispose()
    return {webhook_id: problem for webhook_id, problem in rows}


def raw(port: int, data: bytes, then_wait: float) -> bytes:
    """Send `data` on a fresh connection, wait, and return what the server said before closing (or b"")."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(data)
        time.sleep(then_wait)
        received = b""
        try:
            while chunk := conn.recv(65536):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return received


def request_head(length: int, extra: str = "") -> bytes:
    return (f"POST /webhooks/shopify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {length}\r\n{extra}\r\n").encode()


def test_each_hostile_request_gets_its_documented_answer(served: Served) -> None:
    corpus = cases()
    answers = []
    with httpx.Client(base_url=served.base) as client:
        for case in corpus:
            response = client.request(case.method, case.path, content=case.body, headers=case.headers)
            answers.append((case.name, response.status_code, response.text))

    assert [(name, status) for name, status, _ in answers] == [(case.name, case.status) for case in corpus]
    kept = stored_deliveries(served.url)
    for case, (_, _, text) in zip(corpus, answers, strict=True):
        webhook_id = case.headers.get("X-Shopify-Webhook-Id")
        if case.status == 200 and case.stored is None:
            assert "duplicate" in text, case.name
        elif case.stored is not None:
            assert webhook_id in kept, case.name
            assert kept[webhook_id] == (case.stored or None), case.name
        elif webhook_id is not None and len(webhook_id) <= 255:
            assert webhook_id not in kept, case.name
    served.process.terminate()  # the refusal counts are written at the latest on the way out
    served.process.wait(timeout=30)
    with SqlStore(served.url) as store:
        refused = store.intake_stats().refused
    assert refused == dict(Counter(case.refused for case in corpus if case.refused))
    log = served.log_text()
    assert "Traceback" not in log
    assert EMAIL not in log


def test_slow_oversized_and_abandoned_requests_are_cut_off_in_one_line_each(served: Served) -> None:
    body, headers = signed()
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())

    dribbled_headers = raw(served.port, b"POST /webhooks/shopify HTTP/1.1\r\nHost: x\r\n", then_wait=2.0)
    slow_body = raw(served.port, request_head(len(body), head) + body[:10], then_wait=2.0)
    huge_headers = raw(served.port, request_head(10, "X-Filler: " + "f" * 40_000 + "\r\n"), then_wait=0.5)
    with socket.create_connection(("127.0.0.1", served.port)) as hung_up:
        hung_up.sendall(request_head(len(body), head) + body[:10])
    time.sleep(0.5)

    assert dribbled_headers == b"", "closed without an answer once the header time is up"
    assert slow_body.startswith(b"HTTP/1.1 408")
    assert huge_headers.startswith(b"HTTP/1.1 400")
    with httpx.Client(base_url=served.base) as client:
        assert client.post("/webhooks/shopify", content=body, headers=headers).status_code == 200
    log = served.log_text()
    assert "Traceback" not in log
    assert log.count("webhook.client_hung_up") == 1
    assert "http.headers_too_slow" in log


def test_past_the_connection_limit_requests_get_503_until_idle_connections_are_closed(served: Served) -> None:
    body, headers = signed()
    request = request_head(len(body), "".join(f"{n}: {v}\r\n" for n, v in headers.items())) + body
    idle = [socket.create_connection(("127.0.0.1", served.port)) for _ in range(MAX_CONNECTIONS)]
    try:
        time.sleep(0.2)  # all accepted
        over_the_limit = raw(served.port, request, then_wait=0.3)
        time.sleep(1.5)  # the idle ones send no headers: closed after header_read_seconds
        freed = raw(served.port, request, then_wait=0.5)
    finally:
        for connection in idle:
            connection.close()

    assert over_the_limit.startswith(b"HTTP/1.1 503")
    assert freed.startswith(b"HTTP/1.1 200")
    assert "Traceback" not in served.log_text()


def test_good_deliveries_sent_alongside_bad_ones_are_all_stored_once(served: Served) -> None:
    bad_variants = [
        {"X-Shopify-Topic": "orders/" + "x" * 293},
        {"X-Shopify-Webhook-Id": "w" * 300},
        {"X-Shopify-API-Version": "v" * 40},
        {"X-Shopify-Hmac-Sha256": "bad"},
    ]
    goods = [good(50_000 + n) for n in range(120)]
    bads = []
    for n in range(120):
        body, headers = signed()
        bads.append((body, {**headers, **bad_variants[n % len(bad_variants)]}))
    mixed = [item for pair in zip(goods, bads, strict=True) for item in pair]

    async def fire() -> list[int]:
        limits = httpx.Limits(max_connections=60)
        async with httpx.AsyncClient(base_url=served.base, limits=limits, timeout=30) as client:
            posts = [client.post("/webhooks/shopify", content=b, headers=h) for b, h in mixed + goods[:20]]
            return [r.status_code for r in await asyncio.gather(*posts)]

    statuses = asyncio.run(fire())

    assert statuses[: 2 * 120 : 2] == [200] * 120
    assert Counter(statuses[1 : 2 * 120 : 2]) == {400: 90, 401: 30}
    assert statuses[2 * 120 :] == [200] * 20, "the repeats are answered 200 (duplicate)"
    kept = stored_deliveries(served.url)
    assert {h["X-Shopify-Webhook-Id"] for _, h in goods} <= set(kept)
    assert len(kept) == 120
    assert "Traceback" not in served.log_text()


def test_an_empty_secret_file_stops_serve_at_start_naming_the_shop(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    config = write_config(tmp_path, url, free_port(), secret="   ")
    result = subprocess.run(
        [TRUEUP, "serve", "--config", str(config)], capture_output=True, text=True, timeout=60, env=dict(os.environ)
    )

    assert result.returncode == 2
    assert SHOP in result.stderr
    assert "empty" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) <= 3
