"""Orders per second into a real Tryton: an embedded trytond on 127.0.0.1, over JSON-RPC, as trueup posts them,
and Tryton's own rate for the same orders in the same run.

- trueup: `TrytonBackOffice` as the engine posts: one order per round trip (`create_sales_order`), or in
  batches (`create_sales_orders`, as a worker with several threads does), by one poster or two side by side.
  Each order is checked, its customer matched or created, its tax settled and the sale read back.
- raw: the same orders as bare JSON-RPC calls, `sale.sale` create, quote, confirm and process, with every id
  (party, products, taxes) looked up before the clock starts: what Tryton itself can take, one order per call
  or the same batches. The ratio is trueup's rate ÷ the raw rate, batch size for batch size.
"""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from trueup.adapters.tryton.back_office import TrytonBackOffice
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.adapters.tryton.sale_lines import sale_line_values
from trueup.domain.catalogue import CatalogueItem
from trueup.domain.money import Money
from trueup.domain.posting import PostingPolicy, build_sales_order
from trueup.domain.sales import SalesOrderRequest
from trueup.entrypoints.benchmarks.orders import SKUS, synthetic_order
from trueup.local_stack.embedded_tryton import ADMIN_LOGIN, ADMIN_PASSWORD, TrytonServer, ensure_database
from trueup.local_stack.postgres_tryton import DEFAULT_SERVER, PostgresTryton, build_template, create_database
from trueup.local_stack.processes import free_port
from trueup.local_stack.tryton_catalogue import ensure_products

SHOP = "bench.myshopify.com"
POLICY = PostingPolicy(taxes={"VAT 20": "VAT20"}, warehouse="WH1")
Progress = Callable[[str], None]


def _catalogue() -> list[CatalogueItem]:
    return [
        CatalogueItem(sku, sku, Money(Decimal("10.00"), "USD"), f"gid://shopify/ProductVariant/{n}")
        for n, sku in enumerate(SKUS, 1)
    ]


def _requests(first: int, count: int) -> list[SalesOrderRequest]:
    rng = random.Random(first)
    return [build_sales_order(synthetic_order(SHOP, n, rng), POLICY) for n in range(first, first + count)]


def _chunks(items: Sequence[Any], size: int) -> list[list[Any]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def _trueup(target: tuple[str, str], requests: list[SalesOrderRequest], batch: int) -> None:
    with TrytonClient(*target, ADMIN_LOGIN, ADMIN_PASSWORD) as client:
        back_office = TrytonBackOffice(client)
        for chunk in _chunks(requests, batch):
            if batch == 1:
                back_office.create_sales_order(chunk[0])
            else:
                failed = [r for r in back_office.create_sales_orders(chunk) if isinstance(r, Exception)]
                assert not failed, failed


class _RawSales:
    """Bare `sale.sale` values for the benchmark's orders, every id read before timing starts."""

    def __init__(self, client: TrytonClient) -> None:
        self.client = client
        rows = client.call(
            "product.product", "search_read", [("code", "in", SKUS)], 0, None, None, ["code", "sale_uom"]
        )
        self.products = {row["code"]: row for row in rows}
        self.taxes = {
            row["name"]: row["id"] for row in client.call("account.tax", "search_read", [], 0, None, None, ["name"])
        }
        (party,) = client.call("party.party", "create", [{"name": "Raw rate", "addresses": [("create", [{}])]}])
        (self.party_row,) = client.call("party.party", "read", [party], ["addresses"])
        self.party = party
        self.company = client.context["company"]
        self.currency = client.call("currency.currency", "search", [("code", "=", "USD")])[0]
        self.warehouse = client.call("stock.location", "search", [("code", "=", "WH1")])[0]

    def values(self, request: SalesOrderRequest) -> dict[str, Any]:
        address = self.party_row["addresses"][0]
        return {
            "company": self.company,
            "party": self.party,
            "invoice_address": address,
            "shipment_address": address,
            "currency": self.currency,
            "warehouse": self.warehouse,
            "reference": f"raw:{request.reference}",
            "lines": [
                ("create", [v for line in request.lines for v in sale_line_values(line, self.products, self.taxes)])
            ],
        }


def _raw(target: tuple[str, str], requests: list[SalesOrderRequest], batch: int, queue_worker: bool = False) -> float:
    """Seconds for the bare calls. With a `queue_worker` (trytond-worker), confirm queues the processing and the
    worker runs it: the clock stops once every sale is processed (pressing `process` meanwhile would fight the
    worker for the sale's row)."""
    with TrytonClient(*target, ADMIN_LOGIN, ADMIN_PASSWORD) as client:
        raw = _RawSales(client)
        values = [raw.values(request) for request in requests]
        started = time.perf_counter()
        created: list[int] = []
        for chunk in _chunks(values, batch):
            sale_ids = client.call("sale.sale", "create", chunk)
            created += sale_ids
            for step in ("quote", "confirm") if queue_worker else ("quote", "confirm", "process"):
                client.call("sale.sale", step, sale_ids)
        while queue_worker and any(
            row["state"] == "confirmed" for row in client.call("sale.sale", "read", created, ["state"])
        ):
            time.sleep(0.05)
        return time.perf_counter() - started


def _timed(
    post: Callable[[tuple[str, str], list[SalesOrderRequest], int], None],
    target: tuple[str, str],
    parts: list[list[SalesOrderRequest]],
    batch: int,
) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(len(parts)) as pool:
        for future in [pool.submit(post, target, part, batch) for part in parts]:
            future.result()
    return time.perf_counter() - started


@contextmanager
def _tryton(erp: str, erp_server: str, erp_workers: int, cache: Path) -> Iterator[tuple[str, str]]:
    """A Tryton of the benchmark's own, as (url, database): the embedded trytond over SQLite or (erp "postgresql")
    a copy of the template on `erp_server` behind gunicorn with `erp_workers` trytond processes and
    trytond-worker, its database dropped afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        if erp == "postgresql":
            database = f"trueup_bench_{uuid.uuid4().hex[:8]}"
            create_database(erp_server, build_template(erp_server), database)
            tryton = PostgresTryton(data, erp_server, database, free_port(), workers=erp_workers)
            try:
                with tryton:
                    yield tryton.url, database
            finally:
                tryton.drop()
            return
        ensure_database(cache, data, "bench")
        with TrytonServer(data, free_port(), databases=("bench",)) as server:
            yield server.url, "bench"


def run(
    orders: int = 40,
    batches: Sequence[int] = (1, 10),
    cache: Path = Path(".cache/tryton"),
    progress: Progress = lambda _: None,
    erp: str = "sqlite",
    erp_server: str = DEFAULT_SERVER,
    erp_workers: int = 2,
) -> dict[str, Any]:
    """For each batch size: Tryton's raw rate, trueup's with one poster and with two side by side, and the ratio.
    `erp`: "sqlite" (the embedded trytond) or "postgresql" (gunicorn with `erp_workers` trytond processes)."""
    figures: dict[str, Any] = {"orders": orders, "erp": erp, "by_batch": {}}
    if erp == "postgresql":
        figures["erp_workers"] = erp_workers
    with _tryton(erp, erp_server, erp_workers, cache) as target:
        with TrytonClient(*target, ADMIN_LOGIN, ADMIN_PASSWORD) as client:
            ensure_products(client, _catalogue())
        _trueup(target, _requests(1, 2), 1)  # warm-up: parties, caches, trytond's first calls
        first = 1000
        for batch in batches:
            progress(f"batch size {batch}: raw")
            raw = _raw(target, _requests(first, orders), batch, queue_worker=erp == "postgresql")
            progress(f"batch size {batch}: trueup, one poster")
            one = _timed(_trueup, target, [_requests(first + orders, orders)], batch)
            progress(f"batch size {batch}: trueup, two posters")
            half = orders // 2
            two = _timed(
                _trueup,
                target,
                [_requests(first + 2 * orders, half), _requests(first + 2 * orders + half, orders - half)],
                batch,
            )
            first += 3 * orders
            figures["by_batch"][str(batch)] = {
                "raw_orders_per_second": round(orders / raw, 2),
                "one_poster_orders_per_second": round(orders / one, 2),
                "two_posters_orders_per_second": round(orders / two, 2),
                "ratio_to_raw": round(max(raw / one, raw / two), 2),
            }
    return figures
