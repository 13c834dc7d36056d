"""The engine's refund tests (tests/unit/engine/test_refunds.py) again, on SQLite and on PostgreSQL."""

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from tests.unit.engine.harness import Engine
from tests.unit.engine.test_refunds import *  # noqa: F403 - the same tests, collected here with this engine
from trueup.adapters.storage import SqlStore, upgrade


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'engine.db'}"
        upgrade(url)
    else:
        url = request.getfixturevalue("postgres_url")
    stores: list[SqlStore] = []

    def real_store(clock: Callable[[], datetime]) -> SqlStore:
        stores.append(SqlStore(url, clock=clock))
        return stores[-1]

    yield Engine(store_factory=real_store)
    for store in stores:
        store.close()
