"""The ShopifyAdmin contract for fulfilment across locations and tracking updates: FakeShopifyAdmin and the
real client against the sandbox (a shop whose T-shirts are stocked at one location and caps at another,
so Shopify routes one order to two fulfilment orders) pass the same tests, through the one harness
(shopify_harness.py)."""

from __future__ import annotations

import pytest

from tests.contract.shopify_harness import MAIN, OVERFLOW, TWO_LOCATION_SHOP, ShopifyHarness
from tests.support.sandbox import SHOP, Shop
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.fulfilment import (
    FulfilmentRequest,
    OrderFulfilment,
    Shipment,
    ShipmentLine,
    Tracking,
    plan_fulfilment,
)


@pytest.fixture(scope="module")
def shop() -> Shop:
    return TWO_LOCATION_SHOP


def location_ids(shopify: ShopifyHarness) -> dict[str, str]:
    return {location.name: location.location_id for location in shopify.admin.shop_info().locations}


def skus_by_location(state: OrderFulfilment, names: dict[str, str]) -> dict[str, list[str]]:
    by_id = {location_id: name for name, location_id in names.items()}
    return {by_id[fo.location_id or ""]: sorted(line.sku for line in fo.lines) for fo in state.fulfillment_orders}


def shipped(order_id: str, *lines: tuple[str, int], tracking: str | None = None) -> Shipment:
    number = order_id.rsplit("/", 1)[-1]
    return Shipment("S", f"shopify:{SHOP}:{number}", tuple(ShipmentLine(s, q) for s, q in lines), None, tracking)


def test_an_order_stocked_at_two_locations_has_one_fulfilment_order_at_each(shopify: ShopifyHarness) -> None:
    order_id = shopify.place([("TEE-M", 2), ("CAP", 1)])
    state = shopify.admin.order_fulfilment(order_id)
    assert skus_by_location(state, location_ids(shopify)) == {MAIN: ["TEE-M"], OVERFLOW: ["CAP"]}


def test_each_location_is_fulfilled_on_its_own_and_one_fulfilment_cannot_span_two(shopify: ShopifyHarness) -> None:
    order_id = shopify.place([("TEE-M", 2), ("CAP", 1)])
    names = location_ids(shopify)
    state = shopify.admin.order_fulfilment(order_id)
    everything = {
        fo.fulfillment_order_id: {line.line_id: line.remaining for line in fo.lines} for fo in state.fulfillment_orders
    }
    with pytest.raises(StructuralError) as refused:
        shopify.admin.create_fulfilment(FulfilmentRequest(everything, None, None, None, False))
    assert refused.value.cause is Cause.FULFILMENT_ORDER_NOT_FOUND

    caps = plan_fulfilment(
        shipped(order_id, ("CAP", 1)), state.fulfillment_orders, notify_customer=False, locations={names[OVERFLOW]}
    )
    first = shopify.admin.create_fulfilment(caps)
    after = shopify.admin.order_fulfilment(order_id)
    statuses = {fo.location_id: fo.status for fo in after.fulfillment_orders}
    assert statuses == {names[MAIN]: "OPEN", names[OVERFLOW]: "CLOSED"}
    tees = plan_fulfilment(
        shipped(order_id, ("TEE-M", 2)), after.fulfillment_orders, notify_customer=False, locations={names[MAIN]}
    )
    second = shopify.admin.create_fulfilment(tees)
    assert shopify.admin.order_fulfilment(order_id).fulfillment_ids == (first, second)


def test_a_tracking_update_replaces_the_tracking_and_leaves_the_fulfilment_as_it_was(shopify: ShopifyHarness) -> None:
    order_id = shopify.place([("TEE-M", 1)])
    state = shopify.admin.order_fulfilment(order_id)
    request = plan_fulfilment(
        shipped(order_id, ("TEE-M", 1)), state.fulfillment_orders, notify_customer=False, tracking=Tracking(number="A1")
    )
    fulfillment_id = shopify.admin.create_fulfilment(request)
    assert shopify.tracking(fulfillment_id) == Tracking(None, "A1", None)

    corrected = Tracking("DHL", "JD014600", "https://dhl.example/t/JD014600")
    shopify.admin.update_tracking(fulfillment_id, corrected, notify_customer=True)
    assert shopify.tracking(fulfillment_id) == corrected
    after = shopify.admin.order_fulfilment(order_id)
    assert after.fulfillment_ids == (fulfillment_id,)
    assert {fo.status for fo in after.fulfillment_orders} == {"CLOSED"}


def test_the_tracking_of_an_unknown_fulfilment_is_refused_with_its_cause(shopify: ShopifyHarness) -> None:
    with pytest.raises(StructuralError) as refused:
        shopify.admin.update_tracking(
            "gid://shopify/Fulfillment/987654321", Tracking(number="X"), notify_customer=False
        )
    assert refused.value.cause is Cause.FULFILMENT_ORDER_NOT_FOUND


def test_a_fulfilment_order_of_more_than_one_page_of_lines_is_read_whole(shopify: ShopifyHarness) -> None:
    order_id = shopify.place_many(57)
    (fo,) = shopify.admin.order_fulfilment(order_id).fulfillment_orders
    assert sorted(line.sku for line in fo.lines) == sorted(f"PAGE-{i}" for i in range(57))
    assert len({line.line_id for line in fo.lines}) == 57


def test_the_hold_window_holds_each_location_and_nothing_is_fulfilled_until_released(shopify: ShopifyHarness) -> None:
    order_id = shopify.place([("TEE-M", 2), ("CAP", 1)])
    names = location_ids(shopify)

    assert shopify.admin.hold_fulfilment(order_id, "trueup hold window") == 2
    held = shopify.admin.order_fulfilment(order_id)
    assert {fo.status for fo in held.fulfillment_orders} == {"ON_HOLD"}
    overflow = next(fo for fo in held.fulfillment_orders if fo.location_id == names[OVERFLOW])
    caps = {overflow.fulfillment_order_id: {line.line_id: line.remaining for line in overflow.lines}}
    with pytest.raises(StructuralError) as refused:
        shopify.admin.create_fulfilment(FulfilmentRequest(caps, None, None, None, False))
    assert refused.value.cause is Cause.FULFILMENT_ORDER_NOT_FOUND

    assert shopify.admin.release_fulfilment_holds(order_id) == 2
    released = shopify.admin.order_fulfilment(order_id)
    assert {fo.status for fo in released.fulfillment_orders} == {"OPEN"}
    shopify.admin.create_fulfilment(
        plan_fulfilment(
            shipped(order_id, ("CAP", 1)),
            released.fulfillment_orders,
            notify_customer=False,
            locations={names[OVERFLOW]},
        )
    )
