"""One contract for reading refunds through the ShopifyAdmin port: the same assertions on FakeShopifyAdmin and
on trueup's real client talking HTTP to the Shopify sandbox, where the refund is made with Shopify's own
refundCreate (the one harness: shopify_harness.py). The order reads back as sold (refunded units and amounts
kept); its refunds come with it."""

from __future__ import annotations

from decimal import Decimal

from tests.contract.shopify_harness import ShopifyHarness, eur
from trueup.domain.orders import FinancialStatus
from trueup.domain.refunds import RestockType


def test_a_refunded_order_reads_back_as_sold_with_shopifys_current_total_beside(shopify: ShopifyHarness) -> None:
    order = shopify.admin.fetch_order(shopify.place_and_refund())

    assert order is not None
    assert [(line.sku, line.quantity, line.net, line.tax) for line in order.lines] == [
        ("TEE-M", 3, eur("59.97"), eur("11.99"))
    ]
    assert (order.total_price, order.total_tax, order.current_total) == (eur("77.96"), eur("12.99"), eur("47.97"))
    assert order.computed_total() == order.total_price
    assert order.financial_status is FinancialStatus.PARTIALLY_REFUNDED


def test_the_refund_comes_with_its_lines_restock_shipping_and_money(shopify: ShopifyHarness) -> None:
    order_id = shopify.place_and_refund()
    order = shopify.admin.fetch_order(order_id)

    assert order is not None
    (refund,) = order.refunds
    assert shopify.admin.order_refunds(order_id) == [refund]
    assert (refund.order_id, refund.total_refunded, refund.adjustments) == (order_id, eur("29.99"), ())
    (line,) = refund.lines
    assert (line.line_item_id, line.sku, line.quantity, line.restock_type, line.location_id) == (
        order.lines[0].line_id,
        "TEE-M",
        1,
        RestockType.RETURN,
        shopify.location_ids[shopify.shop.locations[0]],
    )
    assert (line.subtotal, line.tax, [(t.title, t.rate) for t in line.taxes]) == (
        eur("19.99"),
        eur("4.00"),
        [("VAT", Decimal("0.2"))],
    )
    (shipping,) = refund.shipping
    assert (shipping.title, shipping.subtotal, shipping.tax) == ("Standard", eur("5.00"), eur("1.00"))


def test_an_unknown_order_has_no_refunds(shopify: ShopifyHarness) -> None:
    assert shopify.admin.order_refunds("gid://shopify/Order/987654321") == []
