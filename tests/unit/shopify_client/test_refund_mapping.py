"""Shopify refunds → trueup's Refunds, and the order read as sold: after edits, before refunds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.unit.shopify_client.payloads import line_item, money_bag, order_node, tax_line
from trueup.adapters.shopify.order_mapping import map_order
from trueup.adapters.shopify.refund_mapping import map_refunds
from trueup.domain.errors import StructuralError
from trueup.domain.money import Money
from trueup.domain.posting import PostingPolicy, build_sales_order
from trueup.domain.refunds import RestockType

SHOP = "demo.myshopify.com"
POLICY = PostingPolicy(taxes={"VAT 20": "VAT20"})


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def refund_node(
    number: int = 7,
    lines: list[dict[str, Any]] | None = None,
    shipping: list[dict[str, Any]] | None = None,
    adjustments: list[dict[str, Any]] | None = None,
    returned: str = "24.00",
    created: str = "2026-11-27T09:00:00Z",
) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/Refund/{number}",
        "createdAt": created,
        "note": None,
        "totalRefundedSet": money_bag(returned),
        "refundLineItems": {"pageInfo": {"hasNextPage": False}, "nodes": lines if lines is not None else []},
        "refundShippingLines": {"nodes": shipping or []},
        "orderAdjustments": {"nodes": adjustments or []},
    }


def refund_line(quantity=2, subtotal="20.00", tax="4.00", restock="RETURN", location="gid://shopify/Location/2"):
    return {
        "quantity": quantity,
        "restockType": restock,
        "location": {"id": location} if location else None,
        "subtotalSet": money_bag(subtotal),
        "totalTaxSet": money_bag(tax),
        "lineItem": {"id": "gid://shopify/LineItem/1", "sku": "TEE-M", "title": "Tee", "taxLines": [tax_line("6.00")]},
    }


def refunds_of(*refunds: dict[str, Any], included: bool = False) -> dict[str, Any]:
    return {
        "id": "gid://shopify/Order/1001",
        "currencyCode": "EUR",
        "taxesIncluded": included,
        "refunds": list(refunds),
    }


def test_a_refund_reads_its_lines_restock_location_and_shopifys_amounts():
    (refund,) = map_refunds(refunds_of(refund_node(lines=[refund_line()])))

    assert (refund.numeric_id, refund.order_id, refund.total_refunded) == (7, "gid://shopify/Order/1001", eur("24.00"))
    (line,) = refund.lines
    assert (line.line_item_id, line.sku, line.quantity, line.restock_type, line.location_id) == (
        "gid://shopify/LineItem/1",
        "TEE-M",
        2,
        RestockType.RETURN,
        "gid://shopify/Location/2",
    )
    assert (line.subtotal, line.tax, line.taxes[0].rate) == (eur("20.00"), eur("4.00"), Decimal("0.2"))


def test_refunds_come_oldest_first():
    later = refund_node(number=5, created="2026-11-27T10:00:00Z")
    earlier = refund_node(number=9, created="2026-11-27T08:00:00Z")
    assert [r.numeric_id for r in map_refunds(refunds_of(later, earlier))] == [9, 5]


def test_shipping_and_a_discrepancy_are_read_and_the_discrepancy_signed_as_a_credit():
    shipping = {
        "subtotalAmountSet": money_bag("5.00"),
        "taxAmountSet": money_bag("1.00"),
        "shippingLine": {"title": "Standard", "taxLines": [tax_line("1.00")]},
    }
    # 6.00 of shipping refunded, 4.00 returned: Shopify's adjustment of 2.00 is money kept, not credited.
    kept = {"reason": "REFUND_DISCREPANCY", "amountSet": money_bag("2.00"), "taxAmountSet": money_bag("0.00")}
    (refund,) = map_refunds(refunds_of(refund_node(shipping=[shipping], adjustments=[kept], returned="4.00")))

    assert (refund.shipping[0].title, refund.shipping[0].subtotal, refund.shipping[0].tax) == (
        "Standard",
        eur("5.00"),
        eur("1.00"),
    )
    assert refund.adjustments[0].amount == eur("-2.00")


def test_a_refund_of_more_lines_than_one_page_is_refused_by_name():
    node = refund_node(lines=[refund_line()])
    node["refundLineItems"]["pageInfo"]["hasNextPage"] = True
    with pytest.raises(StructuralError, match="refundLineItems"):
        map_refunds(refunds_of(node))


def test_the_order_is_read_as_sold_refunded_units_and_amounts_put_back():
    line = {**line_item(quantity=1, unit_price="10.00", taxes=(tax_line("6.00"),)), "quantity": 3}
    line["originalTotalSet"] = money_bag("30.00")
    refunds = map_refunds(refunds_of(refund_node(lines=[refund_line()])))
    # Shopify's current figures leave the two refunded units out: 12.00 left of 36.00.
    order = map_order(SHOP, order_node(lines=[line], total="12.00", tax="2.00"), refunds=refunds)

    assert order.lines[0].quantity == 3
    assert (order.total_price, order.total_tax, order.current_total) == (eur("36.00"), eur("6.00"), eur("12.00"))
    assert order.refunds == tuple(refunds)
    assert build_sales_order(order, POLICY).untaxed == eur("30.00")  # the totals check passes


def test_units_an_edit_removed_leave_the_sale_with_their_share_of_discount_and_tax():
    line = {
        **line_item(quantity=2, unit_price="10.00", discounts=("3.00",), taxes=(tax_line("5.40"),)),
        "quantity": 3,
    }
    # Removed units go first, their share rounded half up: 27.00 × 1/3 = 9.00 off the net, 1.80 off the tax.
    order = map_order(SHOP, order_node(lines=[line], total="21.60", tax="3.60"))

    (sold,) = order.lines
    assert (sold.quantity, sold.net, sold.tax) == (2, eur("18.00"), eur("3.60"))
    assert build_sales_order(order, POLICY).untaxed == eur("18.00")


def test_an_original_total_left_behind_by_an_edit_that_added_units_is_not_used():
    line = {**line_item(quantity=2, unit_price="10.00"), "quantity": 2, "originalTotalSet": money_bag("10.00")}
    order = map_order(SHOP, order_node(lines=[line], total="20.00"))

    assert order.lines[0].gross == eur("20.00")


def test_a_bundle_components_exact_share_is_kept():
    line = {**line_item(quantity=3, unit_price="3.33"), "quantity": 3, "originalTotalSet": money_bag("10.00")}
    order = map_order(SHOP, order_node(lines=[line], total="10.00"))

    assert order.lines[0].gross == eur("10.00")
