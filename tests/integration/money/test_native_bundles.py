"""Shopify's native bundles: the components arrive as line items of their own (grouped by lineItemGroup),
each with Shopify's share of the bundle's price, discount and tax, and post to Tryton exactly as such."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator

import pytest

from tests.integration.money.tryton_sales import sale_lines
from tests.support.sandbox import RunningSandbox, running_sandbox, sandbox_available
from tests.support.tryton import catalogue_item, seed_catalogue
from trueup.adapters.shopify.admin import ShopifyAdminClient
from trueup.adapters.tryton.back_office import TrytonBackOffice
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.domain.money import Money, total
from trueup.domain.orders import ShopifyOrder
from trueup.domain.posting import PostingPolicy, build_sales_order, check_posted_totals

pytestmark = [
    pytest.mark.tryton,
    pytest.mark.skipif(not sandbox_available(), reason="the Shopify sandbox is not installed"),
]

POLICY = PostingPolicy(taxes={"VAT 20": "VAT20"}, warehouse="WH1")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with running_sandbox() as running:
        yield running


def bundle_order(sandbox: RunningSandbox) -> ShopifyOrder:
    """Two summer kits (a tee and a cap each, 27.00 the kit) and a cap, 20 % VAT, 5.00 off the order."""
    vat = [{"taxLines": [{"title": "VAT", "rate": 0.2}]}] * 2
    five_off = {"code": "FIVE", "amountSet": {"shopMoney": {"amount": "5.00", "currencyCode": "EUR"}}}
    discount = {"itemFixedDiscountCode": five_off}
    order_id = sandbox.place_order([("KIT", 2), ("CAP", 1)], line_fields=vat, discountCode=discount)
    client = ShopifyAdminClient(sandbox.shop, sandbox.token, base_url=sandbox.url)
    try:
        order = client.fetch_order(order_id)
    finally:
        client.close()
    assert order is not None
    return dataclasses.replace(order, shop=f"bundles-{uuid.uuid4().hex[:10]}.myshopify.com")


def test_native_bundle_components_post_with_shopifys_amounts(
    sandbox: RunningSandbox, tryton_client: TrytonClient
) -> None:
    seed_catalogue(tryton_client, [catalogue_item("TEE-M", "19.99"), catalogue_item("CAP", "9.50")])
    order = bundle_order(sandbox)
    components = [line for line in order.lines if line.group_id is not None]

    request = build_sales_order(order, POLICY)
    sale = TrytonBackOffice(tryton_client).create_sales_order(request)

    assert sorted((line.sku, line.quantity) for line in components) == [("CAP", 2), ("TEE-M", 2)]
    assert total([line.gross for line in components], "EUR") == Money.of("54.00", "EUR")  # 2 × 27.00
    assert total([line.discount for line in order.lines], "EUR") == Money.of("5.00", "EUR")
    shopify_lines = [(line.sku, line.quantity, line.net) for line in order.lines]
    assert [(line.sku, line.quantity, line.amount) for line in request.lines] == shopify_lines
    assert sale.total == order.total_price
    assert sale.tax == order.total_tax
    check_posted_totals(order, sale)
    assert [(sku, quantity) for sku, quantity, _ in sale_lines(tryton_client, int(sale.erp_id))] == [
        (line.sku, line.quantity) for line in order.lines
    ]
