"""One contract for the ShopifyAdmin port: the same assertions on FakeShopifyAdmin and on trueup's real
client (ShopifyAdminClient) talking HTTP to the running Shopify sandbox, so the fake cannot drift."""

from __future__ import annotations

import itertools
import socket
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

import httpx
import pytest

from tests.fakes.shopify import FakeShopifyAdmin
from tests.support.sandbox import KIT_COMPONENTS, LOCATIONS, PRICES, SHOP, running_sandbox, sandbox_available
from trueup.adapters.shopify import queries
from trueup.adapters.shopify.admin import ShopifyAdminClient, topic_enum
from trueup.adapters.shopify.shop_mapping import ShopInfo
from trueup.domain.catalogue import BundleComponent, CatalogueItem
from trueup.domain.errors import Cause, StructuralError, TransientError
from trueup.domain.fulfilment import (
    OPEN_STATUSES,
    FulfilmentRequest,
    OrderFulfilment,
    Shipment,
    ShipmentLine,
    plan_fulfilment,
)
from trueup.domain.inventory import ShopLocation
from trueup.domain.money import Money, allocate
from trueup.domain.orders import FinancialStatus, OrderLine, ShopifyOrder

CALLBACK = "https://trueup.example/webhooks/shopify"


class Harness(Protocol):
    admin: Any  # FakeShopifyAdmin | ShopifyAdminClient

    def place(self, lines: Sequence[tuple[str, int]], financial_status: str = "PAID") -> str: ...
    def touch(self, order_id: str) -> None: ...
    def tick(self) -> None: ...
    def now(self) -> datetime: ...
    def unreachable(self) -> Any: ...
    def spend_until_throttled(self) -> TransientError: ...
    def recover(self) -> None: ...


class FakeHarness:
    """Arranges the fake as Shopify would hold the same orders (bundles as grouped component lines)."""

    def __init__(self) -> None:
        self._now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
        self._numbers = itertools.count(1001)
        catalogue = [
            CatalogueItem(
                sku, sku, Money(price, "EUR"), f"gid://shopify/ProductVariant/{i}", f"gid://shopify/InventoryItem/{i}"
            )
            for i, (sku, price) in enumerate(PRICES.items(), 1)
            if sku != "KIT"
        ]
        kit = tuple(BundleComponent(sku, q) for sku, q in KIT_COMPONENTS.items())
        catalogue.append(
            CatalogueItem("KIT", "KIT", Money(PRICES["KIT"], "EUR"), "gid://shopify/ProductVariant/99", None, kit)
        )
        locations = tuple(ShopLocation(f"gid://shopify/Location/{i}", n, True) for i, n in enumerate(LOCATIONS, 1))
        info = ShopInfo("Contract shop", SHOP, "EUR", False, locations)
        self.admin = FakeShopifyAdmin(SHOP, clock=self.now, shop_info=info, catalogue=catalogue)

    def now(self) -> datetime:
        return self._now

    def tick(self) -> None:
        self._now += timedelta(seconds=5)

    def place(self, lines: Sequence[tuple[str, int]], financial_status: str = "PAID") -> str:
        number = next(self._numbers)
        order_lines = [line for i, (sku, q) in enumerate(lines) for line in self._lines(number * 100 + i, sku, q)]
        total = sum((line.net.amount for line in order_lines), Decimal(0))
        order = ShopifyOrder(
            shop=SHOP,
            order_id=f"gid://shopify/Order/{number}",
            name=f"#{number}",
            currency="EUR",
            financial_status=FinancialStatus(financial_status),
            lines=tuple(order_lines),
            shipping=(),
            total_price=Money(total, "EUR"),
            total_tax=Money.zero("EUR"),
            taxes_included=False,
            customer=None,
            shipping_address=None,
            billing_address=None,
            created_at=self._now,
            updated_at=self._now,
        )
        return self.admin.put_order(order).order_id

    def _lines(self, line_number: int, sku: str, quantity: int) -> list[OrderLine]:
        if sku != "KIT":
            return [
                OrderLine(
                    f"gid://shopify/LineItem/{line_number}",
                    sku,
                    sku,
                    quantity,
                    Money(PRICES[sku], "EUR"),
                    Money.zero("EUR"),
                )
            ]
        group = f"gid://shopify/LineItemGroup/{line_number}"
        shares = allocate(Money(PRICES["KIT"], "EUR"), [PRICES[c] * q for c, q in KIT_COMPONENTS.items()])
        return [
            OrderLine(
                f"gid://shopify/LineItem/{line_number}{i}",
                c,
                c,
                q * quantity,
                Money(share.amount / q, "EUR"),
                Money.zero("EUR"),
                group_id=group,
            )
            for i, ((c, q), share) in enumerate(zip(KIT_COMPONENTS.items(), shares, strict=True))
        ]

    def touch(self, order_id: str) -> None:
        self.admin.update_order(order_id, tags=("changed",))

    def unreachable(self) -> Any:
        down = FakeShopifyAdmin(SHOP)
        down.down = True
        return down

    def spend_until_throttled(self) -> TransientError:
        self.admin.throttled_next = 1
        with pytest.raises(TransientError) as caught:
            self.admin.fetch_order("gid://shopify/Order/1001")
        return caught.value

    def recover(self) -> None:
        assert self.admin.throttled_next == 0


class SandboxHarness:
    """trueup's real client against the sandbox over HTTP; orders placed with Shopify's own mutations."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.admin = ShopifyAdminClient(sandbox.shop, sandbox.token, base_url=sandbox.url, page_size=2)

    def now(self) -> datetime:
        return self.sandbox.now()

    def tick(self) -> None:
        # Five seconds on the sandbox's own clock: distinct timestamps, and a refilled cost bucket.
        self.sandbox.advance(5)

    def place(self, lines: Sequence[tuple[str, int]], financial_status: str = "PAID") -> str:
        order_id = self.sandbox.place_order(lines, financial_status=financial_status)
        return str(order_id)

    def touch(self, order_id: str) -> None:
        self.sandbox.touch_order(order_id)

    def unreachable(self) -> Any:
        with socket.socket() as probe:  # a port nobody listens on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        return ShopifyAdminClient(self.sandbox.shop, self.sandbox.token, base_url=f"http://127.0.0.1:{port}")

    def spend_until_throttled(self) -> TransientError:
        # On a sandbox of its own, on the smallest plan, so the shared one keeps its bucket. A fresh
        # client (a budget without a reading) per request: the sandbox's bucket says no, not trueup's.
        with running_sandbox(plan="standard") as small, httpx.Client() as http:
            order_id = small.place_order([("TEE-M", 1), ("CAP", 2), ("KIT", 1)])
            for _ in range(1000):
                client = ShopifyAdminClient(small.shop, small.token, base_url=small.url, http=http)
                try:
                    client.fetch_order(order_id)
                except TransientError as exc:
                    return exc
        raise AssertionError("the sandbox never throttled")

    def recover(self) -> None:
        pass  # the shared sandbox's bucket was not touched


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    if not sandbox_available():
        pytest.skip("the Shopify sandbox app is not built yet")
    with running_sandbox() as running:
        yield running


@pytest.fixture(params=["fake", "sandbox"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "fake":
        yield FakeHarness()
        return
    live = SandboxHarness(request.getfixturevalue("sandbox"))
    live.tick()
    yield live
    live.admin.close()


def skus_and_quantities(order: ShopifyOrder) -> Counter[tuple[str, int]]:
    return Counter((line.sku, line.quantity) for line in order.lines)


def test_a_placed_order_reads_back_as_placed(harness: Harness) -> None:
    order_id = harness.place([("TEE-M", 2), ("CAP", 1)])
    order = harness.admin.fetch_order(order_id)
    assert order is not None
    assert (order.order_id, order.shop, order.currency) == (order_id, SHOP, "EUR")
    assert order.name.startswith("#")
    assert skus_and_quantities(order) == Counter({("TEE-M", 2): 1, ("CAP", 1): 1})
    assert {line.sku: line.unit_price.amount for line in order.lines} == {
        "TEE-M": PRICES["TEE-M"],
        "CAP": PRICES["CAP"],
    }
    assert order.total_price == Money(PRICES["TEE-M"] * 2 + PRICES["CAP"], "EUR")
    assert order.computed_total() == order.total_price
    assert order.financial_status is FinancialStatus.PAID
    assert order.is_postable


def test_an_order_longer_than_one_page_of_line_items_reads_back_whole(harness: Harness) -> None:
    lines = [("TEE-M", quantity) for quantity in range(1, 24)] + [("CAP", 1)] * 3  # 26 lines: two pages of 20
    order = harness.admin.fetch_order(harness.place(lines))
    assert order is not None
    assert skus_and_quantities(order) == Counter(lines)
    assert order.computed_total() == order.total_price


def test_a_pending_order_is_not_postable(harness: Harness) -> None:
    order = harness.admin.fetch_order(harness.place([("TEE-S", 1)], financial_status="PENDING"))
    assert order is not None
    assert order.financial_status is FinancialStatus.PENDING
    assert not order.is_postable


def test_a_bundle_arrives_as_grouped_component_lines_that_add_up(harness: Harness) -> None:
    order = harness.admin.fetch_order(harness.place([("KIT", 1)]))
    assert order is not None
    assert skus_and_quantities(order) == Counter({(sku, q): 1 for sku, q in KIT_COMPONENTS.items()})
    groups = {line.group_id for line in order.lines}
    assert len(groups) == 1
    assert None not in groups
    assert order.computed_total() == order.total_price == Money(PRICES["KIT"], "EUR")


def test_an_unknown_order_is_none(harness: Harness) -> None:
    assert harness.admin.fetch_order("gid://shopify/Order/987654321") is None


def test_orders_updated_since_lists_every_later_update_oldest_first(harness: Harness) -> None:
    first = harness.place([("TEE-S", 1)])
    harness.tick()
    since = harness.now()
    second = harness.place([("TEE-M", 1)])
    harness.tick()
    third = harness.place([("CAP", 3)])
    harness.tick()
    assert [o.order_id for o in harness.admin.orders_updated_since(since)] == [second, third]

    harness.touch(first)
    listed = list(harness.admin.orders_updated_since(since))
    assert [o.order_id for o in listed] == [second, third, first]
    assert [o.updated_at for o in listed] == sorted(o.updated_at for o in listed)
    stamps = list(harness.admin.order_ids_updated_since(since))
    assert [(s.order_id, s.updated_at) for s in stamps] == [(o.order_id, o.updated_at) for o in listed]


def test_ensure_webhooks_subscribes_each_topic_once(harness: Harness) -> None:
    topics = ["orders/create", "orders/updated", "orders/cancelled"]
    harness.admin.ensure_webhooks(CALLBACK, topics)
    harness.admin.ensure_webhooks(CALLBACK, [*topics, "refunds/create"])
    mine = Counter(s.topic for s in harness.admin.webhook_subscriptions() if s.uri == CALLBACK)
    assert mine == Counter({topic_enum(t): 1 for t in [*topics, "refunds/create"]})


def test_shop_info_gives_currency_and_locations(harness: Harness) -> None:
    info = harness.admin.shop_info()
    assert (info.currency, info.taxes_included) == ("EUR", False)
    assert {loc.name for loc in info.locations} >= set(LOCATIONS)
    assert all(loc.location_id.startswith("gid://shopify/Location/") for loc in info.locations)


def test_catalogue_gives_skus_prices_and_bundle_components(harness: Harness) -> None:
    items = {item.sku: item for item in harness.admin.catalogue()}
    assert {sku: items[sku].price for sku in PRICES} == {sku: Money(p, "EUR") for sku, p in PRICES.items()}
    assert items["KIT"].components == tuple(BundleComponent(sku, q) for sku, q in KIT_COMPONENTS.items())
    assert items["TEE-M"].inventory_item_id is not None
    assert not items["TEE-M"].is_bundle


def test_a_shop_that_cannot_be_reached_is_a_transient_error(harness: Harness) -> None:
    admin = harness.unreachable()
    with pytest.raises(TransientError):
        admin.fetch_order("gid://shopify/Order/1")
    with pytest.raises(TransientError):
        list(admin.orders_updated_since(harness.now()))


def test_a_spent_bucket_is_a_transient_error_with_the_wait(harness: Harness) -> None:
    error = harness.spend_until_throttled()
    harness.recover()
    assert error.retry_after is not None
    assert error.retry_after > 0


def eur_bag(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "EUR"}}


def test_sandbox_order_with_taxes_shipping_and_a_discount_balances_as_shopify_documents(sandbox: Any) -> None:
    """Not a fake case: Shopify's own arithmetic (subtotal − discounts + shipping + taxes = total), read
    by trueup's client from an order placed with Shopify's own input shapes."""
    vat = (
        [{"title": "VAT", "rate": 0.21, "priceSet": eur_bag("7.35")}],
        [{"title": "VAT", "rate": 0.21, "priceSet": eur_bag("1.89")}],
    )
    order_id = sandbox.place_order(
        [("TEE-M", 2), ("CAP", 1)],
        line_fields=[{"taxLines": vat[0]}, {"taxLines": vat[1]}],
        shippingLines=[
            {
                "title": "Standard",
                "priceSet": eur_bag("4.95"),
                "taxLines": [{"title": "VAT", "rate": 0.21, "priceSet": eur_bag("1.04")}],
            }
        ],
        discountCode={"itemFixedDiscountCode": {"code": "FIVE", "amountSet": eur_bag("5.00")}},
    )
    client = ShopifyAdminClient(sandbox.shop, sandbox.token, base_url=sandbox.url)
    order = client.fetch_order(order_id)
    client.close()
    assert order is not None
    assert sum((line.discount.amount for line in order.lines), Decimal(0)) == Decimal("5.00")
    assert order.total_tax == Money(Decimal("10.28"), "EUR")
    assert [t.rate for line in order.lines for t in line.taxes] == [Decimal("0.21"), Decimal("0.21")]
    assert order.shipping[0].price == Money(Decimal("4.95"), "EUR")
    expected = Decimal("39.98") + Decimal("9.50") - Decimal("5.00") + Decimal("4.95") + Decimal("10.28")
    assert order.total_price == Money(expected, "EUR")
    assert order.computed_total() == order.total_price


@pytest.mark.parametrize("version", ["2026-07", "2026-10"])
def test_sandbox_serves_every_trueup_read_in_both_api_versions(sandbox: Any, version: str) -> None:
    order_id = sandbox.place_order([("KIT", 1), ("TEE-S", 1)])
    client = ShopifyAdminClient(sandbox.shop, sandbox.token, api_version=version, base_url=sandbox.url)
    try:
        order = client.fetch_order(order_id)
        assert order is not None
        assert order.computed_total() == order.total_price
        assert client.shop_info().currency == "EUR"
        assert {item.sku for item in client.catalogue()} >= set(PRICES)
        assert order_id in {o.order_id for o in client.orders_updated_since(order.updated_at)}
    finally:
        client.close()


# --- fulfilment ---------------------------------------------------------------------------------
def open_lines(state: OrderFulfilment) -> Counter[str]:
    remaining: Counter[str] = Counter()
    for fo in state.fulfillment_orders:
        if fo.status in OPEN_STATUSES:
            for line in fo.lines:
                remaining[line.sku] += line.remaining
    return +remaining


def shipped(order_id: str, *lines: tuple[str, int]) -> Shipment:
    return Shipment("S1", f"shopify:{SHOP}:{order_id.rsplit('/', 1)[-1]}", tuple(ShipmentLine(s, q) for s, q in lines))


def test_a_new_order_has_its_lines_open_for_fulfilment_and_no_fulfilment(harness: Harness) -> None:
    order_id = harness.place([("TEE-M", 2), ("CAP", 1)])
    state = harness.admin.order_fulfilment(order_id)
    assert state is not None
    assert state.order_id == order_id
    assert open_lines(state) == Counter({"TEE-M": 2, "CAP": 1})
    assert state.fulfillment_ids == ()


def test_partial_fulfilments_each_take_their_units_until_the_order_is_closed(harness: Harness) -> None:
    order_id = harness.place([("TEE-M", 3)])
    first = plan_fulfilment(
        shipped(order_id, ("TEE-M", 1)),
        harness.admin.order_fulfilment(order_id).fulfillment_orders,
        notify_customer=True,
    )
    first_id = harness.admin.create_fulfilment(first)
    after_first = harness.admin.order_fulfilment(order_id)
    assert open_lines(after_first) == Counter({"TEE-M": 2})
    assert after_first.fulfillment_ids == (first_id,)
    rest = plan_fulfilment(shipped(order_id, ("TEE-M", 2)), after_first.fulfillment_orders, notify_customer=False)
    second_id = harness.admin.create_fulfilment(rest)
    done = harness.admin.order_fulfilment(order_id)
    assert open_lines(done) == Counter()
    assert {fo.status for fo in done.fulfillment_orders} == {"CLOSED"}
    assert done.fulfillment_ids == (first_id, second_id)


def test_fulfilling_more_than_remains_is_refused_with_its_cause(harness: Harness) -> None:
    order_id = harness.place([("CAP", 1)])
    [fo] = harness.admin.order_fulfilment(order_id).fulfillment_orders
    too_many = FulfilmentRequest({fo.fulfillment_order_id: {fo.lines[0].line_id: 2}}, None, None, None, False)
    with pytest.raises(StructuralError) as refused:
        harness.admin.create_fulfilment(too_many)
    assert refused.value.cause is Cause.FULFILMENT_ORDER_NOT_FOUND
    assert open_lines(harness.admin.order_fulfilment(order_id)) == Counter({"CAP": 1})


def test_the_fulfilment_of_an_unknown_order_is_none(harness: Harness) -> None:
    assert harness.admin.order_fulfilment("gid://shopify/Order/999999999") is None


# --- the hold window: trueup's own fulfilment holds -----------------------------------------------------
def fulfilment_statuses(harness: Harness, order_id: str) -> set[str]:
    state = harness.admin.order_fulfilment(order_id)
    assert state is not None
    return {fo.status for fo in state.fulfillment_orders}


def test_an_order_held_by_trueup_is_on_hold_until_released(harness: Harness) -> None:
    order_id = harness.place([("TEE-M", 1), ("CAP", 1)])

    assert harness.admin.hold_fulfilment(order_id, "trueup hold window: posts to the ERP at 10:30 UTC") == 1
    assert fulfilment_statuses(harness, order_id) == {"ON_HOLD"}
    assert harness.admin.release_fulfilment_holds(order_id) == 1
    assert fulfilment_statuses(harness, order_id) == {"OPEN"}


def test_holding_and_releasing_again_changes_nothing(harness: Harness) -> None:
    order_id = harness.place([("CAP", 2)])
    harness.admin.hold_fulfilment(order_id, "trueup hold window")

    assert harness.admin.hold_fulfilment(order_id, "trueup hold window") == 1, "one hold, not two"
    assert harness.admin.release_fulfilment_holds(order_id) == 1
    assert harness.admin.release_fulfilment_holds(order_id) == 0
    assert fulfilment_statuses(harness, order_id) == {"OPEN"}


def test_an_unknown_order_has_nothing_to_hold_or_release(harness: Harness) -> None:
    assert harness.admin.hold_fulfilment("gid://shopify/Order/999999999", "trueup hold window") == 0
    assert harness.admin.release_fulfilment_holds("gid://shopify/Order/999999999") == 0


def test_releasing_leaves_a_hold_someone_else_placed(sandbox: Any) -> None:
    harness = SandboxHarness(sandbox)
    order_id = harness.place([("TEE-M", 1)])
    [fo] = harness.admin.order_fulfilment(order_id).fulfillment_orders
    merchant_hold = {"reason": "INCORRECT_ADDRESS", "handle": "address-check"}
    hold = {"id": fo.fulfillment_order_id, "hold": merchant_hold}
    harness.admin.graphql.execute(queries.FULFILLMENT_ORDER_HOLD, hold)

    assert harness.admin.hold_fulfilment(order_id, "trueup hold window") == 1
    assert harness.admin.release_fulfilment_holds(order_id) == 1
    assert fulfilment_statuses(harness, order_id) == {"ON_HOLD"}, "the address check still holds it"
    harness.admin.close()
