"""A shipment despatched in the real Tryton becomes a fulfilment in the Shopify sandbox, with its tracking
number and a customer notification, exactly once; an order split over two warehouses gives one fulfilment
per location, and a tracking number added later updates its fulfilment."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.contract.back_office_harness import tryton_despatch, tryton_ship_from
from tests.contract.shopify_harness import TWO_LOCATION_SHOP
from tests.fakes.store import InMemoryStore
from tests.support.sandbox import LOCATIONS, RunningSandbox, running_sandbox, sandbox_available
from tests.support.tryton import catalogue_item, seed_catalogue
from trueup.adapters.shopify.admin import ShopifyAdminClient
from trueup.adapters.tryton.back_office import TrytonBackOffice
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.domain.ledger import OrderState
from trueup.domain.posting import PostingPolicy, order_reference
from trueup.local_stack.tryton_catalogue import receive_stock
from trueup.service_layer.fulfilment import CURSOR, fulfil_despatched
from trueup.service_layer.order_context import OrderContext
from trueup.service_layer.sync_order import sync_order

pytestmark = [
    pytest.mark.tryton,
    pytest.mark.skipif(not sandbox_available(), reason="the Shopify sandbox is not installed"),
]

FULFILMENTS = """
query TestFulfilments($id: ID!) {
  order(id: $id) {
    displayFulfillmentStatus
    fulfillments(first: 10) {
      status
      location { name }
      trackingInfo(first: 5) { number company url }
      fulfillmentLineItems(first: 10) { nodes { lineItem { sku } quantity } }
    }
  }
}
"""


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    # T-shirts are stocked at the main warehouse, caps at the overflow only: Shopify routes an order of both
    # to two fulfilment orders, one per location.
    with running_sandbox(shop_spec=TWO_LOCATION_SHOP.spec()) as running:
        yield running


@pytest.fixture
def ctx(sandbox: RunningSandbox, tryton_client: TrytonClient) -> Iterator[OrderContext]:
    seed_catalogue(
        tryton_client,
        [catalogue_item("TEE-M", "19.99"), catalogue_item("TEE-S", "19.99"), catalogue_item("CAP", "9.50")],
    )
    receive_stock(tryton_client, {"TEE-M": 5, "TEE-S": 5, "CAP": 5}, "WH1")
    receive_stock(tryton_client, {"CAP": 5}, "WH2")
    # A shop domain of its own, so that its sale references never meet another test's in the session's Tryton.
    shop = f"ship-{uuid.uuid4().hex[:10]}.myshopify.com"
    admin = ShopifyAdminClient(shop, sandbox.token, base_url=sandbox.url)
    clock = Clock()
    locations = {location.location_id: location.name for location in admin.shop_info().locations}
    warehouses = {LOCATIONS[0]: "WH1", LOCATIONS[1]: "WH2"}
    policy = PostingPolicy(warehouse="WH1", locations={gid: warehouses[name] for gid, name in locations.items()})
    yield OrderContext(admin, TrytonBackOffice(tryton_client), InMemoryStore(clock.now), clock, policy)
    admin.close()


def caught_up(ctx: OrderContext) -> None:
    """Run the fulfilment poll until its cursor stands still (past every shipment of earlier tests)."""
    while True:
        before = ctx.store.cursor(ctx.shopify.shop, CURSOR)
        fulfil_despatched(ctx, notify_customer=True)
        if ctx.store.cursor(ctx.shopify.shop, CURSOR) == before:
            return


def fulfilments(sandbox: RunningSandbox, order_id: str) -> dict[str, Any]:
    order: dict[str, Any] = sandbox.graphql(FULFILMENTS, {"id": order_id})["data"]["order"]
    return order


def test_a_shipment_shipped_in_tryton_is_fulfilled_in_shopify_once_with_its_tracking(
    sandbox: RunningSandbox, ctx: OrderContext, tryton_client: TrytonClient
) -> None:
    order_id = sandbox.place_order([("TEE-M", 2), ("TEE-S", 1)])
    entry = sync_order(ctx, order_id)
    assert entry is not None
    assert entry.state is OrderState.POSTED
    caught_up(ctx)
    assert fulfilments(sandbox, order_id)["fulfillments"] == []
    order = ctx.shopify.fetch_order(order_id)
    assert order is not None

    tryton_despatch(tryton_client, order_reference(order), "1Z-TRUEUP-1", "shipped")
    assert fulfil_despatched(ctx, notify_customer=True) == 1

    shopify = fulfilments(sandbox, order_id)
    assert shopify["displayFulfillmentStatus"] == "FULFILLED"
    (fulfilment,) = shopify["fulfillments"]
    assert [t["number"] for t in fulfilment["trackingInfo"]] == ["1Z-TRUEUP-1"]
    # Done after shipped writes the shipment again: it comes back in the poll, and nothing is duplicated.
    (sale,) = tryton_client.call(
        "sale.sale", "search_read", [("reference", "=", order_reference(order))], 0, 1, None, ["shipments"]
    )
    tryton_client.call("stock.shipment.out", "do", sale["shipments"])
    assert fulfil_despatched(ctx, notify_customer=True) == 0
    assert len(fulfilments(sandbox, order_id)["fulfillments"]) == 1


def test_an_order_split_over_two_warehouses_gives_two_fulfilments_and_a_late_tracking_updates_one(
    sandbox: RunningSandbox, ctx: OrderContext, tryton_client: TrytonClient
) -> None:
    order_id = sandbox.place_order([("TEE-M", 1), ("CAP", 2)])
    entry = sync_order(ctx, order_id)
    assert entry is not None
    assert entry.state is OrderState.POSTED
    caught_up(ctx)
    order = ctx.shopify.fetch_order(order_id)
    assert order is not None
    reference = order_reference(order)

    tryton_ship_from(tryton_client, reference, ["CAP"], "WH2")  # a person ships the caps from WH2
    tryton_despatch(tryton_client, reference, None, "shipped")
    assert fulfil_despatched(ctx, notify_customer=True) == 2

    shopify = fulfilments(sandbox, order_id)
    assert shopify["displayFulfillmentStatus"] == "FULFILLED"
    by_location = {f["location"]["name"]: f for f in shopify["fulfillments"]}
    shipped = {
        name: [(n["lineItem"]["sku"], n["quantity"]) for n in f["fulfillmentLineItems"]["nodes"]]
        for name, f in by_location.items()
    }
    assert shipped == {LOCATIONS[0]: [("TEE-M", 1)], LOCATIONS[1]: [("CAP", 2)]}
    assert by_location[LOCATIONS[1]]["trackingInfo"] == []

    (sale,) = tryton_client.call("sale.sale", "search_read", [("reference", "=", reference)], 0, 1, None, ["shipments"])
    from_wh2 = tryton_client.call(
        "stock.shipment.out", "search", [("id", "in", sale["shipments"]), ("warehouse.code", "=", "WH2")], 0, None, None
    )
    (dhl,) = tryton_client.call("carrier", "search", [("party.name", "=", "DHL Express")], 0, 1, None)
    tryton_client.call("stock.shipment.out", "write", from_wh2, {"reference": "1Z-LATE-2", "carrier": dhl})
    urls = {"DHL Express": "https://dhl.example/track/{number}"}
    assert fulfil_despatched(ctx, notify_customer=True, tracking_urls=urls) == 0
    tryton_client.call("stock.shipment.out", "do", sale["shipments"])  # done: written again, nothing new
    assert fulfil_despatched(ctx, notify_customer=True, tracking_urls=urls) == 0

    after = {f["location"]["name"]: f for f in fulfilments(sandbox, order_id)["fulfillments"]}
    assert len(after) == 2
    assert after[LOCATIONS[1]]["trackingInfo"] == [
        {"number": "1Z-LATE-2", "company": "DHL Express", "url": "https://dhl.example/track/1Z-LATE-2"}
    ]
    assert after[LOCATIONS[0]]["trackingInfo"] == []
