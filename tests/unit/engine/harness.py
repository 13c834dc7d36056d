"""An engine on fakes: one shop, a fake Shopify, a fake ERP, an in-memory store and a clock tests move."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tests.factories import NOW, SHOP
from tests.fakes.back_office import FakeBackOffice
from tests.fakes.shopify import FakeShopifyAdmin
from tests.fakes.store import InMemoryStore

from trueup.domain.posting import PostingPolicy
from trueup.service_layer.jobs import SyncOrder, request
from trueup.service_layer.order_context import OrderContext
from trueup.service_layer.worker import Worker, WorkerSettings


@dataclass
class MovableClock:
    at: datetime = NOW

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


StoreFactory = Callable[[Callable[[], datetime]], Any]


@dataclass
class Engine:
    """`store_factory(clock)` gives the store (the in-memory fake by default; SQLite or PostgreSQL in
    tests/integration/engine, which run the same engine tests on the real stores)."""

    clock: MovableClock = field(default_factory=MovableClock)
    policy: PostingPolicy = field(default_factory=lambda: PostingPolicy(taxes={"VAT 20": "VAT20"}))
    store_factory: StoreFactory = InMemoryStore

    def __post_init__(self) -> None:
        self.shopify = FakeShopifyAdmin(SHOP, clock=self.clock.now)
        self.erp = FakeBackOffice()
        self.erp.add_products("TEE-M", "TEE-L", "MUG")
        self.store = self.store_factory(self.clock.now)
        self.ctx = OrderContext(self.shopify, self.erp, self.store, self.clock, self.policy)
        self.worker = self.worker_named("w1")

    def worker_named(self, name: str, **settings: float) -> Worker:
        return Worker(name, self.store, {SHOP: self.ctx}, self.clock, WorkerSettings(**settings), rng=random.Random(7))

    def notify(self, order_id: str) -> None:
        """As a webhook about the order would: queue its sync."""
        self.store.enqueue(request(SyncOrder(SHOP, order_id)))

    def run_until_idle(self, limit: int = 1000) -> int:
        ran = 0
        while ran < limit and self.worker.run_once():
            ran += 1
        return ran

    def a_minute_later(self) -> None:
        """The worker's periodic jobs (the poll, the replay of fixed causes…) a minute on, run until idle."""
        self.worker.schedule_periodic()
        self.clock.advance(60)
        self.run_until_idle()

    def entry(self, order_id: str):  # type: ignore[no-untyped-def]
        return self.store.ledger_entry(SHOP, order_id)
