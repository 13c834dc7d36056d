"""The console over a real SQLite store, driven through Starlette's test client (HTTPS, so that the Secure
cookies travel): three people, one per role."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():  # Starlette now prefers httpx2 for its test client; httpx still drives it
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from tests.unit.console.people_support import CHEAP, PASSWORD, MovingClock
from trueup.adapters.storage import SqlStore, upgrade
from trueup.adapters.storage.console_store import SqlConsoleStore
from trueup.bootstrap import finding_sources
from trueup.domain.people import Role
from trueup.entrypoints.console.app import create_console_app
from trueup.entrypoints.console.auth import Gate
from trueup.entrypoints.console.deps import ConsoleDeps
from trueup.service_layer.people import People, add_user

SHOP = "alpha.myshopify.com"
METRICS_TOKEN = "scrape-me-please"
EMAIL_KEY = b"the console tests' e-mail index k"


@dataclass
class Console:
    store: SqlStore
    records: SqlConsoleStore
    clock: MovingClock
    app: object

    def client(self) -> TestClient:
        return TestClient(self.app, base_url="https://testserver")  # type: ignore[arg-type]

    def signed_in(self, username: str) -> TestClient:
        client = self.client()
        page = client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        answer = client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf": token, "next": "/"},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        return client


def csrf_of(page_text: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page_text).group(1)  # type: ignore[union-attr]


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    url = f"sqlite:///{tmp_path / 'trueup.db'}"
    upgrade(url)
    clock = MovingClock()
    store, records = SqlStore(url, clock.now), SqlConsoleStore(url)
    for name, role in (("vic", Role.VIEWER), ("olga", Role.OPERATOR), ("ada", Role.ADMIN)):
        add_user(records, CHEAP, clock, name, role, PASSWORD)
    people = People(records, CHEAP, clock)
    deps = ConsoleDeps(
        store,
        records,
        people,
        clock,
        [SHOP],
        sources=finding_sources(store),  # as `trueup console` wires them
        alerts=records,
        email_keys={SHOP: EMAIL_KEY},
    )
    app = create_console_app(deps, Gate(people, session_seconds=3600), METRICS_TOKEN)
    yield Console(store, records, clock, app)
    records.close()
    store.close()
