"""Stock from the ERP to Shopify on fakes: triggered updates, bundles, reconciliation, stale compares."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from tests.factories import a_line, an_order
from tests.unit.inventory.stock_harness import Stock
from trueup.domain.bundles import KitComponent
from trueup.domain.errors import BadInput, Cause
from trueup.domain.inventory import Buffer, BufferKind, BufferRules, StockWriteResult
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.domain.orders import FinancialStatus
from trueup.service_layer.inventory import StockPolicy, check_locations, sync_changes
from trueup.service_layer.inventory_demand import note_demand
from trueup.service_layer.stock_reconcile import reconcile


def test_a_receipt_in_the_erp_reaches_shopify_minus_the_buffer() -> None:
    stock = Stock()
    stock.stock("TEE", 0)
    sync_changes(stock.ctx)  # the first pass only takes a cursor
    stock.erp.receive("TEE", "WH1", 10)

    outcome = sync_changes(stock.ctx)

    assert stock.shows("TEE") == 8
    assert [(w.sku, w.quantity, w.expected) for w in outcome.written] == [("TEE", 8, 0)]
    assert [(level.sku, level.quantity) for level in stock.store.levels_set(stock.shopify.shop)] == [("TEE", 8)]
    assert sync_changes(stock.ctx).written == []  # nothing new: nothing read, nothing written


def test_a_change_at_one_warehouse_touches_only_its_locations() -> None:
    stock = Stock(buffers=BufferRules())
    stock.stock("TEE", 0)
    stock.stock("TEE", 0, warehouse="WH2")
    sync_changes(stock.ctx)
    stock.erp.receive("TEE", "WH2", 4)
    sync_changes(stock.ctx)
    assert (stock.shows("TEE", "WH1"), stock.shows("TEE", "WH2")) == (0, 4)


def test_a_percentage_buffer_holds_back_a_share_rounded_up() -> None:
    stock = Stock(buffers=BufferRules(per_sku={"TEE": Buffer(Decimal(15), BufferKind.PERCENT)}))
    stock.stock("TEE", 0)
    sync_changes(stock.ctx)
    stock.erp.receive("TEE", "WH1", 10)
    sync_changes(stock.ctx)
    assert stock.shows("TEE") == 8  # 1.5 units held back: 2


def test_an_erp_kit_follows_its_components() -> None:
    stock = Stock(buffers=BufferRules())
    stock.erp.add_kit(
        "SET", [KitComponent("CAP", Decimal(1), Decimal(1)), KitComponent("SOCK", Decimal(2), Decimal(1))]
    )
    stock.stock("CAP", 10)
    stock.stock("SOCK", 7)
    stock.inventory.put_level("SET", stock.wh1, 0)
    reconcile(stock.ctx)  # learns which bundles Shopify stocks
    assert (stock.shows("SET"), stock.shows("CAP"), stock.shows("SOCK")) == (3, 10, 7)
    sync_changes(stock.ctx)

    stock.erp.receive("SOCK", "WH1", 5)
    sync_changes(stock.ctx)

    assert (stock.shows("SET"), stock.shows("SOCK")) == (6, 12)


def test_a_bundle_sold_in_shopify_lowers_its_components_through_demand() -> None:
    kit = (KitComponent("CAP", Decimal(1), Decimal(0)), KitComponent("SOCK", Decimal(2), Decimal(0)))
    stock = Stock(buffers=BufferRules(), bundles={"SET": kit})
    stock.stock("CAP", 10, shopify=10)
    stock.stock("SOCK", 7, shopify=7)
    stock.inventory.put_level("SET", stock.wh1, 3)
    sync_changes(stock.ctx)
    # Shopify takes an order for 2 sets (lowering only the set's own level); it is not paid yet.
    stock.inventory.drift("SET", stock.wh1, -2)
    order = an_order([a_line("SET", quantity=2)], status=FinancialStatus.PENDING)
    entry = LedgerEntry.received(order.shop, order.order_id, order.name, stock.clock.now())
    note_demand(stock.orders, order, entry.moved_to(OrderState.WAITING_FOR_PAYMENT, stock.clock.now()))

    sync_changes(stock.ctx)

    assert (stock.shows("SET"), stock.shows("CAP"), stock.shows("SOCK")) == (1, 8, 3)


def test_no_demand_is_recorded_nor_asked_of_the_erp_when_stock_is_not_synced() -> None:
    stock = Stock(buffers=BufferRules())
    orders = replace(stock.orders, track_demand=False)
    order = an_order([a_line("TEE", quantity=3)], status=FinancialStatus.PENDING)
    calls_before = list(stock.erp.calls)

    note_demand(orders, order, LedgerEntry.received(order.shop, order.order_id, order.name, stock.clock.now()))

    assert stock.store.unposted_demand(order.shop) == {}
    assert stock.erp.calls == calls_before


def test_unposted_demand_is_counted_until_the_order_is_posted() -> None:
    stock = Stock(buffers=BufferRules())
    stock.stock("TEE", 10, shopify=10)
    sync_changes(stock.ctx)
    order = an_order([a_line("TEE", quantity=3)])
    stock.inventory.drift("TEE", stock.wh1, -3)  # Shopify took the order
    received = LedgerEntry.received(order.shop, order.order_id, order.name, stock.clock.now())
    note_demand(stock.orders, order, received)
    assert sync_changes(stock.ctx).written == []  # Shopify's 7 is already right: 10 − 3

    stock.erp.issue("TEE", "WH1", 3)  # the order reaches the ERP ...
    posted = received.moved_to(OrderState.POSTED, stock.clock.now(), erp_sale_id="1")
    note_demand(stock.orders, order, posted)  # ... and its demand is cleared
    assert sync_changes(stock.ctx).written == []
    assert stock.shows("TEE") == 7
    assert stock.store.unposted_demand(stock.shopify.shop) == {}


def test_a_sync_that_runs_before_the_demand_is_noted_does_not_write_the_order_back() -> None:
    stock = Stock(buffers=BufferRules())
    stock.stock("TEE", 10, shopify=10)
    sync_changes(stock.ctx)
    stock.inventory.take_order("TEE", stock.wh1, 3)  # Shopify took an order ...
    stock.erp.receive("TEE", "WH1", 2)  # ... and a receipt is synced before trueup has noted the order
    sync_changes(stock.ctx)
    assert stock.shows("TEE") == 9  # Shopify's committed units hold the order back: 12 − 3
    order = an_order([a_line("TEE", quantity=3)])
    note_demand(stock.orders, order, LedgerEntry.received(order.shop, order.order_id, order.name, stock.clock.now()))

    assert sync_changes(stock.ctx).written == []  # counted once, not twice

    assert stock.shows("TEE") == 9


def test_a_cancelled_order_asks_for_nothing() -> None:
    stock = Stock()
    order = an_order([a_line("TEE", quantity=3)], cancelled_at=stock.clock.now())
    entry = LedgerEntry.received(order.shop, order.order_id, order.name, stock.clock.now())
    note_demand(stock.orders, order, entry.moved_to(OrderState.CANCELLED_UNPOSTED, stock.clock.now()))
    assert stock.store.unposted_demand(stock.shopify.shop) == {}


def test_reconciliation_fixes_injected_drift_and_writes_only_the_differences() -> None:
    stock = Stock()
    for sku in ("TEE", "CAP", "MUG"):
        stock.stock(sku, 10, shopify=8)
    assert reconcile(stock.ctx).written == []
    stock.clock.advance(60)
    stock.inventory.drift("CAP", stock.wh1, +3)
    stock.inventory.drift("MUG", stock.wh1, -1)
    batches_before = len(stock.inventory.batches)

    outcome = reconcile(stock.ctx)

    assert sorted((d.sku, d.difference) for d in outcome.drift) == [("CAP", 3), ("MUG", -1)]
    assert all(d.since == stock.clock.now() for d in outcome.drift)  # Shopify changed them just now
    assert len(stock.inventory.batches) == batches_before + 1
    (_, sent) = stock.inventory.batches[-1]
    assert sorted((w.sku, w.quantity, w.expected) for w in sent) == [("CAP", 8, 11), ("MUG", 8, 7)]
    assert (stock.shows("TEE"), stock.shows("CAP"), stock.shows("MUG")) == (8, 8, 8)
    assert stock.store.open_drift() == []


def test_a_reconciliation_without_writing_keeps_the_drift_open_since_first_seen() -> None:
    stock = Stock()
    stock.stock("TEE", 10, shopify=5)
    first = stock.clock.now()
    reconcile(stock.ctx, write=False)
    stock.clock.advance(3600)
    outcome = reconcile(stock.ctx, write=False)
    assert [(d.sku, d.shopify, d.target, d.since) for d in outcome.drift] == [("TEE", 5, 8, first)]
    assert stock.shows("TEE") == 5
    assert [d.since for d in stock.store.open_drift()] == [first]


def test_a_stale_compare_is_read_again_and_recomputed_never_overwritten() -> None:
    stock = Stock(buffers=BufferRules())
    stock.stock("TEE", 0, shopify=0)
    sync_changes(stock.ctx)
    stock.erp.receive("TEE", "WH1", 10)
    real_set = stock.shopify.set_available
    order = an_order([a_line("TEE", quantity=1)])

    def an_order_slips_in(writes, key):  # type: ignore[no-untyped-def]
        # Between trueup's read and its write, Shopify takes an order (and trueup notes its demand).
        stock.shopify.set_available = real_set  # type: ignore[method-assign]
        stock.inventory.put_level("TEE", stock.wh1, 5)
        note_demand(
            stock.orders, order, LedgerEntry.received(order.shop, order.order_id, order.name, stock.clock.now())
        )
        return real_set(writes, key)

    stock.shopify.set_available = an_order_slips_in  # type: ignore[method-assign]
    outcome = sync_changes(stock.ctx)

    assert [(w.quantity, w.expected) for w in outcome.written] == [(9, 5)]  # re-read, recomputed: 10 − 1
    assert stock.shows("TEE") == 9
    assert [len(batch) for _, batch in stock.inventory.batches] == [1, 1]  # the stale write, then the new one


def test_a_compare_that_stays_stale_is_left_to_the_next_pass() -> None:
    stock = Stock(buffers=BufferRules())
    stock.stock("TEE", 5, shopify=0)
    reconcile(stock.ctx)
    stock.inventory.drift("TEE", stock.wh1, -5)

    def always_stale(writes, key):  # type: ignore[no-untyped-def]
        return StockWriteResult((), tuple(writes))

    stock.shopify.set_available = always_stale  # type: ignore[method-assign]
    outcome = reconcile(stock.ctx)
    assert len(outcome.still_stale) == 1
    assert [d.sku for d in stock.store.open_drift()] == ["TEE"]


def test_reconciliation_reports_skus_missing_in_shopify_and_unmapped_locations() -> None:
    stock = Stock()
    stock.stock("TEE", 10, shopify=8)
    stock.erp.add_products("MUG")
    stock.erp.receive("MUG", "WH2", 4)
    stock.inventory.put_level("GHOST", stock.wh1, 3)
    popup = stock.inventory.add_location("Pop-up store").location_id

    issues = {(i.cause, i.sku, i.location) for i in reconcile(stock.ctx).issues}

    assert issues == {
        (Cause.SKU_NOT_IN_SHOPIFY, "MUG", stock.wh2),
        (Cause.UNMAPPED_LOCATION, "", popup),
        (Cause.SKU_NOT_IN_ITEM_MASTER, "GHOST", stock.wh1),
    }
    assert stock.shows("GHOST") == 3  # not the ERP's: left alone
    assert len(stock.store.stock_issues(stock.shopify.shop)) == 3


def test_every_configured_location_must_exist_and_be_active() -> None:
    stock = Stock()
    closed = stock.inventory.add_location("Closed shop", active=False).location_id
    policy = StockPolicy({stock.wh1: "WH1", closed: "WH2", "gid://shopify/Location/999": "WH2"})
    with pytest.raises(BadInput) as raised:
        check_locations(stock.shopify, policy)
    assert "gid://shopify/Location/999 is not a location" in str(raised.value)
    assert f"{closed} (Closed shop) is deactivated" in str(raised.value)
    check_locations(stock.shopify, stock.policy)  # the harness's own mapping is fine
