"""The hold window's engine tests (tests/unit/engine/test_hold_window.py) again, on SQLite and on PostgreSQL:
the waiting release job, its early release (run_now) and the held entries are the real store's."""

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from tests.factories import SHOP
from tests.unit.engine.harness import Engine
from tests.unit.engine.test_hold_window import *  # noqa: F403 - the same tests, collected here with this engine
from tests.unit.engine.test_hold_window import WINDOW_MINUTES
from trueup.adapters.storage import SqlStore, upgrade
from trueup.domain.order_changes import PostPurchasePolicy
from trueup.service_layer.worker import Worker


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

    engine = Engine(store_factory=real_store)
    engine.ctx = replace(engine.ctx, post_purchase=PostPurchasePolicy(hold_minutes=WINDOW_MINUTES))
    engine.worker = Worker("w1", engine.store, {SHOP: engine.ctx}, engine.clock)
    yield engine
    for store in stores:
        store.close()
