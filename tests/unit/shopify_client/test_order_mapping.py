"""Shopify's order JSON becomes trueup's ShopifyOrder exactly, or a parked cause naming the field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.unit.shopify_client.payloads import address, line_item, money_bag, order_node, tax_line
from trueup.adapters.shopify.order_mapping import map_order
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.orders import FinancialStatus

SHOP = "demo.myshopify.com"


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def test_maps_lines_with_discounts_taxes_and_bundle_group() -> None:
    bundle = {"id": "gid://shopify/LineItemGroup/3", "title": "Kit", "quantity": 1, "variantSku": "KIT"}
    node = order_node(
        lines=[
            line_item(1, "TEE-M", 2, "19.99", discounts=("1.50", "0.49"), taxes=(tax_line("7.60"),)),
            line_item(2, "CAP", 1, "10.00", group=bundle),
        ],
        total="55.59",
        tax="7.60",
    )
    order = map_order(SHOP, node)
    first, second = order.lines
    assert (first.sku, first.quantity, first.unit_price) == ("TEE-M", 2, eur("19.99"))
    assert first.discount == eur("1.99")
    assert first.taxes[0].rate == Decimal("0.2")
    assert first.taxes[0].amount == eur("7.60")
    assert first.group_id is None
    assert second.group_id == "gid://shopify/LineItemGroup/3"
    assert order.total_price == eur("55.59")
    assert order.total_tax == eur("7.60")
    assert order.computed_total() == order.total_price


def test_maps_order_header_customer_and_addresses() -> None:
    order = map_order(SHOP, order_node(1001, cancelledAt="2026-11-27T09:00:00Z", tags=["vip"]))
    assert (order.shop, order.order_id, order.name) == (SHOP, "gid://shopify/Order/1001", "#1001")
    assert order.numeric_id == 1001
    assert order.financial_status is FinancialStatus.PAID
    assert order.updated_at == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    assert order.cancelled_at == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert order.customer is not None
    assert (order.customer.shopify_id, order.customer.email) == ("gid://shopify/Customer/7", "ada@example.com")
    assert order.shipping_address is not None
    assert (order.shipping_address.country_code, order.shipping_address.zip) == ("GB", "N1 9GU")
    assert order.tags == ("vip",)


def test_maps_shipping_lines_with_their_discounts_and_taxes() -> None:
    shipping = {
        "title": "Standard",
        "originalPriceSet": money_bag("5.00"),
        "discountAllocations": [{"allocatedAmountSet": money_bag("5.00")}],
        "taxLines": [tax_line("0.00")],
    }
    order = map_order(SHOP, order_node(shippingLines={"nodes": [shipping]}))
    (line,) = order.shipping
    assert (line.title, line.price, line.discount, line.net) == ("Standard", eur("5.00"), eur("5.00"), eur("0.00"))


def test_maps_a_b2b_company_order_with_terms_and_po_number() -> None:
    node = order_node(
        purchasingEntity={
            "__typename": "PurchasingCompany",
            "company": {"id": "gid://shopify/Company/4"},
            "location": {"id": "gid://shopify/CompanyLocation/5"},
        },
        paymentTerms={"paymentTermsName": "Net 30"},
        poNumber="PO-778",
    )
    order = map_order(SHOP, node)
    assert (order.company_id, order.company_location_id) == (
        "gid://shopify/Company/4",
        "gid://shopify/CompanyLocation/5",
    )
    assert (order.payment_terms, order.po_number) == ("Net 30", "PO-778")


def test_keeps_the_presentment_currency_and_total() -> None:
    node = order_node(total="20.00", presentmentCurrencyCode="USD")
    node["currentTotalPriceSet"] = money_bag("20.00", "EUR", presentment=("21.64", "USD"))
    order = map_order(SHOP, node)
    assert (order.presentment_currency, order.presentment_total) == ("USD", Money(Decimal("21.64"), "USD"))


def test_a_guest_checkout_is_known_by_its_email_and_billing_name() -> None:
    order = map_order(SHOP, order_node(customer=None, email="guest@example.com"))
    assert order.customer is not None
    assert (order.customer.shopify_id, order.customer.email, order.customer.first_name) == (
        None,
        "guest@example.com",
        "Ada",
    )


def test_reads_amounts_from_json_text_without_float() -> None:
    body = json.dumps({"order": order_node(lines=[line_item(1, unit_price="0.10", discounts=("0.07", "0.03"))])})
    node = json.loads(body, parse_float=Decimal)["order"]
    order = map_order(SHOP, node)
    assert order.lines[0].unit_price.amount == Decimal("0.10")
    assert order.lines[0].discount.amount == Decimal("0.10")
    assert order.lines[0].net.is_zero()


def test_follows_extra_line_item_pages() -> None:
    extra = [line_item(n, f"SKU-{n}") for n in range(2, 5)]
    order = map_order(SHOP, order_node(), extra)
    assert [line.sku for line in order.lines] == ["TEE-M", "SKU-2", "SKU-3", "SKU-4"]


SECRET_EMAIL = "not-an-email ada.private"


@pytest.mark.parametrize(
    ("overrides", "cause", "field"),
    [
        ({"lines": [line_item(1), line_item(2, sku=None)]}, Cause.UNSUPPORTED_ORDER, "lineItems[1].sku"),
        ({"lines": [line_item(1, sku="  ")]}, Cause.UNSUPPORTED_ORDER, "lineItems[0].sku"),
        ({"displayFinancialStatus": None}, Cause.UNSUPPORTED_ORDER, "displayFinancialStatus"),
        ({"currentTotalPriceSet": money_bag("20.00", "USD")}, Cause.UNSUPPORTED_ORDER, "currentTotalPriceSet"),
        ({"lines": [line_item(1, unit_price="twenty")]}, Cause.UNSUPPORTED_ORDER, "lineItems[0].originalUnitPriceSet"),
        ({"updatedAt": "yesterday"}, Cause.UNSUPPORTED_ORDER, "updatedAt"),
        (
            {"shippingAddress": address(countryCodeV2=None)},
            Cause.INVALID_CUSTOMER_DATA,
            "shippingAddress.countryCodeV2",
        ),
        (
            {"customer": {"id": "gid://shopify/Customer/7", "defaultEmailAddress": {"emailAddress": SECRET_EMAIL}}},
            Cause.INVALID_CUSTOMER_DATA,
            "customer.defaultEmailAddress",
        ),
        ({"email": SECRET_EMAIL, "customer": None}, Cause.INVALID_CUSTOMER_DATA, "email"),
        (
            {"purchasingEntity": {"__typename": "PurchasingCompany", "company": {"id": "gid://shopify/Company/1"}}},
            Cause.UNSUPPORTED_ORDER,
            "purchasingEntity.location.id",
        ),
    ],
)
def test_bad_data_parks_the_order_naming_the_field_never_the_value(overrides: dict, cause: Cause, field: str) -> None:
    lines = overrides.pop("lines", None)
    with pytest.raises(StructuralError) as caught:
        map_order(SHOP, order_node(lines=lines, **overrides))
    assert caught.value.cause is cause
    assert field in caught.value.detail
    assert "private" not in str(caught.value)
    assert "twenty" not in str(caught.value)
