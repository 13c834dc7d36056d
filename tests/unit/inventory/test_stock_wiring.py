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
    assert waiting >= {(SyncStock.kind, f"{SHOP}|stock"), (ReconcileStock.kind, f"{SHOP}|stock-reconcile")}


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
