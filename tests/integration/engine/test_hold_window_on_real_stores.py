"""The hold window's engine tests (tests/unit/engine/test_hold_window.py) again, on SQLite and on PostgreSQL:
the waiting release job, its early release (run_now) and the held entries are the real store's."""

from dataclasses import replace
from pathlib import Path

import pytest

from tests.factories import SHOP
from tests.integration.engine.real_stores import STORES, real_store_factory
from tests.unit.engine.harness import Engine
from tests.unit.engine.test_hold_window import *  # noqa: F403 - the same tests, collected here with this engine
from tests.unit.engine.test_hold_window import WINDOW_MINUTES
from trueup.domain.post_purchase import PostPurchasePolicy
from trueup.service_layer.worker import Worker


@pytest.fixture(params=STORES)
def engine(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    with real_store_factory(request, tmp_path) as real_store:
        engine = Engine(store_factory=real_store)
        engine.ctx = replace(engine.ctx, post_purchase=PostPurchasePolicy(hold_minutes=WINDOW_MINUTES))
        engine.worker = Worker("w1", engine.store, {SHOP: engine.ctx}, engine.clock)
        yield engine
