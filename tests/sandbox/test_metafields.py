"""Customer and company metafields, read the way Shopify serves them: by namespace and key, or as a page."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from shopify_sandbox.spec import MetafieldSpec
from shopify_sandbox.trading.catalogue import generate_shop
from tests.sandbox.factories import ORDER_CREATE, SandboxClient, sandbox_config, shop_spec

ACCOUNT = MetafieldSpec("erp", "account_number", "ACC-00042")
TERM = MetafieldSpec("erp", "credit_term", "Net 30")


def client_with_metafields() -> SandboxClient:
    spec = shop_spec()
    customers = (replace(spec.customers[0], metafields=(MetafieldSpec("erp", "account_number", "C-7"),)),)
    companies = (replace(spec.companies[0], metafields=(ACCOUNT, TERM)),)
    return SandboxClient(sandbox_config(shop_spec=replace(spec, customers=customers, companies=companies)))


COMPANY_METAFIELDS = """{ companies(first: 1) { nodes {
  account: metafield(namespace: "erp", key: "account_number") { namespace key value type ownerType }
  missing: metafield(namespace: "erp", key: "no_such_key") { value }
  appReserved: metafield(key: "account_number") { value }
  erp: metafields(first: 10, namespace: "erp") { nodes { key value } }
  byKey: metafields(first: 10, keys: ["erp.credit_term"]) { nodes { key value } }
  firstOnly: metafields(first: 1) { nodes { key } pageInfo { hasNextPage } }
} } }"""


def test_a_company_metafield_is_served_by_namespace_and_key() -> None:
    company = client_with_metafields().graphql(COMPANY_METAFIELDS)["data"]["companies"]["nodes"][0]

    assert company["account"] == {
        "namespace": "erp",
        "key": "account_number",
        "value": "ACC-00042",
        "type": "single_line_text_field",
        "ownerType": "COMPANY",
    }
    assert company["missing"] is None
    assert company["appReserved"] is None  # no namespace: the app's own, where nothing is set


def test_company_metafields_are_a_page_filtered_by_namespace_or_full_key() -> None:
    company = client_with_metafields().graphql(COMPANY_METAFIELDS)["data"]["companies"]["nodes"][0]

    assert company["erp"]["nodes"] == [
        {"key": "account_number", "value": "ACC-00042"},
        {"key": "credit_term", "value": "Net 30"},
    ]
    assert company["byKey"]["nodes"] == [{"key": "credit_term", "value": "Net 30"}]
    assert company["firstOnly"] == {"nodes": [{"key": "account_number"}], "pageInfo": {"hasNextPage": True}}


def test_an_order_reads_its_customer_and_company_metafields() -> None:
    client = client_with_metafields()
    query = """query($id: ID!) { order(id: $id) {
      customer { m0: metafield(namespace: "erp", key: "account_number") { value } }
      purchasingEntity { ... on PurchasingCompany { company {
        m0: metafield(namespace: "erp", key: "account_number") { value }
        m1: metafield(namespace: "erp", key: "credit_term") { value } } } } } }"""
    retail = place(client, {"customer": {"toAssociate": {"id": client.state.all("Customer")[0].id}}})
    b2b = place(client, {"companyLocationId": client.state.all("CompanyLocation")[0].id})

    retail_customer = client.graphql(query, {"id": retail})["data"]["order"]["customer"]
    company = client.graphql(query, {"id": b2b})["data"]["order"]["purchasingEntity"]["company"]

    assert retail_customer == {"m0": {"value": "C-7"}}
    assert company == {"m0": {"value": "ACC-00042"}, "m1": {"value": "Net 30"}}


def test_a_customer_without_metafields_has_an_empty_page() -> None:
    answer = SandboxClient().graphql("{ customers(first: 1) { nodes { metafields(first: 5) { nodes { key } } } } }")

    assert answer["data"]["customers"]["nodes"][0]["metafields"]["nodes"] == []


def test_the_trading_shop_gives_every_company_and_some_customers_an_erp_account_number() -> None:
    spec = generate_shop(seed=7)

    company_accounts = [c.metafields[0].value for c in spec.companies]
    customer_accounts = [c.metafields for c in spec.customers if c.metafields]

    assert company_accounts
    assert all(value.startswith("ACC-") for value in company_accounts)
    assert 0 < len(customer_accounts) < len(spec.customers)


def place(client: SandboxClient, order: dict[str, Any]) -> str:
    order["lineItems"] = [{"variantId": client.variant_id("TOTE"), "quantity": 1}]
    answer = client.graphql(ORDER_CREATE, {"order": order})
    assert answer["data"]["orderCreate"]["userErrors"] == [], answer
    return str(answer["data"]["orderCreate"]["order"]["id"])
