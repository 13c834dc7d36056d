"""The inventory flow wired: configuration, the periodic jobs, demand from the order sync, status."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.factories import SHOP, a_line, an_order
from tests.fakes.back_office import FakeBackOffice
from tests.fakes.store import InMemoryStore
from tests.unit.engine.harness import Engine, MovableClock
from tests.unit.inventory.stock_harness import Stock
from trueup.bootstrap import build_contexts, stock_policies, worker_settings
from trueup.config import load_config
from trueup.domain.errors import WHAT_TO_DO, BadInput, Cause
from trueup.domain.inventory import Buffer, BufferKind, StockIssue
from trueup.domain.orders import FinancialStatus
from trueup.domain.stock_sharing import Sharing
from trueup.service_layer.jobs import ReconcileStock, SyncStock, request
from trueup.service_layer.status import build_status
from trueup.service_layer.worker import Worker, WorkerSettings

CONFIG = """
[back_office]
database = "trueup"
password = { env = "TEST_TRYTON_PASSWORD" }

[[shops]]
domain = "brand.myshopify.com"
access_token = { env = "TEST_SHOPIFY_TOKEN" }
api_secret = { env = "TEST_SHOPIFY_SECRET" }
locations = { "1" = "WH1", "gid://shopify/Location/2" = "WH2" }

[inventory]
enabled = true
buffer = 2
sku_buffers = { "TEE-M" = "10%" }
location_buffers = { "2" = 0 }
sync_interval_seconds = 1.5
"""


def test_the_inventory_table_becomes_each_shops_stock_policy(tmp_path: Path) -> None:
    (tmp_path / "trueup.toml").write_text(CONFIG)
    config = load_config(tmp_path / "trueup.toml")
    (policy,) = stock_policies(config).values()
    assert policy.locations == {"gid://shopify/Location/1": "WH1", "gid://shopify/Location/2": "WH2"}
    assert policy.buffers.buffer_for("TEE-M", "gid://shopify/Location/2") == Buffer(Decimal(10), BufferKind.PERCENT)
    assert policy.buffers.buffer_for("MUG", "gid://shopify/Location/2") == Buffer(Decimal(0))
    assert policy.buffers.buffer_for("MUG", "gid://shopify/Location/1") == Buffer(Decimal(2))
    settings = worker_settings(config)
    assert (settings.stock_sync_interval_seconds, settings.stock_reconcile_interval_seconds) == (1.5, 3600.0)


def test_inventory_needs_every_shop_to_map_a_location(tmp_path: Path) -> None:
    (tmp_path / "trueup.toml").write_text(
        CONFIG.replace('locations = { "1" = "WH1", "gid://shopify/Location/2" = "WH2" }', "")
    )
    with pytest.raises(BadInput, match=r"brand\.myshopify\.com map no location"):
        stock_policies(load_config(tmp_path / "trueup.toml"))


def test_inventory_is_off_unless_enabled(tmp_path: Path) -> None:
    (tmp_path / "trueup.toml").write_text(CONFIG.replace("enabled = true", ""))
    assert stock_policies(load_config(tmp_path / "trueup.toml")) == {}


@pytest.mark.parametrize("enabled", [True, False])
def test_the_order_sync_tracks_demand_only_when_stock_is_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    for name in ("TEST_TRYTON_PASSWORD", "TEST_SHOPIFY_TOKEN", "TEST_SHOPIFY_SECRET"):
        monkeypatch.setenv(name, "x")
    (tmp_path / "trueup.toml").write_text(CONFIG.replace("enabled = true", f"enabled = {str(enabled).lower()}"))
    contexts = build_contexts(load_config(tmp_path / "trueup.toml"), InMemoryStore(), back_office=FakeBackOffice())
    assert [ctx.track_demand for ctx in contexts.values()] == [enabled]


def test_a_worker_syncs_stock_every_few_seconds_and_reconciles_on_schedule() -> None:
    stock = Stock()
    stock.stock("TEE", 10, shopify=0)
    worker = Worker(
        "w1",
        stock.store,
        {SHOP: stock.orders},
        stock.clock,
        WorkerSettings(stock={SHOP: stock.policy}, stock_sync_interval_seconds=2, stock_reconcile_interval_seconds=60),
    )
    worker.schedule_periodic()
    while worker.run_once():
        pass
    assert stock.shows("TEE") == 8  # the reconciliation at start brought it to target
    stock.erp.receive("TEE", "WH1", 5)
    stock.clock.advance(2)
    while worker.run_once():
        pass
    assert stock.shows("TEE") == 13
    waiting = {(j.kind, j.key) for j in stock.store.jobs if j.state == "todo"}
    assert (SyncStock.kind, f"{SHOP}|stock") in waiting
    assert (ReconcileStock.kind, f"{SHOP}|stock") not in waiting  # not for later: it would hold the sync back
    stock.inventory.drift("TEE", stock.wh1, +4)  # nothing the sync hears of: only a reconciliation finds it
    stock.clock.advance(30)
    while worker.run_once():
        pass
    assert stock.shows("TEE") == 17
    stock.clock.advance(31)  # the interval has passed: the next sync queues the reconciliation, due now
    while worker.run_once():
        pass
    assert stock.shows("TEE") == 13
    kinds = [j.kind for j in stock.store.jobs if j.key == f"{SHOP}|stock" and j.state == "done"]
    assert kinds.count(ReconcileStock.kind) == 2


def test_the_order_sync_notes_demand_until_the_order_is_posted() -> None:
    engine = Engine()
    order = engine.shopify.put_order(an_order([a_line("TEE-M", quantity=2)], status=FinancialStatus.PENDING))
    engine.notify(order.order_id)
    engine.run_until_idle()
    assert engine.store.unposted_demand(SHOP) == {("TEE-M", ""): 2}  # waiting for payment: Shopify took it

    engine.shopify.update_order(order.order_id, financial_status=FinancialStatus.PAID)
    engine.notify(order.order_id)
    engine.run_until_idle()
    assert engine.entry(order.order_id).erp_sale_id is not None
    assert engine.store.unposted_demand(SHOP) == {}


def test_status_shows_stock_issues_by_cause_with_what_to_do() -> None:
    clock = MovableClock()
    store = InMemoryStore(clock.now)
    store.replace_stock_issues(
        SHOP, [StockIssue(str(Cause.SKU_NOT_IN_SHOPIFY), "MUG", "gid://shopify/Location/1", "4 units")]
    )
    clock.advance(600)
    report = build_status(store, clock)
    (group,) = report.stock["issues"]  # type: ignore[misc]
    assert (group["cause"], group["count"], group["what_to_do"]) == (
        "sku_not_in_shopify",
        1,
        WHAT_TO_DO[Cause.SKU_NOT_IN_SHOPIFY],
    )
    assert group["oldest_seconds"] == 600
    assert report.stock["open_drift"] == 0


def test_a_stock_job_left_from_when_inventory_was_on_ends_quietly() -> None:
    stock = Stock()
    stock.store.enqueue(request(SyncStock(SHOP)))
    worker = Worker("w1", stock.store, {SHOP: stock.orders}, stock.clock, WorkerSettings())
    assert worker.run_once()
    assert stock.store.pending_jobs() == 0


THREE_SHOPS = """
[back_office]
database = "trueup"
password = { env = "TEST_TRYTON_PASSWORD" }

[[shops]]
domain = "brand-eu.myshopify.com"
access_token = { env = "TEST_SHOPIFY_TOKEN" }
api_secret = { env = "TEST_SHOPIFY_SECRET" }
warehouse = "WH1"
locations = { "1" = "WH1" }

[[shops]]
domain = "brand-outlet.myshopify.com"
access_token = { env = "TEST_SHOPIFY_TOKEN" }
api_secret = { env = "TEST_SHOPIFY_SECRET" }
warehouse = "WH1"
locations = { "7" = "WH1", "8" = "WH3" }

[[shops]]
domain = "brand-us.myshopify.com"
access_token = { env = "TEST_SHOPIFY_TOKEN" }
api_secret = { env = "TEST_SHOPIFY_SECRET" }
warehouse = "WH2"
locations = { "1" = "WH2" }

[inventory]
enabled = true
[inventory.warehouses.WH1]
weights = { "brand-eu.myshopify.com" = 3 }
[inventory.warehouses.WH2]
sharing = "pool"
"""


def test_shops_selling_from_one_warehouse_are_stocked_together_with_its_sharing(tmp_path: Path) -> None:
    (tmp_path / "trueup.toml").write_text(THREE_SHOPS)
    policies = stock_policies(load_config(tmp_path / "trueup.toml"))

    eu, outlet, us = (policies[f"brand-{name}.myshopify.com"] for name in ("eu", "outlet", "us"))
    assert (eu.shares_with, outlet.shares_with, us.shares_with) == (
        ("brand-outlet.myshopify.com",),
        ("brand-eu.myshopify.com",),
        (),
    )
    wh1, wh2 = eu.sharing["WH1"], eu.sharing["WH2"]
    assert (wh1.sharing, wh1.weight("brand-eu.myshopify.com"), wh1.weight("brand-outlet.myshopify.com")) == (
        Sharing.SPLIT,
        Decimal(3),
        Decimal(1),
    )
    assert wh2.sharing == Sharing.POOL
    assert "WH3" not in eu.sharing  # not configured: split, equal weights


def test_weights_for_a_shop_not_configured_are_refused(tmp_path: Path) -> None:
    (tmp_path / "trueup.toml").write_text(
        THREE_SHOPS.replace('"brand-eu.myshopify.com" = 3', '"brand-xx.myshopify.com" = 3')
    )
    with pytest.raises(BadInput, match=r"inventory\.warehouses\.WH1\.weights names shops not configured: brand-xx"):
        stock_policies(load_config(tmp_path / "trueup.toml"))


def test_a_worker_runs_one_stock_pass_for_shops_sharing_a_warehouse() -> None:
    from tests.unit.inventory.shared_stock_harness import ALPHA, BETA, SharedStock

    shared = SharedStock()
    shared.stock("CAP", 6)
    contexts = {shop: shared.orders[shop] for shop in (ALPHA, BETA)}
    settings = WorkerSettings(stock=shared.policies, stock_sync_interval_seconds=2)
    worker = Worker("w1", shared.store, contexts, shared.clock, settings)
    worker.schedule_periodic()
    while worker.run_once():
        pass

    stock_jobs = {(j.kind, j.key) for j in shared.store.jobs if j.kind in (SyncStock.kind, ReconcileStock.kind)}
    assert stock_jobs == {(SyncStock.kind, f"{ALPHA}|stock"), (ReconcileStock.kind, f"{ALPHA}|stock")}
    assert (shared.shows(ALPHA, "CAP"), shared.shows(BETA, "CAP")) == (3, 2)
