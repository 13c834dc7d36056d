"""Fixtures of the contract tests: every Store (the in-memory fake, SqlStore on SQLite and on PostgreSQL) and
the clock they run on. A module that needs other stores defines its own `store` fixture."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.contract.stores import Clock
from tests.fakes.store import InMemoryStore
from tests.support.postgres import postgres_template, postgres_url  # noqa: F401
from trueup.adapters.storage import SqlStore, upgrade
from trueup.service_layer.ports import Store


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> Iterator[Store]:
    if request.param == "memory":
        yield InMemoryStore(clock)
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'trueup.db'}"
        upgrade(url)
    else:
        url = request.getfixturevalue("postgres_url")
    sql_store = SqlStore(url, clock)
    yield sql_store
    sql_store.close()
