"""Orders per second into a real Tryton: an embedded trytond on 127.0.0.1, over JSON-RPC, as trueup posts them.

Measured with one worker and with two posting side by side (trueup's workers share one Tryton).
"""

from __future__ import annotations

import random
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

from trueup.adapters.tryton.back_office import TrytonBackOffice
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.domain.catalogue import CatalogueItem
from trueup.domain.money import Money
from trueup.domain.posting import PostingPolicy, build_sales_order
from trueup.entrypoints.benchmarks.orders import SKUS, synthetic_order
from trueup.local_stack.embedded_tryton import ADMIN_LOGIN, ADMIN_PASSWORD, TrytonServer, ensure_database
from trueup.local_stack.processes import free_port
from trueup.local_stack.tryton_catalogue import ensure_products

SHOP = "bench.myshopify.com"
POLICY = PostingPolicy(taxes={"VAT 20": "VAT20"}, warehouse="WH1")


def _catalogue() -> list[CatalogueItem]:
    return [
        CatalogueItem(sku, sku, Money(Decimal("10.00"), "USD"), f"gid://shopify/ProductVariant/{n}")
        for n, sku in enumerate(SKUS, 1)
    ]


def _post(url: str, numbers: list[int]) -> None:
    rng = random.Random(numbers[0])
    with TrytonClient(url, "bench", ADMIN_LOGIN, ADMIN_PASSWORD) as client:
        back_office = TrytonBackOffice(client)
        for number in numbers:
            back_office.create_sales_order(build_sales_order(synthetic_order(SHOP, number, rng), POLICY))


def _timed(url: str, batches: list[list[int]]) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(len(batches)) as pool:
        for future in [pool.submit(_post, url, batch) for batch in batches]:
            future.result()
    return time.perf_counter() - started


def run(orders: int = 200, cache: Path = Path(".cache/tryton")) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        ensure_database(cache, data, "bench")
        with TrytonServer(data, free_port(), databases=("bench",)) as server:
            with TrytonClient(server.url, "bench", ADMIN_LOGIN, ADMIN_PASSWORD) as client:
                ensure_products(client, _catalogue())
            one = _timed(server.url, [list(range(1, orders + 1))])
            half = orders // 2
            two = _timed(
                server.url, [list(range(orders + 1, orders + 1 + half)), list(range(orders + 1 + half, 2 * orders + 1))]
            )
    return {
        "orders": orders,
        "one_worker_orders_per_second": round(orders / one, 2),
        "two_workers_orders_per_second": round(orders / two, 2),
        "ratio_two_to_one": round(one / two, 2),
    }
