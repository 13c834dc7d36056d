"""The engine's own cost per order: the worker loop, the store and the posting rules, with Shopify and the
ERP replaced by their in-memory fakes (from the repository's tests/fakes, so run it from a checkout).

Reported per store (in memory, and SQLite on disk as `trueup` runs by default), in milliseconds per order.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from trueup.benchmarks.orders import SKUS, synthetic_order
from trueup.domain.posting import PostingPolicy
from trueup.service_layer.jobs import sync_order_job
from trueup.service_layer.ports import Store
from trueup.service_layer.sync_order import OrderContext
from trueup.service_layer.worker import Worker, WorkerSettings

SHOP = "bench.myshopify.com"


def _fakes() -> Any:
    root = Path(__file__).resolve().parents[3]
    if not (root / "tests" / "fakes").is_dir():
        raise SystemExit("the engine benchmark runs from a checkout of trueup (it uses tests/fakes)")
    sys.path.insert(0, str(root))
    import tests.fakes.back_office as back_office
    import tests.fakes.shopify as shopify
    import tests.fakes.store as store

    return back_office, shopify, store


class _Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def _run(store: Store, orders: int) -> float:
    back_office_mod, shopify_mod, _ = _fakes()
    shopify = shopify_mod.FakeShopifyAdmin(SHOP)
    erp = back_office_mod.FakeBackOffice(tax_rates={"VAT20": Decimal("0.2")}, currencies={"USD"})
    erp.add_products(*SKUS)
    rng = random.Random(1)
    ctx = OrderContext(shopify, erp, store, _Clock(), PostingPolicy(taxes={"VAT 20": "VAT20"}))
    for number in range(1, orders + 1):
        shopify.put_order(synthetic_order(SHOP, number, rng))
        store.enqueue(sync_order_job(SHOP, f"gid://shopify/Order/{number}"))
    worker = Worker("bench", store, {SHOP: ctx}, _Clock(), WorkerSettings())
    started = time.perf_counter()
    while worker.run_once():
        pass
    elapsed = time.perf_counter() - started
    if len(erp.sales) != orders:
        raise RuntimeError(f"benchmark posted {len(erp.sales)} of {orders} orders")
    return elapsed


def run(orders: int = 2000) -> dict[str, Any]:
    """Post `orders` orders through the engine on each store; milliseconds per order."""
    from trueup.adapters.storage.migrate import upgrade
    from trueup.adapters.storage.sql_store import SqlStore

    _, _, store_mod = _fakes()
    results: dict[str, Any] = {"orders": orders}
    results["in_memory_ms_per_order"] = round(_run(store_mod.InMemoryStore(), orders) * 1000 / orders, 3)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        store = SqlStore(url, durable_commits=False)  # as `trueup worker` opens it
        try:
            results["sqlite_ms_per_order"] = round(_run(store, orders) * 1000 / orders, 3)
        finally:
            store.close()
    return results
