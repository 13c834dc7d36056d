"""The oversell test: a Black Friday run on a few fast sellers with little stock in the warehouse accepts no
order beyond what the warehouse had, less the buffer.

Tryton's WH1 (mapped to Reno DC) holds 5 to 10 units of four SKUs that the sandbox's seed stocked by the
hundred; WH2 (Columbus DC) holds none; Brooklyn Store (unmapped) does not stock them. trueup brings Shopify to
`units - buffer` at start, then a Black Friday run places many more orders for those SKUs than there are
units, with `inventoryBehaviour: DECREMENT_OBEYING_POLICY` as a storefront does, while trueup posts the orders
and keeps the levels. Shopify refuses the orders it has no stock for; the run counts them. A watcher reads the
levels all along: Shopify must never have offered more than `units - buffer` (available + committed).

The window this guards: an order Shopify has taken but trueup has not yet posted (nor heard of) is in neither
the ERP nor the unposted demand; only Shopify's `committed`, read with the level, keeps a stock sync running
then from writing its units back.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest

from tests.e2e.conftest import StackFactory
from tests.e2e.stock import available, call, levels, reconcile, sell, set_available, wait_for, wait_stock_ready
from trueup.domain.errors import Cause
from trueup.domain.ledger import OrderState
from trueup.local_stack.stack import LocalStack

pytestmark = [pytest.mark.slow, pytest.mark.tryton]

BUFFER = 2
STOCK = {"BEAN-HRT-RED": 6, "BTL-HRT-BLU": 8, "BEAN-SMT-GRY": 5, "BTL-HVY-BLU": 10}  # in WH1
LIMIT = {sku: units - BUFFER for sku, units in STOCK.items()}  # what Shopify may sell at most
ORDERS = 80
SPEED = float(os.environ.get("TRUEUP_OVERSELL_SPEED", "6"))  # trading speed-up: the limits hold at any speed
RENO, BROOKLYN = "Reno DC", "Brooklyn Store"

ORDERS_PAGE = """
query E2eTradedOrders($after: String) {
  orders(first: 50, after: $after, query: "tag:trading") {
    pageInfo { hasNextPage endCursor }
    nodes { name lineItems(first: 5) { nodes { sku quantity } } }
  }
}
"""


class Watcher(threading.Thread):
    """Reads the hot SKUs' levels over and over while trading runs: per SKU, the most Shopify ever offered or
    had sold (available + committed, over every location of every shop, less what was committed before)."""

    def __init__(self, stack: LocalStack | Sequence[LocalStack], committed_before: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.shops = [stack] if isinstance(stack, LocalStack) else list(stack)
        self.committed_before = committed_before
        self.most: Counter[str] = Counter()
        self.reads = 0
        self.history: list[tuple[float, dict[str, int]]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            offered: Counter[str] = Counter()
            for shop in self.shops:
                for (sku, _location), level in levels(shop, STOCK).items():
                    offered[sku] += level.available + level.committed
            for sku in STOCK:
                self.most[sku] = max(self.most[sku], offered[sku] - self.committed_before[sku])
            self.history.append((time.time(), dict(offered)))
            self.reads += 1
            self.stopping.wait(0.25)


def _changes(history: list[tuple[float, dict[str, int]]]) -> list[tuple[float, dict[str, int]]]:
    changes: list[tuple[float, dict[str, int]]] = []
    for at, seen in history:
        if not changes or changes[-1][1] != seen:
            changes.append((at, seen))
    return changes


def accepted_units(stack: LocalStack) -> Counter[str]:
    sold: Counter[str] = Counter()
    after = None
    while True:
        page = call(stack, ORDERS_PAGE, {"after": after})["orders"]
        for order in page["nodes"]:
            for line in order["lineItems"]["nodes"]:
                sold[line["sku"]] += line["quantity"]
        if not page["pageInfo"]["hasNextPage"]:
            return sold
        after = page["pageInfo"]["endCursor"]


def erp_units(stack: LocalStack) -> Counter[str]:
    """Units of the hot SKUs on the sales trueup posted to Tryton."""
    with stack.tryton_client() as client:
        products = client.call(
            "product.product", "search_read", [("code", "in", sorted(STOCK))], 0, None, None, ["code"]
        )
        codes = {row["id"]: row["code"] for row in products}
        rows: list[dict[str, Any]] = client.call(
            "sale.line",
            "search_read",
            [("sale.reference", "like", "shopify:%"), ("product", "in", sorted(codes))],
            0,
            None,
            None,
            ["product", "quantity"],
        )
    units: Counter[str] = Counter()
    for row in rows:
        units[codes[row["product"]]] += int(row["quantity"])
    return units


def test_a_black_friday_run_on_low_stock_accepts_nothing_beyond_the_warehouse_less_the_buffer(
    start_stack: StackFactory,
) -> None:
    stack = start_stack(
        inventory=True,
        inventory_buffer=BUFFER,
        locations={RENO: "WH1", "Columbus DC": "WH2"},
        stock_sync_interval_seconds=1.0,
        stock={"WH1": STOCK},
    )
    wait_for("the reconciliation at start", lambda: available(stack, STOCK, RENO), LIMIT.__eq__, 90)
    wait_stock_ready(stack)
    at_start = levels(stack, STOCK)
    set_available(stack, [(level, 0) for (_, location), level in at_start.items() if location == BROOKLYN])
    at_start = levels(stack, STOCK)
    offered: Counter[str] = Counter()
    committed: Counter[str] = Counter()
    for (sku, _location), level in at_start.items():
        offered[sku] += level.available
        committed[sku] += level.committed
    assert offered == Counter(LIMIT)  # Reno: units - buffer; Columbus (WH2 has none) and Brooklyn: 0
    watcher = Watcher(stack, {sku: committed[sku] for sku in STOCK})
    watcher.start()
    try:
        summary = stack.trade(ORDERS, seed=11, profile="black_friday", skus=sorted(STOCK), speed=SPEED)
        assert stack.wait_settled(timeout=180)
    finally:
        watcher.stopping.set()
        watcher.join(timeout=30)

    sold = accepted_units(stack)
    print(
        f"\noversell run: {summary['orders_placed']} accepted, {summary['orders_failed']} refused; "
        f"units sold {dict(sold)} of {LIMIT}; most offered {dict(watcher.most)} ({watcher.reads} reads)"
    )
    if any(watcher.most[sku] > limit or sold[sku] > limit for sku, limit in LIMIT.items()):
        print("what Shopify offered (available + committed since the start), as it changed:")
        print(
            "\n".join(
                f"  {time.strftime('%H:%M:%S', time.gmtime(at))}.{int(at % 1 * 1000):03d} {seen}"
                for at, seen in _changes(watcher.history)
            )
        )
    beyond = {
        sku: f"{sold[sku]} sold, up to {watcher.most[sku]} offered, of {limit}"
        for sku, limit in LIMIT.items()
        if sold[sku] > limit or watcher.most[sku] > limit
    }
    if beyond:
        pytest.fail(f"Shopify offered or sold more than the warehouse had less the buffer: {beyond}")
    assert summary["orders_placed"] + summary["orders_failed"] == ORDERS
    assert summary["orders_failed"] > ORDERS // 2  # many more orders than stock: most are refused
    assert any("Unable to reserve inventory" in error for error in summary["errors"])
    assert set(sold) <= set(STOCK)
    assert sum(sold.values()) >= sum(LIMIT.values()) // 2  # and the stock there was did sell
    assert watcher.reads > 5
    erp = erp_units(stack)
    assert all(erp[sku] <= sold[sku] for sku in STOCK), (erp, sold)  # posted: the paid ones among them
    # Once the queue is drained Shopify and the warehouse agree: nothing left to correct.
    wait_for("no drift", lambda: reconcile(stack, "--dry-run")["drift"], lambda drift: drift == [], 30)


# --- two shops on one warehouse ---------------------------------------------------------------------------
SHARED_BUFFER = 1
SHARED_LIMIT = {sku: units - SHARED_BUFFER for sku, units in STOCK.items()}
PENDING_SKU, PARKED_SKU = "BTL-HVY-BLU", "BTL-HRT-BLU"
SHARED_ORDERS = 30  # per shop


def two_shops(start_stack: StackFactory, sharing: str) -> tuple[LocalStack, LocalStack]:
    """Two sandbox shops (the same catalogue) whose Reno DC both map to WH1, one Tryton; Brooklyn emptied."""
    stack = start_stack(
        inventory=True,
        inventory_buffer=SHARED_BUFFER,
        locations={RENO: "WH1", "Columbus DC": "WH2"},
        stock_sync_interval_seconds=1.0,
        stock={"WH1": STOCK},
        second_shop=True,
        sharing=sharing,
    )
    second = stack.second
    assert second is not None
    shops = (stack, second)

    def offered() -> dict[str, int]:
        total: Counter[str] = Counter()
        for shop in shops:
            total.update(available(shop, STOCK, RENO))
        return dict(total)

    expected = SHARED_LIMIT if sharing == "split" else {sku: 2 * limit for sku, limit in SHARED_LIMIT.items()}
    wait_for("the reconciliation at start, both shops", offered, expected.__eq__, 90)
    wait_stock_ready(stack)
    for shop in shops:
        brooklyn = [(level, 0) for (_, location), level in levels(shop, STOCK).items() if location == BROOKLYN]
        set_available(shop, brooklyn)
    return stack, second


def trade_both(shops: Sequence[LocalStack], orders: int) -> list[dict[str, Any]]:
    """Both shops trade the hot SKUs at once, in Black Friday bursts."""
    summaries: list[dict[str, Any]] = [{} for _ in shops]

    def run(index: int) -> None:
        summaries[index] = shops[index].trade(
            orders, seed=21 + index, profile="black_friday", skus=sorted(STOCK), speed=SPEED
        )

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(shops))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return summaries


def test_two_shops_on_one_warehouse_under_split_sell_nothing_beyond_it(start_stack: StackFactory) -> None:
    first, second = two_shops(start_stack, "split")
    before = available(second, [PENDING_SKU], RENO)[PENDING_SKU]

    # A pending-payment order in the first shop lowers what the second offers, within the sync interval.
    started = time.monotonic()
    sell(first, PENDING_SKU, 2, pending=True)
    _, took = wait_for(
        "the second shop's offer to fall",
        lambda: available(second, [PENDING_SKU], RENO)[PENDING_SKU],
        before.__gt__,
        30,
    )
    lowered_after = time.monotonic() - started
    sell(second, PARKED_SKU, 1, unknown_sku="NOT-IN-TRYTON")  # parked (unknown SKU): its BTL-HRT-BLU stays held
    sell(second, PENDING_SKU, 1, pending=True)
    held = Counter({PENDING_SKU: 3, PARKED_SKU: 1})

    committed_before: Counter[str] = Counter()
    for shop in (first, second):
        for (sku, _), level in levels(shop, STOCK).items():
            committed_before[sku] += level.committed
    watcher = Watcher([first, second], {sku: committed_before[sku] - held[sku] for sku in STOCK})
    watcher.start()
    try:
        summaries = trade_both([first, second], SHARED_ORDERS)
        assert first.wait_settled(timeout=180)
    finally:
        watcher.stopping.set()
        watcher.join(timeout=30)

    sold = accepted_units(first) + accepted_units(second) + held
    print(
        f"\ntwo shops, split: {[s.get('orders_placed') for s in summaries]} accepted, "
        f"{[s.get('orders_failed') for s in summaries]} refused; units sold {dict(sold)} of {SHARED_LIMIT}; most "
        f"offered {dict(watcher.most)} ({watcher.reads} reads); a pending order in one shop lowered the other's "
        f"offer after {lowered_after:.2f} s ({took:.2f} s of polling)"
    )
    # What was sold is the measure here: two shops cannot be read at one instant, so a pass that lowers one and
    # raises the other between the watcher's two reads is counted twice in "most offered" (printed only).
    beyond = {sku: (sold[sku], watcher.most[sku]) for sku, limit in SHARED_LIMIT.items() if sold[sku] > limit}
    assert beyond == {}, f"sold beyond the warehouse less the buffer (sold, most offered): {beyond}"
    assert all(s["orders_placed"] + s["orders_failed"] == SHARED_ORDERS for s in summaries)
    assert sum(s["orders_failed"] for s in summaries) > SHARED_ORDERS  # many more orders than stock
    assert sum(sold.values()) >= sum(SHARED_LIMIT.values()) // 2  # and the stock there was did sell
    store = first.store()
    try:
        parked = [e.cause for e in store.ledger_entries(OrderState.EXCEPTION)]
    finally:
        store.close()
    assert parked == [Cause.SKU_NOT_IN_ITEM_MASTER]


def test_two_shops_on_one_warehouse_under_pool_measure_the_race_window_and_the_oversell(
    start_stack: StackFactory,
) -> None:
    """Under `pool` each shop offers everything sellable: measured here, not asserted (docs/inventory.md)."""
    first, second = two_shops(start_stack, "pool")
    windows = []
    for _ in range(5):  # a sale in one shop, until the other offers one fewer
        before = available(second, [PENDING_SKU], RENO)[PENDING_SKU]
        started = time.monotonic()
        sell(first, PENDING_SKU, 1)
        wait_for(
            "the other shop lowered", lambda: available(second, [PENDING_SKU], RENO)[PENDING_SKU], before.__gt__, 30
        )
        windows.append(time.monotonic() - started)
    held = Counter({PENDING_SKU: len(windows)})
    committed_before: Counter[str] = Counter()
    for shop in (first, second):
        for (sku, _), level in levels(shop, STOCK).items():
            committed_before[sku] += level.committed
    watcher = Watcher([first, second], {sku: committed_before[sku] - held[sku] for sku in STOCK})
    watcher.start()
    try:
        summaries = trade_both([first, second], SHARED_ORDERS)
        assert first.wait_settled(timeout=180)
    finally:
        watcher.stopping.set()
        watcher.join(timeout=30)

    sold = accepted_units(first) + accepted_units(second) + held
    oversold = {sku: max(sold[sku] - limit, 0) for sku, limit in SHARED_LIMIT.items()}
    print(
        f"\ntwo shops, pool: {[s.get('orders_placed') for s in summaries]} accepted; units sold {dict(sold)} of "
        f"{SHARED_LIMIT}: {sum(oversold.values())} oversold {oversold}; a sale in one shop reached the other's "
        f"offer after {', '.join(f'{w:.2f}' for w in sorted(windows))} s"
    )
    assert all(s["orders_placed"] + s["orders_failed"] == SHARED_ORDERS for s in summaries)
    assert len(windows) == 5
