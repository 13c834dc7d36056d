"""The engine's tests on every store: the in-memory fake, a fresh SQLite file and a PostgreSQL database cloned
per test. Shopify and the ERP are their fakes; the store's transactions are the real ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest

from tests.fakes.store import InMemoryStore
from tests.support.postgres import MEMORY
from tests.unit.engine.harness import Engine
from trueup.adapters.storage import SqlStore

StoreFactory = Callable[[Callable[[], datetime]], Any]


@pytest.fixture
def store_factory(state_url: str) -> Iterator[StoreFactory]:
    """Makes the engine's store on its clock; the real ones are closed when the test ends."""
    if state_url == MEMORY:
        yield InMemoryStore
        return
    stores: list[SqlStore] = []

    def real_store(clock: Callable[[], datetime]) -> SqlStore:
        stores.append(SqlStore(state_url, clock=clock))
        return stores[-1]

    try:
        yield real_store
    finally:
        for store in stores:
            store.close()


@pytest.fixture
def engine(store_factory: StoreFactory) -> Engine:
    return Engine(store_factory=store_factory)
