"""The inventory records of every Store (in memory, SQLite, PostgreSQL) held to the same assertions."""

from __future__ import annotations

from datetime import timedelta

from tests.contract.stores import Clock
from tests.contract.test_store_contract import SHOP
from tests.support.deliveries import T0
from trueup.domain.inventory import Drift, LevelSet, StockIssue, StockWrite
from trueup.service_layer.ports import Store

LOC = "gid://shopify/Location/1"
OTHER_SHOP = "beta.myshopify.com"


def test_demand_is_summed_over_orders_and_replaced_per_order(store: Store) -> None:
    store.set_order_demand(SHOP, "gid://shopify/Order/1", {("TEE", "WH1"): 2, ("CAP", ""): 1})
    store.set_order_demand(SHOP, "gid://shopify/Order/2", {("TEE", "WH1"): 3})
    store.set_order_demand(OTHER_SHOP, "gid://shopify/Order/1", {("TEE", "WH1"): 9})
    assert store.unposted_demand(SHOP) == {("TEE", "WH1"): 5, ("CAP", ""): 1}

    store.set_order_demand(SHOP, "gid://shopify/Order/1", {("TEE", "WH1"): 1})  # edited
    store.set_order_demand(SHOP, "gid://shopify/Order/2", {})  # posted: cleared
    assert store.unposted_demand(SHOP) == {("TEE", "WH1"): 1}
    assert store.unposted_demand(OTHER_SHOP) == {("TEE", "WH1"): 9}


def test_the_last_level_set_is_kept_with_when(store: Store, clock: Clock) -> None:
    store.record_levels_set(SHOP, [StockWrite("TEE", "gid://shopify/InventoryItem/1", LOC, 5, 7)])
    clock.now = T0 + timedelta(minutes=1)
    store.record_levels_set(SHOP, [StockWrite("TEE", "gid://shopify/InventoryItem/1", LOC, 4, 5)])
    store.record_levels_set(SHOP, [StockWrite("CAP", "gid://shopify/InventoryItem/2", LOC, 2, 0)])
    assert store.levels_set(SHOP, "TEE") == [LevelSet("TEE", LOC, 4, T0 + timedelta(minutes=1))]
    assert [level.sku for level in store.levels_set(SHOP)] == ["CAP", "TEE"]
    assert store.levels_set(OTHER_SHOP) == []


def test_open_drift_is_replaced_as_a_whole(store: Store) -> None:
    first = [Drift("TEE", LOC, 7, 5, T0), Drift("CAP", LOC, 0, 2, T0 + timedelta(hours=1))]
    store.replace_drift(SHOP, first)
    assert store.open_drift(SHOP) == [first[1], first[0]]
    store.replace_drift(SHOP, [first[0]])
    assert store.open_drift() == [first[0]]
    store.replace_drift(SHOP, [])
    assert store.open_drift(SHOP) == []


def test_stock_issues_keep_when_they_were_first_seen(store: Store, clock: Clock) -> None:
    missing = StockIssue("sku_not_in_shopify", "MUG", "WH1", "3 units in the ERP")
    unmapped = StockIssue("unmapped_location", "", "gid://shopify/Location/9", "Popup store")
    store.replace_stock_issues(SHOP, [missing])
    clock.now = T0 + timedelta(hours=2)
    store.replace_stock_issues(SHOP, [missing, unmapped])
    assert store.stock_issues(SHOP) == [(missing, T0), (unmapped, T0 + timedelta(hours=2))]
    store.replace_stock_issues(SHOP, [unmapped])
    assert store.stock_issues() == [(unmapped, T0 + timedelta(hours=2))]


def test_a_change_of_demand_marks_its_skus_for_the_next_stock_sync(store: Store, clock: Clock) -> None:
    order = "gid://shopify/Order/1"
    assert store.set_order_demand(SHOP, order, {("TEE", "WH1"): 2, ("CAP", "WH1"): 1}) == {"TEE", "CAP"}
    assert store.set_order_demand(SHOP, order, {("TEE", "WH1"): 2, ("CAP", "WH1"): 1}) == set()  # unchanged
    marks = store.stock_dirty(SHOP)
    assert marks == {"TEE": T0, "CAP": T0}

    clock.now = T0 + timedelta(seconds=5)
    assert store.set_order_demand(SHOP, order, {("TEE", "WH1"): 2}) == {"CAP"}  # CAP marked again
    store.clear_stock_dirty(SHOP, marks)
    assert store.stock_dirty(SHOP) == {"CAP": T0 + timedelta(seconds=5)}  # marked since it was read
    assert store.stock_dirty(OTHER_SHOP) == {}
