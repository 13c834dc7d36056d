"""Shipping books on the item master's product the configuration names (`shipping_sku`), on the sale and on the
credit note of refunded shipping; while the ERP lacks it the order is parked, and it posts by itself once the
product exists."""

from tests.factories import a_line, a_shipping, an_order
from tests.unit.engine.harness import Engine

from trueup.domain.errors import Cause
from trueup.domain.ledger import OrderState
from trueup.domain.posting import PostingPolicy


def test_shipping_is_booked_on_the_configured_product_and_waits_for_it_in_the_item_master():
    engine = Engine(policy=PostingPolicy(taxes={"VAT 20": "VAT20"}, shipping_sku="FREIGHT"))
    order = engine.shopify.put_order(an_order([a_line(tax="2.00")], shipping=[a_shipping(price="5.00", tax="1.00")]))

    engine.notify(order.order_id)
    engine.run_until_idle()
    parked = engine.entry(order.order_id)

    assert (parked.state, parked.cause, parked.needs) == (
        OrderState.EXCEPTION,
        Cause.SKU_NOT_IN_ITEM_MASTER,
        {"skus": ["FREIGHT"]},
    )
    assert engine.erp.sales == {}

    engine.erp.add_products("FREIGHT")
    engine.a_minute_later()  # the periodic replay finds the cause fixed

    posted = engine.entry(order.order_id)
    assert (posted.state, posted.erp_total) == (OrderState.POSTED, order.total_price)
    (request,) = engine.erp.requests.values()
    assert [(line.sku, line.is_shipping) for line in request.lines] == [("TEE-M", False), ("FREIGHT", True)]


def test_the_default_shipping_product_is_the_demo_business_s():
    engine = Engine()
    order = engine.shopify.put_order(an_order([a_line()], shipping=[a_shipping()]))
    engine.notify(order.order_id)
    engine.run_until_idle()

    (request,) = engine.erp.requests.values()
    assert [line.sku for line in request.lines if line.is_shipping] == ["SHIPPING"]
    assert engine.entry(order.order_id).state == OrderState.POSTED
