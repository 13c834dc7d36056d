"""The engine's own tests (tests/unit/engine/test_sync_order.py) again, on SQLite and on PostgreSQL."""

from pathlib import Path

import pytest

from tests.integration.engine.real_stores import STORES, real_store_factory
from tests.unit.engine.harness import Engine
from tests.unit.engine.test_sync_order import *  # noqa: F403 - the same tests, collected here with this engine


@pytest.fixture(params=STORES)
def engine(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    with real_store_factory(request, tmp_path) as real_store:
        yield Engine(store_factory=real_store)
