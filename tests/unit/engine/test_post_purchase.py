"""Edits, address changes and cancellations after posting, on fakes: applied before the cut-off, exceptions after."""

from dataclasses import replace
from datetime import timedelta

import pytest
from tests.factories import a_line, an_order
from tests.unit.engine.harness import Engine

from trueup.domain.errors import Cause
from trueup.domain.ledger import OrderState
from trueup.domain.orders import Address
from trueup.domain.post_purchase import CutOff, PostPurchasePolicy
from trueup.domain.sales import ShipmentStage
from trueup.service_layer.post_purchase import accept_changes
from trueup.service_layer.sync_order import sync_order

HOME = Address("Ada Lovelace", "12 Rue de la Paix", "", "Paris", "75002", "FR")
MOVED = Address("Ada Lovelace", "1 Baker Street", "", "London", "NW1 6XE", "GB")


@pytest.fixture
def posted(engine: Engine):
    """A paid order of 2 TEE-M, posted."""
    order = engine.shopify.put_order(
        an_order([a_line("TEE-M", quantity=2)], shipping_address=HOME, billing_address=HOME)
    )
    engine.notify(order.order_id)
    engine.run_until_idle()
    assert engine.entry(order.order_id).state == OrderState.POSTED
    return order


def sync(engine: Engine, order_id: str):
    engine.notify(order_id)
    engine.run_until_idle()
    return engine.entry(order_id)


def edit_lines(engine: Engine, order_id: str, *lines):
    order = engine.shopify.fetch_order(order_id)
    edited = replace(order, lines=tuple(lines))
    return engine.shopify.update_order(order_id, lines=edited.lines, total_price=edited.computed_total())


def test_a_webhook_about_an_unchanged_order_changes_nothing(engine: Engine, posted):
    before = engine.entry(posted.order_id)

    after = sync(engine, posted.order_id)

    assert "amend_sale" not in engine.erp.calls
    assert (after.state, after.state_since, after.erp_total) == (before.state, before.state_since, before.erp_total)


def test_an_edit_before_picking_amends_the_erp_sale(engine: Engine, posted):
    edit_lines(engine, posted.order_id, a_line("TEE-M", quantity=1), a_line("MUG", quantity=3, line_id="2"))

    entry = sync(engine, posted.order_id)

    sale = engine.erp.sale_progress(entry.erp_sale_id)
    assert {line.sku: line.quantity for line in sale.lines} == {"TEE-M": 1, "MUG": 3}
    assert entry.state == OrderState.POSTED
    assert entry.erp_total == engine.shopify.fetch_order(posted.order_id).total_price


def test_removing_units_is_a_partial_cancellation_applied_as_an_edit(engine: Engine, posted):
    edit_lines(engine, posted.order_id, a_line("TEE-M", quantity=0), a_line("MUG", line_id="2"))

    entry = sync(engine, posted.order_id)

    assert {line.sku: line.quantity for line in engine.erp.sale_progress(entry.erp_sale_id).lines} == {"MUG": 1}
    assert entry.state == OrderState.POSTED


def test_the_same_edit_delivered_twice_amends_once(engine: Engine, posted):
    edit_lines(engine, posted.order_id, a_line("TEE-M", quantity=1))

    sync(engine, posted.order_id)
    sync(engine, posted.order_id)

    assert engine.erp.calls.count("amend_sale") == 1


def test_an_address_change_before_picking_reaches_the_sale(engine: Engine, posted):
    engine.shopify.update_order(posted.order_id, shipping_address=MOVED)

    entry = sync(engine, posted.order_id)

    assert engine.erp.sale_progress(entry.erp_sale_id).shipment_address == MOVED
    assert entry.state == OrderState.POSTED


def test_an_address_change_after_picking_is_an_exception_that_keeps_the_sale(engine: Engine, posted):
    sale_id = engine.entry(posted.order_id).erp_sale_id
    engine.erp.set_shipment_stage(sale_id, ShipmentStage.PICKED)
    engine.shopify.update_order(posted.order_id, shipping_address=MOVED)

    entry = sync(engine, posted.order_id)

    assert (entry.state, entry.cause) == (OrderState.EXCEPTION, Cause.CHANGED_AFTER_CUT_OFF)
    assert entry.needs == {"changes": ["shipping address changed"]}
    assert entry.detail.startswith("shipping address changed in Shopify after the cut-off (picked)")
    assert "London" not in entry.detail
    assert (entry.erp_sale_id, entry.erp_number) == (sale_id, "SO1")
    assert engine.erp.sale_progress(sale_id).shipment_address == HOME
    assert "amend_sale" not in engine.erp.calls


def test_the_change_applies_once_the_parcel_is_stopped_and_replayed(engine: Engine, posted):
    sale_id = engine.entry(posted.order_id).erp_sale_id
    engine.erp.set_shipment_stage(sale_id, ShipmentStage.PICKED)
    engine.shopify.update_order(posted.order_id, shipping_address=MOVED)
    sync(engine, posted.order_id)

    engine.erp.set_shipment_stage(sale_id, ShipmentStage.CANCELLED)  # a person stopped the parcel in the ERP
    entry = sync(engine, posted.order_id)

    assert entry.state == OrderState.POSTED
    assert engine.erp.sale_progress(sale_id).shipment_address == MOVED


def test_a_later_cut_off_lets_a_change_through_at_picking(engine: Engine, posted):
    engine.ctx = replace(engine.ctx, post_purchase=PostPurchasePolicy(cut_off=CutOff.PACKED))
    engine.erp.set_shipment_stage(engine.entry(posted.order_id).erp_sale_id, ShipmentStage.ASSIGNED)
    engine.shopify.update_order(posted.order_id, shipping_address=MOVED)

    entry = sync_order(engine.ctx, posted.order_id)

    assert entry is not None
    assert entry.state == OrderState.POSTED


def test_an_accepted_change_after_the_cut_off_is_not_raised_again_but_a_new_one_is(engine: Engine, posted):
    sale_id = engine.entry(posted.order_id).erp_sale_id
    engine.erp.set_shipment_stage(sale_id, ShipmentStage.SHIPPED)
    engine.shopify.update_order(posted.order_id, shipping_address=MOVED)
    sync(engine, posted.order_id)

    assert [e.name for e in accept_changes(engine.store, posted.name)] == [posted.name]
    engine.run_until_idle()
    assert engine.entry(posted.order_id).state == OrderState.POSTED
    assert sync(engine, posted.order_id).state == OrderState.POSTED
    edit_lines(engine, posted.order_id, a_line("TEE-M", quantity=1))
    again = sync(engine, posted.order_id)
    assert (again.state, again.cause) == (OrderState.EXCEPTION, Cause.CHANGED_AFTER_CUT_OFF)
    assert "TEE-M quantity 2 -> 1" in again.needs["changes"]


def test_a_cancel_before_picking_cancels_the_erp_sale_and_its_shipment(engine: Engine, posted):
    sale_id = engine.entry(posted.order_id).erp_sale_id
    engine.shopify.update_order(posted.order_id, cancelled_at=engine.clock.now())

    entry = sync(engine, posted.order_id)

    assert entry.state == OrderState.CANCELLED
    assert (entry.erp_sale_id, entry.erp_number) == (sale_id, "SO1")
    progress = engine.erp.sale_progress(sale_id)
    assert progress.is_cancelled
    assert {s.stage for s in progress.shipments} == {ShipmentStage.CANCELLED}
    sync(engine, posted.order_id)
    assert engine.erp.calls.count("cancel_sale") == 1


def test_a_cancel_after_picking_says_stop_the_parcel(engine: Engine, posted):
    sale_id = engine.entry(posted.order_id).erp_sale_id
    engine.erp.set_shipment_stage(sale_id, ShipmentStage.PACKED)
    engine.shopify.update_order(posted.order_id, cancelled_at=engine.clock.now())

    entry = sync(engine, posted.order_id)

    assert (entry.state, entry.cause) == (OrderState.EXCEPTION, Cause.CHANGED_AFTER_CUT_OFF)
    assert "cancelled in Shopify after the cut-off (picked)" in entry.detail
    assert "Stop the parcel" in entry.detail
    assert entry.needs == {"changes": ["order cancelled"]}
    assert not engine.erp.sale_progress(sale_id).is_cancelled


def test_a_sale_cancelled_only_in_the_erp_is_an_exception(engine: Engine, posted):
    engine.erp.cancel_sale(engine.entry(posted.order_id).erp_sale_id)
    engine.shopify.update_order(posted.order_id, tags=("touched",))

    entry = sync(engine, posted.order_id)

    assert (entry.state, entry.cause) == (OrderState.EXCEPTION, Cause.CANCELLED_IN_ERP_ONLY)


def test_an_order_cancelled_after_a_post_that_timed_out_is_cancelled_in_the_same_sync(engine: Engine):
    order = engine.shopify.put_order(an_order())
    engine.erp.commit_then_timeout_next = True
    engine.notify(order.order_id)
    engine.run_until_idle()
    engine.shopify.update_order(order.order_id, cancelled_at=engine.clock.now())
    engine.clock.advance(timedelta(hours=1).total_seconds())

    engine.run_until_idle()

    entry = engine.entry(order.order_id)
    assert entry.state == OrderState.CANCELLED
    assert engine.erp.sale_progress(entry.erp_sale_id).is_cancelled


def test_a_sku_added_by_an_edit_that_the_erp_lacks_parks_the_order_with_the_sku(engine: Engine, posted):
    edit_lines(engine, posted.order_id, a_line("TEE-M", quantity=2), a_line("NEW-HAT", line_id="2"))

    entry = sync(engine, posted.order_id)

    assert (entry.state, entry.cause, entry.needs) == (
        OrderState.EXCEPTION,
        Cause.SKU_NOT_IN_ITEM_MASTER,
        {"skus": ["NEW-HAT"]},
    )
    assert entry.erp_sale_id is not None
    engine.erp.add_products("NEW-HAT")
    engine.a_minute_later()
    entry = engine.entry(posted.order_id)
    assert entry.state == OrderState.POSTED
    assert {line.sku for line in engine.erp.sale_progress(entry.erp_sale_id).lines} == {"TEE-M", "NEW-HAT"}


def test_a_parked_change_applies_by_itself_once_the_parcel_is_stopped(engine: Engine, posted):
    sale_id = engine.entry(posted.order_id).erp_sale_id
    engine.erp.set_shipment_stage(sale_id, ShipmentStage.PICKED)
    engine.shopify.update_order(posted.order_id, cancelled_at=engine.clock.now())
    assert sync(engine, posted.order_id).cause == Cause.CHANGED_AFTER_CUT_OFF

    engine.erp.set_shipment_stage(sale_id, ShipmentStage.CANCELLED)  # no webhook: only the periodic replay
    engine.a_minute_later()

    assert engine.entry(posted.order_id).state == OrderState.CANCELLED
    assert engine.erp.sale_progress(sale_id).is_cancelled
