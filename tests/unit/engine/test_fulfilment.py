"""Fulfilment back to Shopify on fakes: each despatched ERP shipment gives one Shopify fulfilment, once."""

import pytest
from tests.factories import SHOP, a_line, an_order
from tests.unit.engine.harness import Engine

from trueup.domain.errors import TransientError
from trueup.domain.fulfilment import FulfilmentRequest
from trueup.service_layer.fulfilment import fulfil_despatched, record_name
from trueup.service_layer.jobs import FULFIL_SHIPMENTS


def reference(number: int = 1001) -> str:
    return f"shopify:{SHOP}:{number}"


def placed(engine: Engine, *lines, number: int = 1001) -> str:  # type: ignore[no-untyped-def]
    return engine.shopify.put_order(an_order(lines=lines, number=number)).order_id


def fulfilments(engine: Engine, order_id: str) -> list[FulfilmentRequest]:
    return [request for _, request in engine.shopify.fulfilments.get(order_id, [])]


def units(request: FulfilmentRequest) -> int:
    return sum(q for lines in request.lines_by_order.values() for q in lines.values())


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


def test_a_create_whose_answer_was_lost_is_recorded_not_repeated():
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
    fulfil_despatched(engine.ctx, notify_customer=True)
    (made,) = engine.shopify.fulfilments[order_id]
    assert engine.store.cursor(SHOP, record_name(shipment)) == made[0]


def test_a_shipment_of_an_already_fulfilled_order_is_recorded_as_failed_with_its_cause():
    engine = Engine()
    placed(engine, a_line("TEE-M", 1))
    engine.erp.despatch(reference(), [("TEE-M", 1)])
    late = engine.erp.despatch(reference(), [("TEE-M", 1)])
    assert fulfil_despatched(engine.ctx, notify_customer=True) == 1
    recorded = engine.store.cursor(SHOP, record_name(late))
    assert recorded.startswith("failed:fulfilment_order_not_found")
    assert "1 × TEE-M" in recorded


def test_a_shipment_of_an_order_shopify_does_not_have_is_failed_and_others_go_on():
    engine = Engine()
    order_id = placed(engine, a_line("MUG", 1), number=1002)
    lost = engine.erp.despatch(reference(999), [("TEE-M", 1)])
    engine.erp.despatch(reference(1002), [("MUG", 1)])
    engine.erp.despatch("shopify:other.myshopify.com:1002", [("MUG", 1)])
    assert fulfil_despatched(engine.ctx, notify_customer=True) == 1
    assert len(fulfilments(engine, order_id)) == 1
    assert "Shopify has no order" in engine.store.cursor(SHOP, record_name(lost))


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
    waiting = [j for j in engine.store.jobs if j.kind == FULFIL_SHIPMENTS and j.state == "todo"]
    assert len(waiting) == 1
    assert waiting[0].run_at > engine.clock.now()
