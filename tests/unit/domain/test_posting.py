from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.orders import Customer, FinancialStatus, OrderLine, ShippingLine, ShopifyOrder, TaxLine
from trueup.domain.posting import PostingPolicy, build_sales_order, split_evenly, tax_key

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
POLICY = PostingPolicy(taxes={"VAT 20": "VAT20"})


def eur(amount: str | Decimal) -> Money:
    return Money(Decimal(amount), "EUR")


def vat(amount: str) -> tuple[TaxLine, ...]:
    return (TaxLine("VAT", Decimal("0.2"), eur(amount)),)


def a_line(sku="TEE-M", quantity=1, price="10.00", discount="0.00", tax="0.00", line_id="1") -> OrderLine:
    taxes = vat(tax) if Decimal(tax) else ()
    return OrderLine(line_id, sku, f"Item {sku}", quantity, eur(price), eur(discount), taxes)


def an_order(lines, shipping=(), total=None, tax=None, included=False, status=FinancialStatus.PAID) -> ShopifyOrder:
    tax_total = eur(tax) if tax is not None else sum((line.tax for line in lines), eur("0"))
    tax_total = tax_total + sum((s.tax for s in shipping), eur("0"))
    order = ShopifyOrder(
        shop="demo.myshopify.com",
        order_id="gid://shopify/Order/1001",
        name="#1001",
        currency="EUR",
        financial_status=status,
        lines=tuple(lines),
        shipping=tuple(shipping),
        total_price=eur("0"),
        total_tax=tax_total,
        taxes_included=included,
        customer=Customer("gid://shopify/Customer/1", "a@example.com", "Ada", "Lovelace"),
        shipping_address=None,
        billing_address=None,
        created_at=NOW,
        updated_at=NOW,
    )
    return replace(order, total_price=eur(total) if total is not None else order.computed_total())


def test_a_paid_order_posts_its_lines_at_the_prices_charged():
    order = an_order([a_line(quantity=2, price="10.00", discount="2.00", tax="3.60")])
    request = build_sales_order(order, POLICY)
    (line,) = request.lines
    assert (line.sku, line.quantity, line.unit_price, line.tax_codes) == ("TEE-M", 2, eur("9.00"), ("VAT20",))
    assert request.reference == "shopify:demo.myshopify.com:1001"


def test_a_net_amount_that_does_not_divide_becomes_two_lines_keeping_the_total():
    order = an_order([a_line(quantity=3, price="10.00", discount="0.01")])
    request = build_sales_order(order, POLICY)
    assert [(line.quantity, line.unit_price.amount) for line in request.lines] == [
        (Decimal(1), Decimal("9.99")),
        (Decimal(2), Decimal("10.00")),
    ]
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
)
def test_splitting_a_line_keeps_its_amount_exactly(cents, quantity):
    net = eur(Decimal(cents) / 100)
    groups = split_evenly(net, quantity)
    assert len(groups) <= 2
    assert sum(units for units, _ in groups) == quantity
    assert sum((price.amount * units for units, price in groups), Decimal(0)) == net.amount
