"""B2B, guest and foreign-currency orders from the Shopify sandbox, read by trueup's client, posted to the real
Tryton: the company's party, its payment terms, the PO number and the presentment amounts reach the sale."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from tests.support.sandbox import RunningSandbox, running_sandbox, sandbox_available, small_shop_spec
from tests.support.tryton import catalogue_item, seed_catalogue
from trueup.adapters.shopify.admin import ShopifyAdminClient
from trueup.adapters.tryton.back_office import TrytonBackOffice
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.domain.buyers import GUEST_PARTY_CODE, GuestRule
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.orders import ShopifyOrder
from trueup.domain.posting import PostingPolicy, build_sales_order

pytestmark = [
    pytest.mark.tryton,
    pytest.mark.skipif(not sandbox_available(), reason="the Shopify sandbox is not installed"),
]

COMPANY_LOCATIONS = "query { companyLocations(first: 5) { nodes { id name } } }"
POLICY = PostingPolicy(payment_terms={"Net 30": "Net 30"}, warehouse="WH1")


def b2b_shop_spec() -> Any:
    from shopify_sandbox.spec import CompanyLocationSpec, CompanySpec

    acme = CompanySpec(
        "Acme BV", "ACME-1", "buyer@acme.test", (CompanyLocationSpec("Acme HQ", "5 Main St", "Delft", "2611", "NL"),)
    )
    return dataclasses.replace(small_shop_spec(), companies=(acme,), presentment_rates={"USD": Decimal("1.1")})


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with running_sandbox(shop_spec=b2b_shop_spec()) as running:
        yield running


@pytest.fixture
def tryton(tryton_client: TrytonClient) -> TrytonClient:
    seed_catalogue(tryton_client, [catalogue_item("TEE-M", "19.99")])
    return tryton_client


def fetched(sandbox: RunningSandbox, order_id: str) -> ShopifyOrder:
    client = ShopifyAdminClient(sandbox.shop, sandbox.token, base_url=sandbox.url)
    try:
        order = client.fetch_order(order_id)
    finally:
        client.close()
    assert order is not None
    # A shop name of its own, so that these sales never meet another test's in the session's database.
    return dataclasses.replace(order, shop=f"b2b-{uuid.uuid4().hex[:10]}.myshopify.com")


def place_company_order(sandbox: RunningSandbox, **fields: Any) -> str:
    location = sandbox.graphql(COMPANY_LOCATIONS)["data"]["companyLocations"]["nodes"][0]["id"]
    return sandbox.place_order([("TEE-M", 2)], companyLocationId=location, **fields)


def sale_of(client: TrytonClient, reference: str) -> dict[str, Any]:
    fields = ["party", "payment_term", "comment", "invoice_address", "shipment_address"]
    (sale,) = client.call("sale.sale", "search_read", [("reference", "=", reference)], 0, 1, None, fields)
    (party,) = client.call("party.party", "read", [sale["party"]], ["code", "name"])
    (term,) = client.call("account.invoice.payment_term", "read", [sale["payment_term"]], ["name"])
    streets = client.call("party.address", "read", [sale["invoice_address"], sale["shipment_address"]], ["street"])
    by_id = {row["id"]: row["street"] for row in streets}
    return {
        **sale,
        "party_code": party["code"],
        "party_name": party["name"],
        "term": term["name"],
        "invoice_street": by_id[sale["invoice_address"]],
        "shipment_street": by_id[sale["shipment_address"]],
    }


def test_a_company_order_posts_to_the_company_with_its_terms_and_po_number(
    sandbox: RunningSandbox, tryton: TrytonClient
) -> None:
    order = fetched(sandbox, place_company_order(sandbox, poNumber="PO-778"))
    assert order.company is not None
    assert order.payment_terms == "Net 30"

    request = build_sales_order(order, POLICY)
    posted = TrytonBackOffice(tryton).create_sales_order(request)

    sale = sale_of(tryton, posted.reference)
    assert (sale["party_code"], sale["party_name"]) == (f"SHOPIFY-COMPANY-{order.company.numeric_id}", "Acme BV")
    assert sale["term"] == "Net 30"
    assert sale["comment"].splitlines()[0] == "PO number: PO-778"
    # Invoiced at the company location's billing address, shipped where the order says.
    assert (sale["invoice_street"], sale["shipment_street"]) == ("5 Main St", "1 Compiler Lane")
    assert posted.total == order.total_price


def test_two_orders_of_one_company_share_its_party(sandbox: RunningSandbox, tryton: TrytonClient) -> None:
    back_office = TrytonBackOffice(tryton)
    orders = [fetched(sandbox, place_company_order(sandbox)) for _ in range(2)]
    for order in orders:
        back_office.create_sales_order(build_sales_order(order, POLICY))

    assert orders[0].company is not None
    code = f"SHOPIFY-COMPANY-{orders[0].company.numeric_id}"
    assert tryton.call("party.party", "search_count", [("code", "=", code)]) == 1
    # Its billing and delivery addresses, each once, however many orders it places.
    assert tryton.call("party.address", "search_count", [("party.code", "=", code)]) == 2


def test_company_terms_without_a_mapping_are_parked_before_anything_is_posted(sandbox: RunningSandbox) -> None:
    order = fetched(sandbox, place_company_order(sandbox))

    with pytest.raises(StructuralError) as raised:
        build_sales_order(order, PostingPolicy(warehouse="WH1"))

    assert raised.value.cause is Cause.UNMAPPED_PAYMENT_TERM


def test_an_order_paid_in_another_currency_posts_in_the_shop_currency_and_keeps_what_was_charged(
    sandbox: RunningSandbox, tryton: TrytonClient
) -> None:
    order = fetched(sandbox, sandbox.place_order([("TEE-M", 1)], presentmentCurrency="USD"))
    assert order.presentment_total is not None
    assert order.presentment_total.currency == "USD"

    posted = TrytonBackOffice(tryton).create_sales_order(build_sales_order(order, POLICY))

    sale = sale_of(tryton, posted.reference)
    assert posted.total == order.total_price  # in EUR, the shop currency
    assert f"Charged in USD: total {order.presentment_total.amount}" in sale["comment"]


def test_a_guest_checkout_follows_the_shared_guest_rule(sandbox: RunningSandbox, tryton: TrytonClient) -> None:
    order = fetched(sandbox, sandbox.place_order([("TEE-M", 1)], email="walk-in@example.com"))
    assert order.customer is not None
    assert order.customer.shopify_id is None  # no customer account: a guest

    request = build_sales_order(order, dataclasses.replace(POLICY, guest_rule=GuestRule.SHARED))
    posted = TrytonBackOffice(tryton).create_sales_order(request)

    assert sale_of(tryton, posted.reference)["party_code"] == GUEST_PARTY_CODE
