"""Which metafields fill which ERP party fields, and which party gets them: the company's or the customer's."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from tests.factories import a_customer, an_order
from trueup.domain.orders import Company
from trueup.domain.party_fields import (
    MetafieldOwner,
    PartyField,
    PartyTarget,
    parse_mappings,
    parse_source,
    parse_target,
    party_field_values,
    sources,
)
from trueup.domain.posting import PostingPolicy, build_sales_order

MAPPINGS = parse_mappings(
    {
        "company.erp.account_number": "party.identifier",
        "company.erp.credit_term": "party.customer_payment_term",
        "customer.erp.account_number": "party.identifier",
    }
)
ACME = Company(
    "gid://shopify/Company/4",
    "Acme BV",
    "gid://shopify/CompanyLocation/5",
    metafields=(("erp.account_number", "ACC-1"), ("erp.credit_term", "Net 60")),
)
CUSTOMER = replace(a_customer(), metafields=(("erp.account_number", "C-7"),))


def test_a_source_names_its_owner_namespace_and_key() -> None:
    source = parse_source("company.erp.account_number")

    assert (source.owner, source.namespace, source.key, source.name) == (
        MetafieldOwner.COMPANY,
        "erp",
        "account_number",
        "erp.account_number",
    )
    assert str(source) == "company metafield erp.account_number"


def test_an_identifier_target_may_name_its_erp_type() -> None:
    assert parse_target("party.identifier:eu_vat") == PartyTarget(PartyField.IDENTIFIER, "eu_vat")
    assert parse_target("party.customer_payment_term") == PartyTarget(PartyField.CUSTOMER_PAYMENT_TERM)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"order.erp.account_number": "party.identifier"}, "<customer|company>.<namespace>.<key>"),
        ({'company.erp.x"y': "party.identifier"}, "<customer|company>.<namespace>.<key>"),
        ({"company.erp.account_number": "party.code"}, "not an ERP party field"),
        ({"company.erp.credit_term": "party.customer_payment_term:x"}, "only party.identifier takes a type"),
        (
            {"company.erp.a1": "party.identifier", "company.erp.a2": "party.identifier"},
            "filled by two company metafields",
        ),
    ],
)
def test_a_mapping_in_error_says_what_is_wrong(raw: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_mappings(raw)


def test_sources_are_split_by_owner_in_configuration_order() -> None:
    assert [s.name for s in sources(MAPPINGS, MetafieldOwner.COMPANY)] == ["erp.account_number", "erp.credit_term"]
    assert [s.name for s in sources(MAPPINGS, MetafieldOwner.CUSTOMER)] == ["erp.account_number"]


def test_a_company_order_takes_the_company_metafields_not_the_contact_ones() -> None:
    order = an_order(company=ACME, customer=CUSTOMER)

    values = party_field_values(order, MAPPINGS, own_party=True)

    assert [(str(v.target), v.value, str(v.source)) for v in values] == [
        ("party.identifier", "ACC-1", "company metafield erp.account_number"),
        ("party.customer_payment_term", "Net 60", "company metafield erp.credit_term"),
    ]


def test_a_customer_order_takes_the_customer_metafields() -> None:
    values = party_field_values(an_order(customer=CUSTOMER), MAPPINGS, own_party=True)

    assert [(str(v.target), v.value) for v in values] == [("party.identifier", "C-7")]


def test_a_shared_party_gets_no_metafields_and_unset_ones_are_left_out() -> None:
    assert party_field_values(an_order(customer=CUSTOMER), MAPPINGS, own_party=False) == ()
    assert party_field_values(an_order(customer=a_customer()), MAPPINGS, own_party=True) == ()


def test_the_sales_order_request_carries_the_party_fields() -> None:
    policy = PostingPolicy(taxes={"VAT 20": "VAT20"}, party_metafields=MAPPINGS)

    request = build_sales_order(an_order(customer=CUSTOMER), policy)

    assert [(str(v.target), v.value) for v in request.party_fields] == [("party.identifier", "C-7")]
