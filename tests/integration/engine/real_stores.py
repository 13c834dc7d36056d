"""The real stores the engine's tests run on again: a fresh SQLite file, or a PostgreSQL database cloned per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from trueup.adapters.storage import SqlStore, upgrade

STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

StoreFactory = Callable[[Callable[[], datetime]], SqlStore]


@contextmanager
def real_store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """A factory of stores on the database `request.param` names, each closed when the test ends."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'engine.db'}"
        upgrade(url)
    else:
        url = request.getfixturevalue("postgres_url")
    stores: list[SqlStore] = []

    def real_store(clock: Callable[[], datetime]) -> SqlStore:
        stores.append(SqlStore(url, clock=clock))
        return stores[-1]

    try:
        yield real_store
    finally:
        for store in stores:
            store.close()
