"""One contract for the ShopifyAdmin port: the same assertions on FakeShopifyAdmin and on trueup's real
client (ShopifyAdminClient) talking HTTP to the running Shopify sandbox, so the fake cannot drift. The port
and what is done behind it come from the one harness (shopify_harness.py), on the small shop."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from graphql import parse, validate

from tests.contract.shopify_harness import HARNESS_DOCUMENTS, SandboxShopify, ShopifyHarness
from tests.support.sandbox import KIT_COMPONENTS, LOCATIONS, PRICES, SHOP, RunningSandbox, Shop
from tests.unit.shopify_client.schema_cost import VERSIONS, admin_schema
from trueup.adapters.shopify import queries
from trueup.adapters.shopify.admin import ShopifyAdminClient, topic_enum
from trueup.domain.catalogue import BundleComponent
from trueup.domain.errors import Cause, StructuralError, TransientError
from trueup.domain.fulfilment import (
    OPEN_STATUSES,
    FulfilmentRequest,
    OrderFulfilment,
    Shipment,
    ShipmentLine,
    plan_fulfilment,
)
from trueup.domain.money import Money
from trueup.domain.orders import FinancialStatus, ShopifyOrder

CALLBACK = "https://trueup.example/webhooks/shopify"


def skus_and_quantities(order: ShopifyOrder) -> Counter[tuple[str, int]]:
    return Counter((line.sku, line.quantity) for line in order.lines)


def test_a_placed_order_reads_back_as_placed(shopify: ShopifyHarness) -> None:
    order_id = shopify.place([("TEE-M", 2), ("CAP", 1)])
    order = shopify.admin.fetch_order(order_id)
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


def test_an_order_longer_than_one_page_of_line_items_reads_back_whole(shopify: ShopifyHarness) -> None:
    lines = [("TEE-M", quantity) for quantity in range(1, 24)] + [("CAP", 1)] * 3  # 26 lines: two pages of 20
    order = shopify.admin.fetch_order(shopify.place(lines))
    assert order is not None
    assert skus_and_quantities(order) == Counter(lines)
    assert order.computed_total() == order.total_price


def test_a_pending_order_is_not_postable(shopify: ShopifyHarness) -> None:
    order = shopify.admin.fetch_order(shopify.place([("TEE-S", 1)], financial_status="PENDING"))
    assert order is not None
    assert order.financial_status is FinancialStatus.PENDING
    assert not order.is_postable


def test_a_bundle_arrives_as_grouped_component_lines_that_add_up(shopify: ShopifyHarness) -> None:
    order = shopify.admin.fetch_order(shopify.place([("KIT", 1)]))
    assert order is not None
    assert skus_and_quantities(order) == Counter({(sku, q): 1 for sku, q in KIT_COMPONENTS.items()})
    groups = {line.group_id for line in order.lines}
    assert len(groups) == 1
    assert None not in groups
    assert order.computed_total() == order.total_price == Money(PRICES["KIT"], "EUR")


def test_an_unknown_order_is_none(shopify: ShopifyHarness) -> None:
    assert shopify.admin.fetch_order("gid://shopify/Order/987654321") is None


def test_orders_updated_since_lists_every_later_update_oldest_first(shopify: ShopifyHarness) -> None:
    first = shopify.place([("TEE-S", 1)])
    shopify.tick()
    since = shopify.now()
    second = shopify.place([("TEE-M", 1)])
    shopify.tick()
    third = shopify.place([("CAP", 3)])
    shopify.tick()
    assert [o.order_id for o in shopify.admin.orders_updated_since(since)] == [second, third]

    shopify.touch(first)
    listed = list(shopify.admin.orders_updated_since(since))
    assert [o.order_id for o in listed] == [second, third, first]
    assert [o.updated_at for o in listed] == sorted(o.updated_at for o in listed)
    stamps = list(shopify.admin.order_ids_updated_since(since))
    assert [(s.order_id, s.updated_at) for s in stamps] == [(o.order_id, o.updated_at) for o in listed]


def test_ensure_webhooks_subscribes_each_topic_once(shopify: ShopifyHarness) -> None:
    topics = ["orders/create", "orders/updated", "orders/cancelled"]
    shopify.admin.ensure_webhooks(CALLBACK, topics)
    shopify.admin.ensure_webhooks(CALLBACK, [*topics, "refunds/create"])
    mine = Counter(s.topic for s in shopify.admin.webhook_subscriptions() if s.uri == CALLBACK)
    assert mine == Counter({topic_enum(t): 1 for t in [*topics, "refunds/create"]})


def test_shop_info_gives_currency_and_locations(shopify: ShopifyHarness) -> None:
    info = shopify.admin.shop_info()
    assert (info.currency, info.taxes_included) == ("EUR", False)
    assert {loc.name for loc in info.locations} >= set(LOCATIONS)
    assert all(loc.location_id.startswith("gid://shopify/Location/") for loc in info.locations)


def test_catalogue_gives_skus_prices_and_bundle_components(shopify: ShopifyHarness) -> None:
    items = {item.sku: item for item in shopify.admin.catalogue()}
    assert {sku: items[sku].price for sku in PRICES} == {sku: Money(p, "EUR") for sku, p in PRICES.items()}
    assert items["KIT"].components == tuple(BundleComponent(sku, q) for sku, q in KIT_COMPONENTS.items())
    assert items["TEE-M"].inventory_item_id is not None
    assert not items["TEE-M"].is_bundle


def test_a_shop_that_cannot_be_reached_is_a_transient_error(shopify: ShopifyHarness) -> None:
    admin = shopify.unreachable()
    with pytest.raises(TransientError):
        admin.fetch_order("gid://shopify/Order/1")
    with pytest.raises(TransientError):
        list(admin.orders_updated_since(shopify.now()))


def test_a_spent_bucket_is_a_transient_error_with_the_wait(shopify: ShopifyHarness) -> None:
    error = shopify.spend_until_throttled()
    shopify.recover()
    assert error.retry_after is not None
    assert error.retry_after > 0


def eur_bag(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "EUR"}}


def test_sandbox_order_with_taxes_shipping_and_a_discount_balances_as_shopify_documents(
    shopify_sandbox: RunningSandbox,
) -> None:
    """Not a fake case: Shopify's own arithmetic (subtotal − discounts + shipping + taxes = total), read
    by trueup's client from an order placed with Shopify's own input shapes."""
    vat = (
        [{"title": "VAT", "rate": 0.21, "priceSet": eur_bag("7.35")}],
        [{"title": "VAT", "rate": 0.21, "priceSet": eur_bag("1.89")}],
    )
    order_id = shopify_sandbox.place_order(
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
    client = ShopifyAdminClient(shopify_sandbox.shop, shopify_sandbox.token, base_url=shopify_sandbox.url)
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
def test_sandbox_serves_every_trueup_read_in_both_api_versions(shopify_sandbox: RunningSandbox, version: str) -> None:
    order_id = shopify_sandbox.place_order([("KIT", 1), ("TEE-S", 1)])
    client = ShopifyAdminClient(
        shopify_sandbox.shop, shopify_sandbox.token, api_version=version, base_url=shopify_sandbox.url
    )
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


def test_a_new_order_has_its_lines_open_for_fulfilment_and_no_fulfilment(shopify: ShopifyHarness) -> None:
    order_id = shopify.place([("TEE-M", 2), ("CAP", 1)])
    state = shopify.admin.order_fulfilment(order_id)
    assert state is not None
    assert state.order_id == order_id
    assert open_lines(state) == Counter({"TEE-M": 2, "CAP": 1})
    assert state.fulfillment_ids == ()


def test_partial_fulfilments_each_take_their_units_until_the_order_is_closed(shopify: ShopifyHarness) -> None:
    order_id = shopify.place([("TEE-M", 3)])
    first = plan_fulfilment(
        shipped(order_id, ("TEE-M", 1)),
        shopify.admin.order_fulfilment(order_id).fulfillment_orders,
        notify_customer=True,
    )
    first_id = shopify.admin.create_fulfilment(first)
    after_first = shopify.admin.order_fulfilment(order_id)
    assert open_lines(after_first) == Counter({"TEE-M": 2})
    assert after_first.fulfillment_ids == (first_id,)
    rest = plan_fulfilment(shipped(order_id, ("TEE-M", 2)), after_first.fulfillment_orders, notify_customer=False)
    second_id = shopify.admin.create_fulfilment(rest)
    done = shopify.admin.order_fulfilment(order_id)
    assert open_lines(done) == Counter()
    assert {fo.status for fo in done.fulfillment_orders} == {"CLOSED"}
    assert done.fulfillment_ids == (first_id, second_id)


def test_fulfilling_more_than_remains_is_refused_with_its_cause(shopify: ShopifyHarness) -> None:
    order_id = shopify.place([("CAP", 1)])
    [fo] = shopify.admin.order_fulfilment(order_id).fulfillment_orders
    too_many = FulfilmentRequest({fo.fulfillment_order_id: {fo.lines[0].line_id: 2}}, None, None, None, False)
    with pytest.raises(StructuralError) as refused:
        shopify.admin.create_fulfilment(too_many)
    assert refused.value.cause is Cause.FULFILMENT_ORDER_NOT_FOUND
    assert open_lines(shopify.admin.order_fulfilment(order_id)) == Counter({"CAP": 1})


def test_the_fulfilment_of_an_unknown_order_is_none(shopify: ShopifyHarness) -> None:
    assert shopify.admin.order_fulfilment("gid://shopify/Order/999999999") is None


# --- the hold window: trueup's own fulfilment holds -----------------------------------------------------
def fulfilment_statuses(shopify: ShopifyHarness, order_id: str) -> set[str]:
    state = shopify.admin.order_fulfilment(order_id)
    assert state is not None
    return {fo.status for fo in state.fulfillment_orders}


def test_an_order_held_by_trueup_is_on_hold_until_released(shopify: ShopifyHarness) -> None:
    order_id = shopify.place([("TEE-M", 1), ("CAP", 1)])

    assert shopify.admin.hold_fulfilment(order_id, "trueup hold window: posts to the ERP at 10:30 UTC") == 1
    assert fulfilment_statuses(shopify, order_id) == {"ON_HOLD"}
    assert shopify.admin.release_fulfilment_holds(order_id) == 1
    assert fulfilment_statuses(shopify, order_id) == {"OPEN"}


def test_holding_and_releasing_again_changes_nothing(shopify: ShopifyHarness) -> None:
    order_id = shopify.place([("CAP", 2)])
    shopify.admin.hold_fulfilment(order_id, "trueup hold window")

    assert shopify.admin.hold_fulfilment(order_id, "trueup hold window") == 1, "one hold, not two"
    assert shopify.admin.release_fulfilment_holds(order_id) == 1
    assert shopify.admin.release_fulfilment_holds(order_id) == 0
    assert fulfilment_statuses(shopify, order_id) == {"OPEN"}


def test_an_unknown_order_has_nothing_to_hold_or_release(shopify: ShopifyHarness) -> None:
    assert shopify.admin.hold_fulfilment("gid://shopify/Order/999999999", "trueup hold window") == 0
    assert shopify.admin.release_fulfilment_holds("gid://shopify/Order/999999999") == 0


def test_releasing_leaves_a_hold_someone_else_placed(shopify_sandbox: RunningSandbox, shop: Shop) -> None:
    shopify = SandboxShopify(shopify_sandbox, shop)
    order_id = shopify.place([("TEE-M", 1)])
    [fo] = shopify.admin.order_fulfilment(order_id).fulfillment_orders
    merchant_hold = {"reason": "INCORRECT_ADDRESS", "handle": "address-check"}
    hold = {"id": fo.fulfillment_order_id, "hold": merchant_hold}
    shopify.admin.graphql.execute(queries.FULFILLMENT_ORDER_HOLD, hold)

    assert shopify.admin.hold_fulfilment(order_id, "trueup hold window") == 1
    assert shopify.admin.release_fulfilment_holds(order_id) == 1
    assert fulfilment_statuses(shopify, order_id) == {"ON_HOLD"}, "the address check still holds it"
    shopify.admin.close()


@pytest.mark.parametrize("version", VERSIONS)
def test_the_documents_the_harness_sends_validate(version: str) -> None:
    for document in HARNESS_DOCUMENTS:
        assert [e.message for e in validate(admin_schema(version), parse(document))] == []
