"""Customer and company metafields named in configuration, served by the Shopify sandbox, read with the order
by trueup's client and set on the party in the real Tryton: an account number as an identifier, a credit term
as the customer payment term; a value Tryton cannot take parks the order naming the metafield."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.sandbox import RunningSandbox, running_sandbox, sandbox_available, small_shop_spec
from tests.support.tryton import catalogue_item, seed_catalogue
from trueup.adapters.shopify.admin import ShopifyAdminClient
from trueup.adapters.tryton.back_office import TrytonBackOffice
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.orders import ShopifyOrder
from trueup.domain.party_fields import parse_mappings
from trueup.domain.posting import PostingPolicy, build_sales_order

pytestmark = [
    pytest.mark.tryton,
    pytest.mark.skipif(not sandbox_available(), reason="the Shopify sandbox is not installed"),
]

MAPPINGS = parse_mappings(
    {
        "company.erp.account_number": "party.identifier",
        "company.erp.credit_term": "party.customer_payment_term",
        "company.erp.vat_number": "party.identifier:eu_vat",
        "customer.erp.account_number": "party.identifier",
    }
)
POLICY = PostingPolicy(payment_terms={"Net 30": "Net 30"}, warehouse="WH1", party_metafields=MAPPINGS)
LOCATIONS = "query { companyLocations(first: 10) { nodes { id company { name } } } }"
CUSTOMERS = "query { customers(first: 10) { nodes { id email } } }"


def metafields_shop_spec() -> Any:
    from shopify_sandbox.spec import CompanyLocationSpec, CompanySpec, CustomerSpec, MetafieldSpec

    def company(name: str, *metafields: MetafieldSpec) -> CompanySpec:
        handle = name.split()[0].lower()
        location = CompanyLocationSpec(f"{name} HQ", "7 Dock St", "Rotterdam", "3011", "NL")
        return CompanySpec(name, handle.upper(), f"buyer@{handle}.test", (location,), metafields=metafields)

    companies = (
        # First, so that the companies below get ids no other test's company (and ERP party) has.
        company("Filler BV"),
        company(
            "Globex BV",
            MetafieldSpec("erp", "account_number", "ACC-00042"),
            MetafieldSpec("erp", "credit_term", "Net 60"),
        ),
        company("Umbrella BV", MetafieldSpec("erp", "credit_term", "Net 45")),  # a term Tryton lacks
        company("Hooli BV", MetafieldSpec("erp", "vat_number", "NL-not-a-VAT-number")),
    )
    ada = CustomerSpec(
        "Ada",
        "Metafield",
        "ada@metafields.test",
        None,
        "1 Canal St",
        "Delft",
        "2611",
        "NL",
        metafields=(MetafieldSpec("erp", "account_number", "C-00007"),),
    )
    return dataclasses.replace(small_shop_spec(), companies=companies, customers=(ada,))


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with running_sandbox(shop_spec=metafields_shop_spec()) as running:
        yield running


@pytest.fixture
def tryton(tryton_client: TrytonClient) -> TrytonClient:
    seed_catalogue(tryton_client, [catalogue_item("TEE-M", "19.99")])
    return tryton_client


def fetched(sandbox: RunningSandbox, order_id: str) -> ShopifyOrder:
    sources = [mapping.source for mapping in MAPPINGS]
    client = ShopifyAdminClient(sandbox.shop, sandbox.token, base_url=sandbox.url, metafields=sources)
    try:
        order = client.fetch_order(order_id)
    finally:
        client.close()
    assert order is not None
    return dataclasses.replace(order, shop=f"metafields-{uuid.uuid4().hex[:10]}.myshopify.com")


def company_order(sandbox: RunningSandbox, company: str) -> ShopifyOrder:
    locations = sandbox.graphql(LOCATIONS)["data"]["companyLocations"]["nodes"]
    location = next(node["id"] for node in locations if node["company"]["name"] == company)
    return fetched(sandbox, sandbox.place_order([("TEE-M", 1)], companyLocationId=location))


def party_fields(client: TrytonClient, party_id: int) -> dict[str, Any]:
    (party,) = client.call("party.party", "read", [party_id], ["customer_payment_term"])
    rows = client.call("party.identifier", "search_read", [("party", "=", party_id)], 0, None, None, ["type", "code"])
    term = None
    if party["customer_payment_term"] is not None:
        (row,) = client.call("account.invoice.payment_term", "read", [party["customer_payment_term"]], ["name"])
        term = row["name"]
    return {"identifiers": {(row["type"], row["code"]) for row in rows}, "term": term}


def party_of_sale(client: TrytonClient, reference: str) -> int:
    (sale,) = client.call("sale.sale", "search_read", [("reference", "=", reference)], 0, 1, None, ["party"])
    return int(sale["party"])


def test_a_company_account_number_and_credit_term_reach_the_company_party(
    sandbox: RunningSandbox, tryton: TrytonClient
) -> None:
    order = company_order(sandbox, "Globex BV")
    assert order.company is not None
    assert dict(order.company.metafields) == {"erp.account_number": "ACC-00042", "erp.credit_term": "Net 60"}

    posted = TrytonBackOffice(tryton).create_sales_order(build_sales_order(order, POLICY))

    fields = party_fields(tryton, party_of_sale(tryton, posted.reference))
    assert fields == {"identifiers": {(None, "ACC-00042")}, "term": "Net 60"}
    assert posted.total == order.total_price


def test_a_customer_account_number_reaches_the_customer_party(sandbox: RunningSandbox, tryton: TrytonClient) -> None:
    customers = sandbox.graphql(CUSTOMERS)["data"]["customers"]["nodes"]
    ada = next(node["id"] for node in customers if node["email"] == "ada@metafields.test")
    order = fetched(sandbox, sandbox.place_order([("TEE-M", 1)], customer={"toAssociate": {"id": ada}}))

    posted = TrytonBackOffice(tryton).create_sales_order(build_sales_order(order, POLICY))

    assert (None, "C-00007") in party_fields(tryton, party_of_sale(tryton, posted.reference))["identifiers"]


def test_a_credit_term_tryton_lacks_parks_the_order_naming_the_metafield(
    sandbox: RunningSandbox, tryton: TrytonClient
) -> None:
    order = company_order(sandbox, "Umbrella BV")
    request = build_sales_order(order, POLICY)

    with pytest.raises(StructuralError) as raised:
        TrytonBackOffice(tryton).create_sales_order(request)

    assert raised.value.cause is Cause.INVALID_CUSTOMER_DATA
    assert "company metafield erp.credit_term" in raised.value.detail
    assert TrytonBackOffice(tryton).find_sales_order(request.reference) is None


def test_an_identifier_tryton_finds_invalid_parks_the_order_naming_the_metafield(
    sandbox: RunningSandbox, tryton: TrytonClient
) -> None:
    order = company_order(sandbox, "Hooli BV")
    request = build_sales_order(order, POLICY)

    with pytest.raises(StructuralError) as raised:
        TrytonBackOffice(tryton).create_sales_order(request)

    assert raised.value.cause is Cause.INVALID_CUSTOMER_DATA
    assert "company metafield erp.vat_number (party.identifier:eu_vat)" in raised.value.detail
    assert "not-a-VAT" not in raised.value.detail  # named, never shown
    assert TrytonBackOffice(tryton).find_sales_order(request.reference) is None
