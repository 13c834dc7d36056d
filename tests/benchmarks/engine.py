"""The engine's own cost per order: the worker loop, the store and the posting rules, with Shopify and the
ERP replaced by their in-memory fakes (tests/fakes). It lives beside the fakes, outside the installed package:
run it from a checkout, `python -m tests.benchmarks.engine [--orders N]` (`make bench` does).

Reported per store (in memory, and SQLite on disk as `trueup` runs by default), in milliseconds per order.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tests.fakes.back_office import FakeBackOffice
from tests.fakes.shopify import FakeShopifyAdmin
from tests.fakes.store import InMemoryStore
from trueup.domain.posting import PostingPolicy
from trueup.entrypoints.benchmarks.orders import SKUS, synthetic_order
from trueup.service_layer.jobs import SyncOrder, request
from trueup.service_layer.order_context import OrderContext
from trueup.service_layer.ports import Store
from trueup.service_layer.worker import Worker, WorkerSettings

SHOP = "bench.myshopify.com"


class _Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def _run(store: Store, orders: int) -> float:
    return _posted(store, orders)[0]


def _posted(
    store: Store, orders: int, settings: WorkerSettings | None = None, *, check_each_sync: bool = True
) -> tuple[float, OrderContext]:
    shopify = FakeShopifyAdmin(SHOP)
    erp = FakeBackOffice(tax_rates={"VAT20": Decimal("0.2")}, currencies={"USD"})
    erp.add_products(*SKUS)
    rng = random.Random(1)
    policy = PostingPolicy(taxes={"VAT 20": "VAT20"})
    ctx = OrderContext(shopify, erp, store, _Clock(), policy, check_each_sync=check_each_sync)
    for number in range(1, orders + 1):
        shopify.put_order(synthetic_order(SHOP, number, rng))
        store.enqueue(request(SyncOrder(SHOP, f"gid://shopify/Order/{number}")))
    worker = Worker("bench", store, {SHOP: ctx}, _Clock(), settings or WorkerSettings())
    if settings is not None:
        worker.schedule_periodic()  # polls, fulfilment, the verify sweep: as a running worker has them
    started = time.perf_counter()
    while worker.run_once():
        pass
    elapsed = time.perf_counter() - started
    if len(erp.sales) != orders:
        raise RuntimeError(f"benchmark posted {len(erp.sales)} of {orders} orders")
    return elapsed, ctx


def posting_with_the_check(orders: int, every: float = 0.5, rounds: int = 3) -> dict[str, Any]:
    """Orders per second posted by a worker running its periodic jobs, without the completeness check (no verify
    sweep due during the run, no check after each sync) and with it (the check after each order's sync, and the
    sweep every `every` seconds), in memory, same run: the ratio says what the check costs posting."""
    quiet = WorkerSettings(verify_interval_seconds=86400.0, poll_interval_seconds=86400.0)
    checking = WorkerSettings(verify_interval_seconds=every, poll_interval_seconds=86400.0)
    # Taken in turns, best of `rounds` each: a run's rate drifts with the machine's load and with what earlier
    # runs left in memory, which would otherwise count against whichever runs second.
    without = with_check = 0.0
    for _ in range(rounds):
        without = max(without, orders / _posted(InMemoryStore(), orders, quiet, check_each_sync=False)[0])
        with_check = max(with_check, orders / _posted(InMemoryStore(), orders, checking)[0])
    return {
        "posting_orders": orders,
        "posting_per_s_without_check": round(without),
        "posting_per_s_with_check": round(with_check),
        "posting_ratio": round(with_check / without, 2),
    }


def verify(orders: int) -> dict[str, Any]:
    """`trueup verify` over `orders` posted orders (in memory): each order read back from the fake Shopify and
    its documents from the fake ERP, compared; seconds for the whole run and orders per second."""
    from trueup.service_layer.verify import verify_shop

    _, ctx = _posted(InMemoryStore(), orders)
    started = time.perf_counter()
    report = verify_shop(ctx, SHOP)
    elapsed = time.perf_counter() - started
    if report.orders != orders or report.findings:
        raise RuntimeError(f"verify checked {report.orders} of {orders} orders, {len(report.findings)} findings")
    return {
        "verify_orders": orders,
        "verify_seconds": round(elapsed, 2),
        "verify_orders_per_s": round(orders / elapsed),
    }


def run(orders: int = 2000) -> dict[str, Any]:
    """Post `orders` orders through the engine on each store; milliseconds per order."""
    from trueup.adapters.storage.migrate import upgrade
    from trueup.adapters.storage.sql_store import SqlStore

    results: dict[str, Any] = {"orders": orders}
    results["in_memory_ms_per_order"] = round(_run(InMemoryStore(), orders) * 1000 / orders, 3)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        store = SqlStore(url, durable_commits=False)  # as `trueup worker` opens it
        try:
            results["sqlite_ms_per_order"] = round(_run(store, orders) * 1000 / orders, 3)
        finally:
            store.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000, help="orders to post")
    parser.add_argument("--verify", type=int, default=0, help="also time `trueup verify` over this many orders")
    parser.add_argument(
        "--posting-ratio",
        type=int,
        default=0,
        help="posting with and without the completeness check (each sync, and the sweep)",
    )
    args = parser.parse_args()
    from trueup.entrypoints.logging_setup import configure_logging

    configure_logging("WARNING")
    host = {"python": platform.python_version(), "machine": platform.machine()}
    checked = verify(args.verify) if args.verify else {}
    checked |= posting_with_the_check(args.posting_ratio) if args.posting_ratio else {}
    print(json.dumps({"benchmark": "engine", **run(args.orders), **checked, "host": host}))


if __name__ == "__main__":
    main()
