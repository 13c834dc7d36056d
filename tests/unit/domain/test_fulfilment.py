import pytest

from trueup.domain.errors import Cause, StructuralError
from trueup.domain.fulfilment import (
    FulfillmentOrder,
    FulfillmentOrderLine,
    Shipment,
    ShipmentLine,
    plan_fulfilment,
    shopify_order_id,
)

SHOP = "demo.myshopify.com"


def a_shipment(*lines: tuple[str, int]) -> Shipment:
    return Shipment("S1", f"shopify:{SHOP}:1001", tuple(ShipmentLine(s, q) for s, q in lines), "DHL", "1Z", None)


def test_a_sku_on_two_lines_fills_the_first_then_the_next():
    fo = FulfillmentOrder("FO1", "OPEN", (FulfillmentOrderLine("L1", "TEE", 1), FulfillmentOrderLine("L2", "TEE", 3)))
    plan = plan_fulfilment(a_shipment(("TEE", 3)), [fo], notify_customer=False)
    assert plan.lines_by_order == {"FO1": {"L1": 1, "L2": 2}}
    assert (plan.carrier, plan.tracking_number, plan.notify_customer) == ("DHL", "1Z", False)


def test_closed_fulfilment_orders_are_skipped_and_a_shortfall_says_so():
    closed = FulfillmentOrder("FO1", "CLOSED", (FulfillmentOrderLine("L1", "TEE", 2),))
    with pytest.raises(StructuralError) as problem:
        plan_fulfilment(a_shipment(("TEE", 1)), [closed], notify_customer=True)
    assert problem.value.cause is Cause.FULFILMENT_ORDER_NOT_FOUND
    assert "1 × TEE" in problem.value.detail
    assert "closed or on hold" in problem.value.detail


def test_a_sale_reference_gives_the_order_id_of_its_own_shop_only():
    assert shopify_order_id(f"shopify:{SHOP}:1001", SHOP) == "gid://shopify/Order/1001"
    assert shopify_order_id("shopify:other.myshopify.com:1001", SHOP) is None
    assert shopify_order_id("SO-17", SHOP) is None
