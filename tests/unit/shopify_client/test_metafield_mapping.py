"""The configured customer and company metafields, read back from their aliases in the order answer."""

from __future__ import annotations

import pytest

from tests.unit.shopify_client.payloads import order_node, purchasing_company
from trueup.adapters.shopify.order_mapping import map_order
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.party_fields import parse_source

SHOP = "demo.myshopify.com"
CUSTOMER_SOURCES = (parse_source("customer.erp.account_number"),)
COMPANY_SOURCES = (parse_source("company.erp.account_number"), parse_source("company.erp.credit_term"))


def mapped(node: dict):  # type: ignore[no-untyped-def]
    return map_order(SHOP, node, customer_metafields=CUSTOMER_SOURCES, company_metafields=COMPANY_SOURCES)


def a_company_order(**metafields: object) -> dict:
    entity = purchasing_company()
    entity["company"].update(metafields)
    return order_node(purchasingEntity=entity)


def test_company_metafields_are_read_from_their_aliases_in_configuration_order() -> None:
    order = mapped(a_company_order(m0={"value": " ACC-1 "}, m1={"value": "Net 60"}))

    assert order.company is not None
    assert order.company.metafields == (("erp.account_number", "ACC-1"), ("erp.credit_term", "Net 60"))


def test_a_metafield_not_set_or_blank_is_left_out() -> None:
    order = mapped(a_company_order(m0=None, m1={"value": "  "}))

    assert order.company is not None
    assert order.company.metafields == ()


def test_customer_metafields_are_read_on_the_customer() -> None:
    node = order_node()
    node["customer"]["m0"] = {"value": "C-7"}

    customer = mapped(node).customer

    assert customer is not None
    assert customer.metafields == (("erp.account_number", "C-7"),)


def test_an_over_long_metafield_parks_naming_the_metafield_never_the_value() -> None:
    with pytest.raises(StructuralError) as raised:
        mapped(a_company_order(m0={"value": "X" * 256}))

    assert raised.value.cause is Cause.INVALID_CUSTOMER_DATA
    assert "purchasingEntity.company metafield erp.account_number" in raised.value.detail
    assert "XXX" not in raised.value.detail


def test_without_configured_metafields_nothing_is_read() -> None:
    node = a_company_order(m0={"value": "ACC-1"})

    order = map_order(SHOP, node)

    assert order.company is not None
    assert order.company.metafields == ()
