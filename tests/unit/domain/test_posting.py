from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import a_line, a_shipping, an_order, eur
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.orders import ShippingLine
from trueup.domain.posting import PostingPolicy, build_sales_order
from trueup.domain.taxes import TaxLine, tax_key

POLICY = PostingPolicy(taxes={"VAT 20": "VAT20"})


def test_a_paid_order_posts_its_lines_at_the_prices_charged():
    order = an_order([a_line(quantity=2, price="10.00", discount="2.00", tax="3.60")])
    request = build_sales_order(order, POLICY)
    (line,) = request.lines
    assert (line.sku, line.quantity, line.unit_price, line.tax_codes) == ("TEE-M", 2, eur("9.00"), ("VAT20",))
    assert request.reference == "shopify:demo.myshopify.com:1001"


def test_a_net_amount_that_does_not_divide_keeps_its_exact_total():
    order = an_order([a_line(quantity=3, price="10.00", discount="0.01")])
    request = build_sales_order(order, POLICY)
    (line,) = request.lines
    assert line.amount == eur("29.99")
    assert abs(line.unit_price.amount * 3 - Decimal("29.99")) < Decimal("1e-20")
    assert request.untaxed == eur("29.99")


def test_shipping_posts_as_its_own_line_net_of_its_discount():
    order = an_order([a_line()], shipping=[ShippingLine("Standard", eur("5.00"), eur("1.00"))])
    shipping = [line for line in build_sales_order(order, POLICY).lines if line.is_shipping]
    assert [(s.sku, s.unit_price) for s in shipping] == [("SHIPPING", eur("4.00"))]


def test_tax_included_prices_post_net_of_shopifys_tax():
    order = an_order([a_line(price="12.00", tax="2.00")], included=True, total="12.00")
    request = build_sales_order(order, POLICY)
    assert request.untaxed == eur("10.00")
    assert request.expected_tax == eur("2.00")


def test_the_sale_asks_for_shopifys_tax_per_erp_tax_goods_and_shipping_together():
    order = an_order(
        [a_line(price="12.00", tax="2.00"), a_line(sku="MUG", price="10.00", tax="2.01")],
        shipping=[a_shipping(price="5.00", tax="1.00")],
        total="32.01",
    )
    request = build_sales_order(order, POLICY)
    assert request.expected_taxes == (("VAT20", eur("5.01")),)
    assert request.tax_rates == (("VAT20", "VAT 20"),)
    assert not request.park_on_tax_variance


def test_an_unmapped_tax_parks_the_order_naming_the_tax():
    order = an_order([a_line(tax="2.00")])
    with pytest.raises(StructuralError) as parked:
        build_sales_order(order, PostingPolicy())
    assert parked.value.cause == Cause.UNMAPPED_TAX
    assert parked.value.needs == {"taxes": ["VAT 20"]}


def test_parts_that_do_not_add_up_to_shopifys_total_are_never_posted():
    order = an_order([a_line(price="10.00")], total="10.50")
    with pytest.raises(StructuralError) as parked:
        build_sales_order(order, POLICY)
    assert parked.value.cause == Cause.TOTALS_MISMATCH
    assert "10.00 EUR" in parked.value.detail
    assert "10.50 EUR" in parked.value.detail


def test_a_line_without_sku_is_parked():
    with pytest.raises(StructuralError) as parked:
        build_sales_order(an_order([a_line(sku="")]), POLICY)
    assert parked.value.cause == Cause.SKU_NOT_IN_ITEM_MASTER


def test_tax_keys_name_the_rate_in_percent():
    assert tax_key(TaxLine("VAT", Decimal("0.055"), eur("1"))) == "VAT 5.5"


@given(
    cents=st.integers(min_value=0, max_value=10_000_000),
    quantity=st.integers(min_value=1, max_value=500),
    discount_cents=st.integers(min_value=0, max_value=10_000),
)
def test_posted_lines_always_add_up_to_the_order_exactly(cents, quantity, discount_cents):
    price = Decimal(cents) / 100
    discount = min(Decimal(discount_cents) / 100, price * quantity)
    order = an_order([a_line(quantity=quantity, price=str(price), discount=str(discount))])
    request = build_sales_order(order, POLICY)
    assert request.untaxed.amount == price * quantity - discount
