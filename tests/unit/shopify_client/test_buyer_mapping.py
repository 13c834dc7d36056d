"""Who bought: B2B companies with their location, terms and PO number; customers' data checked field by field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.unit.shopify_client.payloads import address, company_address, money_bag, order_node, purchasing_company
from trueup.adapters.shopify.order_mapping import map_order
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.orders import Address

SHOP = "demo.myshopify.com"


def parked(node: dict) -> StructuralError:
    with pytest.raises(StructuralError) as raised:
        map_order(SHOP, node)
    return raised.value


def test_a_company_order_carries_the_company_its_location_and_the_location_addresses() -> None:
    entity = purchasing_company(billing=company_address(), shipping=company_address(firstName="Goods", lastName="In"))
    order = map_order(SHOP, order_node(purchasingEntity=entity, poNumber="PO-778"))

    company = order.company
    assert company is not None
    assert (company.shopify_id, company.name, company.external_id, company.numeric_id) == (
        "gid://shopify/Company/4",
        "Acme BV",
        "ACME-1",
        "4",
    )
    assert (company.location_id, company.location_name) == ("gid://shopify/CompanyLocation/5", "Acme HQ")
    assert company.billing_address == Address("Accounts Payable", "5 Main St", "", "Delft", "2611", "NL", "", "Acme BV")
    assert company.shipping_address is not None
    assert company.shipping_address.name == "Goods In"
    assert (order.company_id, order.company_location_id, order.po_number) == (
        "gid://shopify/Company/4",
        "gid://shopify/CompanyLocation/5",
        "PO-778",
    )


def test_a_company_location_address_with_no_person_is_in_the_company_name() -> None:
    entity = purchasing_company(billing=company_address(firstName=None, lastName=None))
    company = map_order(SHOP, order_node(purchasingEntity=entity)).company
    assert company is not None
    assert company.billing_address is not None
    assert company.billing_address.name == "Acme BV"


def test_a_company_location_without_addresses_is_still_a_company_order() -> None:
    # A location need not have addresses of its own: the order's then serve.
    order = map_order(SHOP, order_node(purchasingEntity=purchasing_company()))
    assert order.company is not None
    assert (order.company.billing_address, order.company.shipping_address) == (None, None)


def test_a_consumer_order_has_no_company() -> None:
    assert map_order(SHOP, order_node()).company is None


def test_a_company_location_address_without_a_country_parks_naming_the_field() -> None:
    entity = purchasing_company(billing=company_address(countryCode=None))
    error = parked(order_node(purchasingEntity=entity))
    assert error.cause is Cause.INVALID_CUSTOMER_DATA
    assert "purchasingEntity.location.billingAddress.countryCode" in error.detail


def test_keeps_the_presentment_tax_next_to_the_total() -> None:
    node = order_node(total="24.00", tax="4.00", presentmentCurrencyCode="USD")
    node["currentTotalPriceSet"] = money_bag("24.00", "EUR", presentment=("26.40", "USD"))
    node["currentTotalTaxSet"] = money_bag("4.00", "EUR", presentment=("4.40", "USD"))
    order = map_order(SHOP, node)
    assert (order.presentment_total, order.presentment_tax) == (
        Money(Decimal("26.40"), "USD"),
        Money(Decimal("4.40"), "USD"),
    )
    assert order.total_tax == Money(Decimal("4.00"), "EUR")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"shippingAddress": address(address1="x" * 256)}, "shippingAddress.address1"),
        ({"billingAddress": address(zip="1" * 21)}, "billingAddress.zip"),
        ({"shippingAddress": address(countryCodeV2=None)}, "shippingAddress.countryCodeV2"),
        ({"poNumber": "P" * 256}, "poNumber"),
        ({"email": "not-an-address", "customer": None}, "email"),
        ({"email": "someone@localhost", "customer": None}, "email"),
        ({"email": f"{'a' * 250}@example.com", "customer": None}, "email"),
    ],
)
def test_invalid_customer_data_parks_naming_the_field_never_the_value(overrides: dict, field: str) -> None:
    error = parked(order_node(**overrides))
    assert error.cause is Cause.INVALID_CUSTOMER_DATA
    assert field in error.detail
    for value in overrides.values():
        if isinstance(value, str):
            assert value not in error.detail


def test_an_over_long_customer_name_parks_naming_the_field() -> None:
    node = order_node()
    node["customer"] = {**node["customer"], "lastName": "L" * 300}
    error = parked(node)
    assert (error.cause, "customer.lastName" in error.detail) == (Cause.INVALID_CUSTOMER_DATA, True)
    assert "LLLL" not in error.detail


def test_text_at_the_limit_is_accepted_and_trimmed() -> None:
    order = map_order(SHOP, order_node(shippingAddress=address(city=" " + "c" * 128 + " ")))
    assert order.shipping_address is not None
    assert order.shipping_address.city == "c" * 128
