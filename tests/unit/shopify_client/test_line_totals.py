"""A line's amount is Shopify's exact `originalTotalSet` when the quantity is still the one ordered."""

from decimal import Decimal

from tests.unit.shopify_client.payloads import line_item, money_bag
from trueup.adapters.shopify.order_mapping import map_line_item


def test_a_bundle_component_share_that_does_not_divide_keeps_shopifys_exact_amount():
    node = {**line_item(quantity=3, unit_price="3.33"), "quantity": 3, "originalTotalSet": money_bag("10.00")}
    line = map_line_item(node, "EUR", "lineItems[0]")
    assert line.gross.amount == Decimal("10.00")  # not 3 x 3.33 = 9.99


def test_after_an_edit_changed_the_quantity_the_unit_price_gives_the_amount():
    node = {**line_item(quantity=2, unit_price="3.33"), "quantity": 3, "originalTotalSet": money_bag("10.00")}
    line = map_line_item(node, "EUR", "lineItems[0]")
    assert line.gross.amount == Decimal("6.66")
