"""A shipment despatched in the real Tryton becomes a fulfilment in the Shopify sandbox, with its tracking
number and a customer notification, exactly once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.contract.test_back_office_shipments_contract import tryton_despatch
from tests.fakes.store import InMemoryStore
from tests.support.sandbox import RunningSandbox, running_sandbox, sandbox_available
from tests.support.tryton import catalogue_item, seed_catalogue
from trueup.adapters.shopify.admin import ShopifyAdminClient
from trueup.adapters.tryton.back_office import TrytonBackOffice
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.adapters.tryton.products import receive_stock
from trueup.domain.ledger import OrderState
from trueup.domain.posting import PostingPolicy, order_reference
from trueup.service_layer.fulfilment import CURSOR, fulfil_despatched
from trueup.service_layer.sync_order import OrderContext, sync_order

pytestmark = [
    pytest.mark.tryton,
    pytest.mark.skipif(not sandbox_available(), reason="the Shopify sandbox is not installed"),
]

FULFILMENTS = """
query TestFulfilments($id: ID!) {
  order(id: $id) {
    displayFulfillmentStatus
    fulfillments(first: 10) { status trackingInfo(first: 5) { number company url } }
  }
}
"""


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with running_sandbox() as running:
        yield running


@pytest.fixture
def ctx(sandbox: RunningSandbox, tryton_client: TrytonClient) -> Iterator[OrderContext]:
    seed_catalogue(tryton_client, [catalogue_item("TEE-M", "19.99"), catalogue_item("CAP", "9.50")])
    receive_stock(tryton_client, {"TEE-M": 5, "CAP": 5}, "WH1")
    # A shop domain of its own, so that its sale references never meet another test's in the session's Tryton.
    shop = f"ship-{uuid.uuid4().hex[:10]}.myshopify.com"
    admin = ShopifyAdminClient(shop, sandbox.token, base_url=sandbox.url)
    clock = Clock()
    yield OrderContext(
        admin, TrytonBackOffice(tryton_client), InMemoryStore(clock.now), clock, PostingPolicy(warehouse="WH1")
    )
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
    order_id = sandbox.place_order([("TEE-M", 2), ("CAP", 1)])
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
