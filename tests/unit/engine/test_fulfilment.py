"""Fulfilment back to Shopify on fakes: each despatched ERP shipment gives one Shopify fulfilment, once, at
the location its warehouse is mapped to, with its tracking kept up to date."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from tests.factories import SHOP, a_line, an_order
from tests.fakes.shopify_fulfilment import DEFAULT_LOCATION
from tests.unit.engine.harness import Engine

from trueup.domain.bundles import KitComponent
from trueup.domain.errors import Cause, TransientError
from trueup.domain.fulfilment import FulfilmentRequest, FulfilmentState, Tracking
from trueup.domain.ledger import LedgerEntry
from trueup.domain.posting import PostingPolicy
from trueup.service_layer.fulfilment import fulfil_despatched
from trueup.service_layer.jobs import FulfilShipments
from trueup.service_layer.replay import replay
from trueup.service_layer.status import build_status

OVERFLOW = "gid://shopify/Location/2"
TWO_WAREHOUSES = {DEFAULT_LOCATION: "WH1", "2": "WH2"}  # a numeric id is as good as a gid


def reference(number: int = 1001) -> str:
    return f"shopify:{SHOP}:{number}"


def placed(engine: Engine, *lines, number: int = 1001) -> str:  # type: ignore[no-untyped-def]
    """An order in Shopify that trueup has taken in (its ledger entry exists)."""
    engine.erp.clock = engine.clock.now  # the ERP writes its shipments on the test's clock
    order = engine.shopify.put_order(an_order(lines=lines, number=number))
    engine.store.save_ledger_entry(LedgerEntry.received(SHOP, order.order_id, order.name, engine.clock.now()))
    return order.order_id


def fulfilments(engine: Engine, order_id: str) -> list[FulfilmentRequest]:
    return [request for _, request in engine.shopify.fulfilments.get(order_id, [])]


def units(request: FulfilmentRequest) -> int:
    return sum(q for lines in request.lines_by_order.values() for q in lines.values())


def record_of(engine: Engine, shipment_id: str):  # type: ignore[no-untyped-def]
    return engine.store.fulfilment_record(SHOP, shipment_id)


def with_locations(locations: dict[str, str], **policy: object) -> Engine:
    return Engine(policy=PostingPolicy(taxes={"VAT 20": "VAT20"}, locations=locations, **policy))  # type: ignore[arg-type]


def test_a_despatched_shipment_becomes_one_fulfilment_with_its_tracking_and_notification():
    engine = Engine()
    order_id = placed(engine, a_line("TEE-M", 2, line_id="1"), a_line("MUG", 1, line_id="2"))
    engine.erp.despatch(reference(), [("TEE-M", 2), ("MUG", 1)], tracking_number="1Z999")
    assert fulfil_despatched(engine.ctx, notify_customer=True) == 1
    (request,) = fulfilments(engine, order_id)
    assert sorted(request.lines_by_order["gid://shopify/FulfillmentOrder/1001"].values()) == [1, 2]
    assert (request.tracking_number, request.notify_customer) == ("1Z999", True)
    assert engine.shopify.order_fulfilment(order_id).fulfillment_orders[0].status == "CLOSED"


def test_partial_shipments_give_one_fulfilment_each_and_polling_again_adds_none():
    engine = Engine()
    order_id = placed(engine, a_line("TEE-M", 3))
    engine.erp.despatch(reference(), [("TEE-M", 1)])
    fulfil_despatched(engine.ctx, notify_customer=False)
    engine.erp.despatch(reference(), [("TEE-M", 2)])
    fulfil_despatched(engine.ctx, notify_customer=False)
    fulfil_despatched(engine.ctx, notify_customer=False)
    assert [units(request) for request in fulfilments(engine, order_id)] == [1, 2]


def test_an_order_split_over_two_warehouses_gives_one_fulfilment_per_location():
    engine = with_locations(TWO_WAREHOUSES)
    order_id = placed(engine, a_line("TEE-M", 1, line_id="1"), a_line("MUG", 2, line_id="2"))
    engine.shopify.place_line_at(order_id, "gid://shopify/LineItem/2", OVERFLOW)
    engine.erp.despatch(reference(), [("MUG", 2)], "OVER-1", warehouse="WH2")
    engine.erp.despatch(reference(), [("TEE-M", 1)], "MAIN-1", warehouse="WH1")
    assert fulfil_despatched(engine.ctx, notify_customer=True) == 2
    overflow, main = fulfilments(engine, order_id)
    assert list(overflow.lines_by_order) == ["gid://shopify/FulfillmentOrder/1001-2"]
    assert (list(main.lines_by_order), main.tracking_number) == (["gid://shopify/FulfillmentOrder/1001"], "MAIN-1")
    assert {fo.status for fo in engine.shopify.order_fulfilment(order_id).fulfillment_orders} == {"CLOSED"}


def test_a_shipment_from_a_warehouse_whose_location_has_not_the_skus_is_an_exception_not_a_wrong_fulfilment():
    engine = with_locations(TWO_WAREHOUSES)
    order_id = placed(engine, a_line("TEE-M", 1, line_id="1"), a_line("MUG", 1, line_id="2"))
    engine.shopify.place_line_at(order_id, "gid://shopify/LineItem/2", OVERFLOW)
    shipment = engine.erp.despatch(reference(), [("TEE-M", 1)], warehouse="WH2")  # TEE-M is due from WH1
    assert fulfil_despatched(engine.ctx, notify_customer=True) == 0
    assert fulfilments(engine, order_id) == []
    record = record_of(engine, shipment.shipment_id)
    assert (record.state, record.cause) == (FulfilmentState.FAILED, Cause.FULFILMENT_ORDER_NOT_FOUND)
    assert "1 × TEE-M" in record.detail
    assert OVERFLOW in record.detail


def test_a_warehouse_mapped_to_no_location_is_shown_and_fulfilled_by_itself_once_mapped():
    engine = with_locations({DEFAULT_LOCATION: "WH1"})
    order_id = placed(engine, a_line("MUG", 1))
    engine.erp.despatch(reference(), [("MUG", 1)], warehouse="WH3")
    assert fulfil_despatched(engine.ctx, notify_customer=True) == 0
    (group,) = build_status(engine.store, engine.clock).unfulfilled_shipments
    assert (group["cause"], group["count"]) == ("unmapped_location", 1)
    assert "[shops.locations]" in str(group["what_to_do"])
    assert group["examples"][0]["order"] == "#1001"  # type: ignore[index]

    engine.ctx.policy.locations[DEFAULT_LOCATION] = "WH3"  # type: ignore[index]
    assert fulfil_despatched(engine.ctx, notify_customer=True) == 1
    assert len(fulfilments(engine, order_id)) == 1
    assert build_status(engine.store, engine.clock).unfulfilled_shipments == []


def test_a_tracking_number_added_later_updates_the_fulfilment_and_never_makes_a_second():
    engine = Engine()
    order_id = placed(engine, a_line("TEE-M", 1))
    shipment = engine.erp.despatch(reference(), [("TEE-M", 1)])
    fulfil_despatched(engine.ctx, notify_customer=True)
    engine.erp.rewrite_shipment(shipment, carrier="DHL", tracking_number="JD0001")
    fulfil_despatched(engine.ctx, notify_customer=True, tracking_urls={"DHL": "https://dhl.example/t?n={number}"})
    fulfil_despatched(engine.ctx, notify_customer=True, tracking_urls={"DHL": "https://dhl.example/t?n={number}"})
    ((fulfillment_id, _),) = engine.shopify.fulfilments[order_id]
    wanted = Tracking("DHL", "JD0001", "https://dhl.example/t?n=JD0001")
    assert engine.shopify.fulfilment_book.tracking_updates == [(fulfillment_id, wanted, True)]
    assert record_of(engine, shipment.shipment_id).tracking == wanted


def test_a_carrier_url_template_gives_the_tracking_url_at_creation():
    engine = Engine()
    order_id = placed(engine, a_line("TEE-M", 1))
    engine.erp.despatch(reference(), [("TEE-M", 1)], "JD0002", carrier="DHL")
    fulfil_despatched(engine.ctx, notify_customer=False, tracking_urls={"DHL": "https://dhl.example/{number}"})
    (request,) = fulfilments(engine, order_id)
    assert request.tracking == Tracking("DHL", "JD0002", "https://dhl.example/JD0002")


def test_a_create_whose_answer_was_lost_is_recorded_not_repeated_and_a_later_tracking_still_follows():
    engine = Engine()
    order_id = placed(engine, a_line("TEE-M", 2))
    shipment = engine.erp.despatch(reference(), [("TEE-M", 1)])
    create = engine.shopify.create_fulfilment

    def commit_then_time_out(request: FulfilmentRequest) -> str:
        create(request)
        raise TransientError("read timeout")

    engine.shopify.create_fulfilment = commit_then_time_out  # type: ignore[method-assign]
    with pytest.raises(TransientError):
        fulfil_despatched(engine.ctx, notify_customer=True)
    engine.shopify.create_fulfilment = create  # type: ignore[method-assign]
    engine.erp.rewrite_shipment(shipment, tracking_number="LATE-1")
    fulfil_despatched(engine.ctx, notify_customer=True)
    ((made, _),) = engine.shopify.fulfilments[order_id]
    record = record_of(engine, shipment.shipment_id)
    assert (record.state, record.fulfillment_id) == (FulfilmentState.FULFILLED, made)
    assert engine.shopify.fulfilment_book.tracking[made].number == "LATE-1"


def test_a_tracking_update_whose_answer_was_lost_is_sent_again_not_turned_into_a_fulfilment():
    engine = Engine()
    order_id = placed(engine, a_line("TEE-M", 1))
    shipment = engine.erp.despatch(reference(), [("TEE-M", 1)])
    fulfil_despatched(engine.ctx, notify_customer=False)
    engine.erp.rewrite_shipment(shipment, tracking_number="T-2")
    engine.shopify.throttled_next = 0
    update = engine.shopify.update_tracking

    def update_then_time_out(*args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        update(*args, **kwargs)
        raise TransientError("read timeout")

    engine.shopify.update_tracking = update_then_time_out  # type: ignore[method-assign]
    with pytest.raises(TransientError):
        fulfil_despatched(engine.ctx, notify_customer=False)
    engine.shopify.update_tracking = update  # type: ignore[method-assign]
    fulfil_despatched(engine.ctx, notify_customer=False)
    assert len(engine.shopify.fulfilments[order_id]) == 1
    assert [t.number for _, t, _ in engine.shopify.fulfilment_book.tracking_updates] == ["T-2", "T-2"]
    assert record_of(engine, shipment.shipment_id).tracking.number == "T-2"


def test_a_bundle_shipped_as_its_components_fulfils_the_bundle_line_by_complete_bundles():
    engine = Engine()
    engine.erp.add_kit(
        "GIFT", [KitComponent("TEE-M", Decimal(1), Decimal(10)), KitComponent("MUG", Decimal(2), Decimal(5))]
    )
    order_id = placed(engine, a_line("GIFT", 3, line_id="1"), a_line("TEE-L", 1, line_id="2"))
    engine.erp.despatch(reference(), [("TEE-M", 2), ("MUG", 4), ("TEE-L", 1)])
    assert fulfil_despatched(engine.ctx, notify_customer=True) == 1
    (request,) = fulfilments(engine, order_id)
    assert request.lines_by_order["gid://shopify/FulfillmentOrder/1001"] == {
        "gid://shopify/FulfillmentOrderLineItem/1001-1": 2,
        "gid://shopify/FulfillmentOrderLineItem/1001-2": 1,
    }


def test_a_configured_bundle_shipped_in_part_is_an_exception_saying_so():
    bundles = {"GIFT": (KitComponent("TEE-M", Decimal(1), Decimal(0)), KitComponent("MUG", Decimal(1), Decimal(0)))}
    engine = Engine(policy=PostingPolicy(taxes={"VAT 20": "VAT20"}, bundles=bundles))
    order_id = placed(engine, a_line("GIFT", 1))
    shipment = engine.erp.despatch(reference(), [("TEE-M", 1)])
    fulfil_despatched(engine.ctx, notify_customer=True)
    assert fulfilments(engine, order_id) == []
    assert "bundle shipped in part" in record_of(engine, shipment.shipment_id).detail


def test_a_failed_shipment_is_shown_then_replayed_once_the_hold_is_released():
    engine = Engine()
    order_id = placed(engine, a_line("TEE-M", 1))
    engine.shopify.held_by_trueup.add(order_id)
    shipment = engine.erp.despatch(reference(), [("TEE-M", 1)])
    fulfil_despatched(engine.ctx, notify_customer=True)
    (group,) = build_status(engine.store, engine.clock).to_json()["unfulfilled_shipments"]
    assert group["cause"] == "fulfilment_order_not_found"
    assert group["examples"][0]["shipment"] == shipment.shipment_id
    fulfil_despatched(engine.ctx, notify_customer=True)
    assert fulfilments(engine, order_id) == []  # not retried on every run: it waits for its fix

    engine.shopify.held_by_trueup.clear()
    assert replay(engine.store, cause=Cause.FULFILMENT_ORDER_NOT_FOUND, order="#1001") == 1
    assert fulfil_despatched(engine.ctx, notify_customer=True) == 1
    assert record_of(engine, shipment.shipment_id).state is FulfilmentState.FULFILLED
    assert replay(engine.store) == 0


def test_a_shipment_of_an_already_fulfilled_order_is_recorded_as_failed_with_its_cause():
    engine = Engine()
    placed(engine, a_line("TEE-M", 1))
    engine.erp.despatch(reference(), [("TEE-M", 1)])
    late = engine.erp.despatch(reference(), [("TEE-M", 1)])
    assert fulfil_despatched(engine.ctx, notify_customer=True) == 1
    record = record_of(engine, late.shipment_id)
    assert (record.state, record.cause) == (FulfilmentState.FAILED, Cause.FULFILMENT_ORDER_NOT_FOUND)
    assert "1 × TEE-M" in record.detail


def test_shipments_of_orders_trueup_never_took_in_are_passed_over_and_others_go_on():
    engine = Engine()
    order_id = placed(engine, a_line("MUG", 1), number=1002)
    history = engine.erp.despatch(reference(999), [("TEE-M", 1)])  # the ERP's own past
    engine.erp.despatch(reference(1002), [("MUG", 1)])
    engine.erp.despatch("shopify:other.myshopify.com:1002", [("MUG", 1)])
    assert fulfil_despatched(engine.ctx, notify_customer=True) == 1
    assert len(fulfilments(engine, order_id)) == 1
    assert record_of(engine, history.shipment_id) is None
    assert engine.shopify.calls.count("order_fulfilment") == 1


def test_a_shipment_of_an_order_shopify_lost_is_failed_with_its_cause():
    engine = Engine()
    order_id = placed(engine, a_line("MUG", 1))
    engine.shopify.delete_order(order_id)
    lost = engine.erp.despatch(reference(), [("MUG", 1)])
    fulfil_despatched(engine.ctx, notify_customer=True)
    assert "Shopify has no order" in record_of(engine, lost.shipment_id).detail


def test_the_worker_fulfils_periodically_and_retries_a_shopify_outage():
    engine = Engine()
    order_id = placed(engine, a_line("TEE-M", 1))
    engine.erp.despatch(reference(), [("TEE-M", 1)])
    engine.shopify.down = True
    engine.worker.schedule_periodic()
    engine.run_until_idle()
    assert fulfilments(engine, order_id) == []
    engine.shopify.down = False
    engine.clock.advance(3600)
    engine.run_until_idle()
    assert len(fulfilments(engine, order_id)) == 1
    waiting = [j for j in engine.store.jobs if j.kind == FulfilShipments.kind and j.state == "todo"]
    assert len(waiting) == 1
    assert waiting[0].run_at > engine.clock.now()


def test_a_pending_record_is_never_a_second_fulfilment_even_when_the_order_moved_on():
    engine = Engine()
    order_id = placed(engine, a_line("TEE-M", 2))
    first = engine.erp.despatch(reference(), [("TEE-M", 1)])
    fulfil_despatched(engine.ctx, notify_customer=False)
    record = record_of(engine, first.shipment_id)
    # As if the create had been sent and its answer lost: the store says pending, Shopify has it.
    engine.store.save_fulfilment_record(replace(record, state=FulfilmentState.PENDING, fulfillment_id=None))
    engine.erp.rewrite_shipment(first, tracking_number="X")
    fulfil_despatched(engine.ctx, notify_customer=False)
    assert len(engine.shopify.fulfilments[order_id]) == 1
    assert record_of(engine, first.shipment_id).state is FulfilmentState.FULFILLED


def test_the_first_run_starts_a_lookback_ago_not_at_the_start_of_the_erps_history():
    engine = Engine()
    old_order = placed(engine, a_line("MUG", 1), number=1001)
    engine.erp.despatch(reference(1001), [("MUG", 1)])
    engine.clock.advance(3 * 86400)
    new_order = placed(engine, a_line("MUG", 1), number=1002)
    engine.erp.despatch(reference(1002), [("MUG", 1)])
    assert fulfil_despatched(engine.ctx, notify_customer=True, first_lookback=timedelta(days=1)) == 1
    assert (fulfilments(engine, old_order), len(fulfilments(engine, new_order))) == ([], 1)
    engine.erp.despatch(reference(1001), [("MUG", 1)])  # later runs go on from the cursor
    assert fulfil_despatched(engine.ctx, notify_customer=True, first_lookback=timedelta(days=1)) == 1
