"""Orders Shopify took that trueup has not heard of yet: a stock sync must never offer their units again.

Shopify's `committed` (read with `available`) holds them; the ERP's on hand less that bounds every target.
"""

from __future__ import annotations

from decimal import Decimal

from tests.unit.inventory.stock_harness import Stock
from trueup.domain.bundles import KitComponent
from trueup.domain.inventory import BufferRules, InventoryLevel, StockChange, StockNeed, committed_by_warehouse
from trueup.service_layer.inventory import CHANGES_CURSOR, sync_changes
from trueup.service_layer.stock_reconcile import reconcile


def _confirmed_in_erp(stock: Stock, sku: str, units: int) -> None:
    """The order's sale is posted: its goods are due out (the ERP's available falls), still on hand."""
    stock.erp.due_out[(sku, "WH1")] = stock.erp.due_out.get((sku, "WH1"), Decimal(0)) + units
    stock.erp.stock_log.append(StockChange(sku, "WH1"))


def _shipped_in_erp(stock: Stock, sku: str, units: int) -> None:
    stock.erp.due_out[(sku, "WH1")] -= units
    stock.erp.issue(sku, "WH1", units)


def test_a_receipt_synced_before_trueup_knows_an_order_does_not_offer_its_units_again() -> None:
    stock = Stock()  # buffer 2
    stock.stock("TEE", 10, shopify=8)
    sync_changes(stock.ctx)
    stock.inventory.take_order("TEE", stock.wh1, 3)  # Shopify took an order; no webhook yet
    stock.erp.receive("TEE", "WH1", 2)

    sync_changes(stock.ctx)

    assert stock.shows("TEE") == 7  # 12 on hand − 3 committed − 2 held back, not 12 − 2
    assert stock.shows("TEE") + stock.inventory.committed("TEE", stock.wh1) <= 12 - 2


def test_a_sync_triggered_in_the_window_writes_nothing_back_up() -> None:
    stock = Stock()
    stock.stock("TEE", 6, shopify=4)
    sync_changes(stock.ctx)
    stock.inventory.take_order("TEE", stock.wh1, 2)  # order #1001: 2 units
    stock.erp.receive("TEE", "WH1", 0)  # any move of TEE triggers a recompute

    outcome = sync_changes(stock.ctx)

    assert outcome.written == []
    assert stock.shows("TEE") == 2


def test_once_posted_and_until_shipped_the_order_counts_once() -> None:
    stock = Stock(buffers=BufferRules())
    stock.stock("TEE", 10, shopify=10)
    sync_changes(stock.ctx)
    stock.inventory.take_order("TEE", stock.wh1, 3)
    _confirmed_in_erp(stock, "TEE", 3)  # available 7, on hand 10, committed 3

    assert sync_changes(stock.ctx).written == []
    assert stock.shows("TEE") == 7


def test_shipped_in_the_erp_but_not_yet_fulfilled_in_shopify_is_counted_twice_until_fulfilled() -> None:
    stock = Stock(buffers=BufferRules())
    stock.stock("TEE", 10, shopify=10)
    sync_changes(stock.ctx)
    stock.inventory.take_order("TEE", stock.wh1, 3)
    _confirmed_in_erp(stock, "TEE", 3)
    _shipped_in_erp(stock, "TEE", 3)  # on hand 7, Shopify still commits 3

    sync_changes(stock.ctx)
    assert stock.shows("TEE") == 4  # conservative: 7 − 3

    stock.inventory.fulfil("TEE", stock.wh1, 3)  # trueup fulfils the order in Shopify
    stock.erp.receive("TEE", "WH1", 0)
    sync_changes(stock.ctx)
    assert stock.shows("TEE") == 7


def test_an_order_taken_between_the_read_and_the_write_is_read_again_with_its_committed_units() -> None:
    stock = Stock(buffers=BufferRules())
    stock.stock("TEE", 2, shopify=2)
    sync_changes(stock.ctx)
    stock.erp.receive("TEE", "WH1", 8)
    real_set = stock.shopify.set_available

    def an_order_slips_in(writes, key):  # type: ignore[no-untyped-def]
        stock.shopify.set_available = real_set  # type: ignore[method-assign]
        stock.inventory.take_order("TEE", stock.wh1, 2)  # the 2 units Shopify had: the write (from 2) is stale
        return real_set(writes, key)

    stock.shopify.set_available = an_order_slips_in  # type: ignore[method-assign]
    outcome = sync_changes(stock.ctx)

    assert [(w.quantity, w.expected) for w in outcome.written] == [(8, 0)]  # 10 on hand − 2 committed
    assert stock.shows("TEE") == 8
    assert [len(batch) for _, batch in stock.inventory.batches] == [1, 1]  # the stale write, then the new one


def test_a_bundle_order_not_yet_known_holds_its_components_back() -> None:
    kit = (KitComponent("CAP", Decimal(1), Decimal(0)), KitComponent("SOCK", Decimal(2), Decimal(0)))
    stock = Stock(buffers=BufferRules(), bundles={"SET": kit})
    stock.stock("CAP", 10, shopify=10)
    stock.stock("SOCK", 7, shopify=7)
    stock.inventory.put_level("SET", stock.wh1, 3)
    reconcile(stock.ctx)
    stock.inventory.take_order("SET", stock.wh1, 2)  # lowers only the set's own level in Shopify
    stock.erp.receive("CAP", "WH1", 0)
    stock.erp.receive("SOCK", "WH1", 0)

    sync_changes(stock.ctx)

    assert (stock.shows("SET"), stock.shows("CAP"), stock.shows("SOCK")) == (1, 8, 3)


def test_a_component_order_not_yet_known_lowers_the_bundle() -> None:
    kit = (KitComponent("CAP", Decimal(1), Decimal(0)), KitComponent("SOCK", Decimal(2), Decimal(0)))
    stock = Stock(buffers=BufferRules(), bundles={"SET": kit})
    stock.stock("CAP", 10, shopify=10)
    stock.stock("SOCK", 7, shopify=7)
    stock.inventory.put_level("SET", stock.wh1, 3)
    reconcile(stock.ctx)
    stock.inventory.take_order("SOCK", stock.wh1, 4)
    stock.erp.receive("SOCK", "WH1", 0)

    sync_changes(stock.ctx)

    assert (stock.shows("SET"), stock.shows("SOCK")) == (1, 3)


def test_the_reconciliation_at_start_takes_the_first_cursor_before_reading_the_erp() -> None:
    stock = Stock(buffers=BufferRules())
    stock.stock("TEE", 5, shopify=0)
    reconcile(stock.ctx)
    assert stock.store.cursor(stock.shopify.shop, CHANGES_CURSOR) is not None
    stock.erp.receive("TEE", "WH1", 3)  # after the reconciliation read the ERP

    sync_changes(stock.ctx)  # the first sync: the move is reported to it

    assert stock.shows("TEE") == 8


def test_committed_units_count_where_the_location_maps_and_where_orders_post() -> None:
    level = InventoryLevel("TEE", "item", "loc-2", available=0, committed=3)
    locations = {"loc-1": "WH1", "loc-2": "WH2"}
    assert committed_by_warehouse([level], locations, {}, "WH1") == {("TEE", "WH2"): 3, ("TEE", "WH1"): 3}
    unknown = committed_by_warehouse([level], {**locations, "loc-3": "WH3"}, {}, None)
    assert unknown == {("TEE", "WH1"): 3, ("TEE", "WH2"): 3, ("TEE", "WH3"): 3}  # the ERP picks: everywhere
    bundle = InventoryLevel("SET", "item", "loc-1", available=0, committed=2)
    kit = {"SET": [KitComponent("SOCK", Decimal(2), Decimal(0))]}
    assert committed_by_warehouse([bundle], locations, kit, "WH1") == {("SOCK", "WH1"): 4}


def test_a_need_is_bounded_by_on_hand_less_committed_and_by_available_less_demand() -> None:
    assert StockNeed(available=10, demand=0, on_hand=10, committed=3).promisable == 7
    assert StockNeed(available=7, demand=0, on_hand=10, committed=3).promisable == 7
    assert StockNeed(available=10, demand=4, on_hand=10, committed=3).promisable == 6
    assert StockNeed(available=10, demand=0, on_hand=2, committed=5).promisable == 0
    assert StockNeed(available=10, demand=1).promisable == 9  # an ERP without on hand: the first bound only
