from dataclasses import replace
from decimal import Decimal

import pytest

from trueup.domain.bundles import KitComponent
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.fulfilment import (
    FulfillmentOrder,
    FulfillmentOrderLine,
    Shipment,
    ShipmentLine,
    complete_bundles,
    plan_fulfilment,
    shipment_locations,
    shopify_order_id,
    tracking_of,
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


MAIN, OVERFLOW = "gid://shopify/Location/1", "gid://shopify/Location/2"


def two_locations() -> list[FulfillmentOrder]:
    return [
        FulfillmentOrder("FO1", "OPEN", (FulfillmentOrderLine("L1", "TEE", 2),), MAIN),
        FulfillmentOrder("FO2", "OPEN", (FulfillmentOrderLine("L2", "TEE", 2),), OVERFLOW),
    ]


def test_the_shipment_goes_on_the_fulfilment_order_of_its_warehouses_location_only():
    shipment = replace(a_shipment(("TEE", 2)), warehouse="WH2")
    locations = shipment_locations(shipment, {"1": "WH1", OVERFLOW: "WH2"})
    assert locations == {OVERFLOW}
    plan = plan_fulfilment(shipment, two_locations(), notify_customer=True, locations=locations)
    assert plan.lines_by_order == {"FO2": {"L2": 2}}


def test_one_fulfilment_never_spans_two_locations():
    with pytest.raises(StructuralError) as problem:
        plan_fulfilment(a_shipment(("TEE", 3)), two_locations(), notify_customer=True)
    assert "1 × TEE" in problem.value.detail  # the best location leaves one unit over


def test_with_no_location_mapped_any_location_serves_and_an_unmapped_warehouse_is_an_exception():
    assert shipment_locations(a_shipment(("TEE", 1)), {}) is None
    with pytest.raises(StructuralError) as problem:
        shipment_locations(replace(a_shipment(("TEE", 1)), warehouse="WH9"), {"1": "WH1"})
    assert problem.value.cause is Cause.UNMAPPED_LOCATION
    assert problem.value.needs == {"warehouses": ["WH9"]}


def test_the_tracking_url_comes_from_the_erp_else_from_the_carriers_template():
    shipment = a_shipment(("TEE", 1))
    assert tracking_of(shipment, {"DHL": "https://t.example/{number}"}).url == "https://t.example/1Z"
    assert tracking_of(replace(shipment, tracking_url="https://erp/1Z"), {"DHL": "x{number}"}).url == "https://erp/1Z"
    assert tracking_of(replace(shipment, carrier="UPS"), {"DHL": "https://t.example/{number}"}).url is None


@pytest.mark.parametrize(
    ("units", "expected"),
    [({"A": 4, "B": 3}, 2), ({"A": 6, "B": 3}, 3), ({"A": 6}, 0), ({"A": 7, "B": 9, "C": 1}, 3), ({"A": 1, "B": 9}, 0)],
)
def test_complete_bundles_count_whole_sets_only(units: dict[str, int], expected: int) -> None:
    components = [KitComponent("A", Decimal(2), Decimal(1)), KitComponent("B", Decimal(1), Decimal(1))]
    if "C" in units:  # a fixed component: one lot per line, whatever the number of bundles
        components.append(KitComponent("C", Decimal(1), Decimal(1), fixed=True))
    assert complete_bundles(units, components) == expected
