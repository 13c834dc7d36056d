"""The ShopifyAdmin contract for fulfilment across locations and tracking updates: FakeShopifyAdmin and the
real client against the sandbox (a shop whose T-shirts are stocked at one location and caps at another,
so Shopify routes one order to two fulfilment orders) pass the same tests."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

import pytest

from tests.fakes.shopify import FakeShopifyAdmin
from tests.support.sandbox import (
    LOCATIONS,
    ORDER_CREATE,
    SHOP,
    running_sandbox,
    sandbox_available,
    small_shop_spec,
)
from trueup.adapters.shopify.admin import ShopifyAdminClient
from trueup.adapters.shopify.shop_mapping import ShopInfo
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.fulfilment import (
    FulfilmentRequest,
    OrderFulfilment,
    Shipment,
    ShipmentLine,
    Tracking,
    plan_fulfilment,
)
from trueup.domain.inventory import ShopLocation
from trueup.domain.money import Money
from trueup.domain.orders import FinancialStatus, OrderLine, ShopifyOrder

MAIN, OVERFLOW = LOCATIONS
TRACKING_QUERY = "query T($id: ID!) { fulfillment(id: $id) { trackingInfo(first: 5) { company number url } } }"


class Harness(Protocol):
    admin: Any  # FakeShopifyAdmin | ShopifyAdminClient

    def place(self, lines: Sequence[tuple[str, int]]) -> str: ...  # TEE-M ships from MAIN, CAP from OVERFLOW
    def place_many(self, count: int) -> str: ...  # one order of `count` lines PAGE-<i>, all at MAIN
    def tracking(self, fulfillment_id: str) -> Tracking: ...


class FakeHarness:
    def __init__(self) -> None:
        self._numbers = itertools.count(5001)
        locations = tuple(ShopLocation(f"gid://shopify/Location/{i}", n, True) for i, n in enumerate(LOCATIONS, 1))
        self.admin = FakeShopifyAdmin(SHOP, shop_info=ShopInfo("Contract shop", SHOP, "EUR", False, locations))

    def _put(self, lines: Sequence[tuple[str, int]]) -> str:
        number = next(self._numbers)
        now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
        order_lines = tuple(
            OrderLine(
                f"gid://shopify/LineItem/{number}{i:03}", sku, sku, q, Money(Decimal(5), "EUR"), Money.zero("EUR")
            )
            for i, (sku, q) in enumerate(lines)
        )
        order = ShopifyOrder(
            shop=SHOP,
            order_id=f"gid://shopify/Order/{number}",
            name=f"#{number}",
            currency="EUR",
            financial_status=FinancialStatus.PAID,
            lines=order_lines,
            shipping=(),
            total_price=Money(Decimal(5 * len(lines)), "EUR"),
            total_tax=Money.zero("EUR"),
            taxes_included=False,
            customer=None,
            shipping_address=None,
            billing_address=None,
            created_at=now,
            updated_at=now,
        )
        self.admin.put_order(order)
        for line in order_lines:
            if line.sku == "CAP":
                self.admin.place_line_at(order.order_id, line.line_id, "gid://shopify/Location/2")
        return order.order_id

    def place(self, lines: Sequence[tuple[str, int]]) -> str:
        return self._put(lines)

    def place_many(self, count: int) -> str:
        return self._put([(f"PAGE-{i}", 1) for i in range(count)])

    def tracking(self, fulfillment_id: str) -> Tracking:
        return self.admin.fulfilment_book.tracking[fulfillment_id]


class SandboxHarness:
    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.admin = ShopifyAdminClient(sandbox.shop, sandbox.token, base_url=sandbox.url)

    def place(self, lines: Sequence[tuple[str, int]]) -> str:
        return str(self.sandbox.place_order(lines))

    def place_many(self, count: int) -> str:
        lines = [
            {
                "title": f"Page {i}",
                "sku": f"PAGE-{i}",
                "quantity": 1,
                "requiresShipping": True,
                "priceSet": {"shopMoney": {"amount": "5.00", "currencyCode": "EUR"}},
            }
            for i in range(count)
        ]
        order = {"email": "buyer@example.com", "financialStatus": "PAID", "lineItems": lines}
        result = self.sandbox.graphql(ORDER_CREATE, {"order": order})["data"]["orderCreate"]
        assert result["userErrors"] == []
        return str(result["order"]["id"])

    def tracking(self, fulfillment_id: str) -> Tracking:
        infos = self.sandbox.graphql(TRACKING_QUERY, {"id": fulfillment_id})["data"]["fulfillment"]["trackingInfo"]
        assert len(infos) == 1
        return Tracking(infos[0]["company"], infos[0]["number"], infos[0]["url"])


def two_location_spec() -> Any:
    """The contract shop, its T-shirts stocked at the main warehouse and its caps at the overflow only."""
    spec = small_shop_spec()
    stock = {("TEE-M", MAIN): 100, ("TEE-S", MAIN): 100, ("CAP", OVERFLOW): 100}
    return dataclasses.replace(spec, stock=stock)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    if not sandbox_available():
        pytest.skip("the Shopify sandbox app is not built yet")
    with running_sandbox(shop_spec=two_location_spec()) as running:
        yield running


@pytest.fixture(params=["fake", "sandbox"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "fake":
        yield FakeHarness()
        return
    live = SandboxHarness(request.getfixturevalue("sandbox"))
    yield live
    live.admin.close()


def location_ids(harness: Harness) -> dict[str, str]:
    return {location.name: location.location_id for location in harness.admin.shop_info().locations}


def skus_by_location(state: OrderFulfilment, names: dict[str, str]) -> dict[str, list[str]]:
    by_id = {location_id: name for name, location_id in names.items()}
    return {by_id[fo.location_id or ""]: sorted(line.sku for line in fo.lines) for fo in state.fulfillment_orders}


def shipped(order_id: str, *lines: tuple[str, int], tracking: str | None = None) -> Shipment:
    number = order_id.rsplit("/", 1)[-1]
    return Shipment("S", f"shopify:{SHOP}:{number}", tuple(ShipmentLine(s, q) for s, q in lines), None, tracking)


def test_an_order_stocked_at_two_locations_has_one_fulfilment_order_at_each(harness: Harness) -> None:
    order_id = harness.place([("TEE-M", 2), ("CAP", 1)])
    state = harness.admin.order_fulfilment(order_id)
    assert skus_by_location(state, location_ids(harness)) == {MAIN: ["TEE-M"], OVERFLOW: ["CAP"]}


def test_each_location_is_fulfilled_on_its_own_and_one_fulfilment_cannot_span_two(harness: Harness) -> None:
    order_id = harness.place([("TEE-M", 2), ("CAP", 1)])
    names = location_ids(harness)
    state = harness.admin.order_fulfilment(order_id)
    everything = {
        fo.fulfillment_order_id: {line.line_id: line.remaining for line in fo.lines} for fo in state.fulfillment_orders
    }
    with pytest.raises(StructuralError) as refused:
        harness.admin.create_fulfilment(FulfilmentRequest(everything, None, None, None, False))
    assert refused.value.cause is Cause.FULFILMENT_ORDER_NOT_FOUND

    caps = plan_fulfilment(
        shipped(order_id, ("CAP", 1)), state.fulfillment_orders, notify_customer=False, locations={names[OVERFLOW]}
    )
    first = harness.admin.create_fulfilment(caps)
    after = harness.admin.order_fulfilment(order_id)
    statuses = {fo.location_id: fo.status for fo in after.fulfillment_orders}
    assert statuses == {names[MAIN]: "OPEN", names[OVERFLOW]: "CLOSED"}
    tees = plan_fulfilment(
        shipped(order_id, ("TEE-M", 2)), after.fulfillment_orders, notify_customer=False, locations={names[MAIN]}
    )
    second = harness.admin.create_fulfilment(tees)
    assert harness.admin.order_fulfilment(order_id).fulfillment_ids == (first, second)


def test_a_tracking_update_replaces_the_tracking_and_leaves_the_fulfilment_as_it_was(harness: Harness) -> None:
    order_id = harness.place([("TEE-M", 1)])
    state = harness.admin.order_fulfilment(order_id)
    request = plan_fulfilment(
        shipped(order_id, ("TEE-M", 1)), state.fulfillment_orders, notify_customer=False, tracking=Tracking(number="A1")
    )
    fulfillment_id = harness.admin.create_fulfilment(request)
    assert harness.tracking(fulfillment_id) == Tracking(None, "A1", None)

    corrected = Tracking("DHL", "JD014600", "https://dhl.example/t/JD014600")
    harness.admin.update_tracking(fulfillment_id, corrected, notify_customer=True)
    assert harness.tracking(fulfillment_id) == corrected
    after = harness.admin.order_fulfilment(order_id)
    assert after.fulfillment_ids == (fulfillment_id,)
    assert {fo.status for fo in after.fulfillment_orders} == {"CLOSED"}


def test_the_tracking_of_an_unknown_fulfilment_is_refused_with_its_cause(harness: Harness) -> None:
    with pytest.raises(StructuralError) as refused:
        harness.admin.update_tracking(
            "gid://shopify/Fulfillment/987654321", Tracking(number="X"), notify_customer=False
        )
    assert refused.value.cause is Cause.FULFILMENT_ORDER_NOT_FOUND


def test_a_fulfilment_order_of_more_than_one_page_of_lines_is_read_whole(harness: Harness) -> None:
    order_id = harness.place_many(57)
    (fo,) = harness.admin.order_fulfilment(order_id).fulfillment_orders
    assert sorted(line.sku for line in fo.lines) == sorted(f"PAGE-{i}" for i in range(57))
    assert len({line.line_id for line in fo.lines}) == 57


def test_the_hold_window_holds_each_location_and_nothing_is_fulfilled_until_released(harness: Harness) -> None:
    order_id = harness.place([("TEE-M", 2), ("CAP", 1)])
    names = location_ids(harness)

    assert harness.admin.hold_fulfilment(order_id, "trueup hold window") == 2
    held = harness.admin.order_fulfilment(order_id)
    assert {fo.status for fo in held.fulfillment_orders} == {"ON_HOLD"}
    overflow = next(fo for fo in held.fulfillment_orders if fo.location_id == names[OVERFLOW])
    caps = {overflow.fulfillment_order_id: {line.line_id: line.remaining for line in overflow.lines}}
    with pytest.raises(StructuralError) as refused:
        harness.admin.create_fulfilment(FulfilmentRequest(caps, None, None, None, False))
    assert refused.value.cause is Cause.FULFILMENT_ORDER_NOT_FOUND

    assert harness.admin.release_fulfilment_holds(order_id) == 2
    released = harness.admin.order_fulfilment(order_id)
    assert {fo.status for fo in released.fulfillment_orders} == {"OPEN"}
    harness.admin.create_fulfilment(
        plan_fulfilment(
            shipped(order_id, ("CAP", 1)),
            released.fulfillment_orders,
            notify_customer=False,
            locations={names[OVERFLOW]},
        )
    )
