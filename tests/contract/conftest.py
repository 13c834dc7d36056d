"""Fixtures of the contract tests, one per port: `erp`, every back-office under test (the fake, Tryton on a real
trytond) with its harness (back_office_harness.py); `store`, every Store (the in-memory fake, SqlStore on
SQLite and on PostgreSQL) and the clock they run on. The Shopify contract modules each build the fake and the
sandbox-backed client they compare."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.contract.back_office_harness import BackOfficeHarness, FakeHarness, TrytonHarness
from tests.contract.stores import Clock
from tests.fakes.store import InMemoryStore
from tests.support.tryton import connect
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


@pytest.fixture(params=["fake", pytest.param("tryton", marks=pytest.mark.tryton)])
def erp(request: pytest.FixtureRequest) -> Iterator[BackOfficeHarness]:
    """A back-office under test with its harness: the fake, then Tryton on the session's trytond."""
    if request.param == "fake":
        yield FakeHarness()
        return
    with connect(request.getfixturevalue("tryton_server")) as client:
        yield TrytonHarness(client)
