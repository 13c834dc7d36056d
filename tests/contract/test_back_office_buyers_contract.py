"""The BackOffice contract for buyers: FakeBackOffice and TrytonBackOffice (on a real trytond) hold the same
B2B companies, guests, addresses, payment terms and PO numbers (see trueup.domain.buyers for the rules)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import pytest

from tests.contract.test_back_office_contract import a_customer, a_line, a_request, add_products, an_address
from tests.fakes.back_office import FakeBackOffice
from tests.support.tryton import connect, tryton_server, tryton_template, unique  # noqa: F401
from trueup.adapters.tryton.back_office import TrytonBackOffice
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.adapters.tryton.parties import party_code
from trueup.domain.buyers import GUEST_PARTY_CODE, company_party_code, shared_guest
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.orders import Address, Customer
from trueup.domain.party_fields import PartyFieldValue, parse_source, parse_target
from trueup.domain.sales import SalesOrderRequest
from trueup.service_layer.ports import BackOffice


@dataclass(frozen=True)
class SaleView:
    """What a sale records about its buyer: the party's code, the payment term's name, the comment."""

    party_code: str
    payment_term: str | None
    comment: str | None


@dataclass
class Buyers:
    back_office: BackOffice
    add_products: Callable[[dict[str, str]], None]
    parties_with_code: Callable[[str], int]
    sale_view: Callable[[str], SaleView]  # by reference
    addresses_of: Callable[[str], int]  # party code → how many addresses the party holds
    party_fields_of: Callable[[str], dict[str, str]]  # party code → its fields from metafields, by target


def fake_buyers() -> Buyers:
    fake = FakeBackOffice()

    def with_code(code: str) -> list[int]:
        return [i for i, known in fake.parties.items() if party_code(known) == code]

    def view(reference: str) -> SaleView:
        record = fake.sale_records[reference]
        return SaleView(party_code(fake.parties[record.party_id]), record.payment_term, record.comment)

    return Buyers(
        back_office=fake,
        add_products=lambda prices: fake.add_products(*prices),
        parties_with_code=lambda code: len(with_code(code)),
        sale_view=view,
        addresses_of=lambda code: sum(len(fake.party_addresses.get(i, [])) for i in with_code(code)),
        party_fields_of=lambda code: fake.party_fields.get(with_code(code)[0], {}),
    )


def tryton_sale_view(client: TrytonClient, reference: str) -> SaleView:
    fields = ["party", "payment_term", "comment"]
    (sale,) = client.call("sale.sale", "search_read", [("reference", "=", reference)], 0, 1, None, fields)
    (party,) = client.call("party.party", "read", [sale["party"]], ["code"])
    term = None
    if sale["payment_term"] is not None:
        (row,) = client.call("account.invoice.payment_term", "read", [sale["payment_term"]], ["name"])
        term = row["name"]
    return SaleView(party["code"], term, sale["comment"])


def tryton_party_fields(client: TrytonClient, code: str) -> dict[str, str]:
    """The party's identifiers ("party.identifier[:type]" → code) and its customer payment term's name."""
    (party,) = client.call("party.party", "search_read", [("code", "=", code)], 0, 1, None, ["customer_payment_term"])
    rows = client.call(
        "party.identifier", "search_read", [("party", "=", party["id"])], 0, None, None, ["type", "code"]
    )
    fields = {("party.identifier:" + row["type"] if row["type"] else "party.identifier"): row["code"] for row in rows}
    if party["customer_payment_term"] is not None:
        (term,) = client.call("account.invoice.payment_term", "read", [party["customer_payment_term"]], ["name"])
        fields["party.customer_payment_term"] = term["name"]
    return fields


@pytest.fixture(params=["fake", pytest.param("tryton", marks=pytest.mark.tryton)])
def buyers(request: pytest.FixtureRequest) -> Iterator[Buyers]:
    if request.param == "fake":
        yield fake_buyers()
        return
    client = connect(request.getfixturevalue("tryton_server"))
    with client:
        yield Buyers(
            back_office=TrytonBackOffice(client),
            add_products=lambda prices: add_products(client, prices),
            parties_with_code=lambda code: int(client.call("party.party", "search_count", [("code", "=", code)])),
            sale_view=lambda reference: tryton_sale_view(client, reference),
            addresses_of=lambda code: int(client.call("party.address", "search_count", [("party.code", "=", code)])),
            party_fields_of=lambda code: tryton_party_fields(client, code),
        )


# --- factories -------------------------------------------------------------------------------------
def a_company() -> Customer:
    """The buyer of a B2B order as trueup.domain.buyers makes it: the company, with no e-mail."""
    gid = f"gid://shopify/Company/{uuid.uuid4().int % 10**12}"
    return Customer(shopify_id=gid, email="", first_name="Acme BV", last_name="", erp_code=company_party_code(gid))


def an_order_for(buyers: Buyers, customer: Customer, **changes: object) -> SalesOrderRequest:
    sku = unique("SKU")
    buyers.add_products({sku: "9.99"})
    return replace(a_request([a_line(sku, 1, "10.00", "VAT20")], customer), **changes)  # type: ignore[arg-type]


# --- the contract ----------------------------------------------------------------------------------
def test_a_company_ordering_twice_is_one_party_with_the_company_code(buyers: Buyers) -> None:
    company = a_company()

    for _ in range(2):
        request = an_order_for(buyers, company)
        buyers.back_office.create_sales_order(request)

    assert buyers.parties_with_code(party_code(company)) == 1
    assert buyers.sale_view(request.reference).party_code == party_code(company)
    assert party_code(company).startswith("SHOPIFY-COMPANY-")


def test_a_company_order_is_not_posted_to_the_contact_person_who_placed_it(buyers: Buyers) -> None:
    contact = a_customer()
    company = a_company()
    retail = an_order_for(buyers, contact)
    b2b = an_order_for(buyers, company)

    buyers.back_office.create_sales_order(retail)
    buyers.back_office.create_sales_order(b2b)

    assert buyers.sale_view(retail.reference).party_code == party_code(contact)
    assert buyers.sale_view(b2b.reference).party_code == party_code(company)
    assert buyers.parties_with_code(party_code(contact)) == 1


def test_the_payment_term_and_the_note_are_on_the_sale(buyers: Buyers) -> None:
    note = "PO number: PO-778\nCompany location: Acme HQ"
    request = an_order_for(buyers, a_company(), payment_term="Net 30", po_number="PO-778", note=note)

    buyers.back_office.create_sales_order(request)

    assert buyers.sale_view(request.reference) == SaleView(party_code(request.customer), "Net 30", note)


def test_without_a_note_the_po_number_still_reaches_the_sale(buyers: Buyers) -> None:
    request = an_order_for(buyers, a_company(), po_number="PO-9")

    buyers.back_office.create_sales_order(request)

    assert buyers.sale_view(request.reference).comment == "PO number: PO-9"


def test_a_payment_term_the_erp_lacks_parks_the_order_and_creates_nothing(buyers: Buyers) -> None:
    company = a_company()
    request = an_order_for(buyers, company, payment_term="Net 45 (no such term)")

    with pytest.raises(StructuralError) as raised:
        buyers.back_office.create_sales_order(request)

    assert raised.value.cause is Cause.UNMAPPED_PAYMENT_TERM
    assert buyers.back_office.find_sales_order(request.reference) is None
    assert buyers.parties_with_code(party_code(company)) == 0


def test_guests_under_the_shared_rule_are_one_party(buyers: Buyers) -> None:
    for _ in range(2):
        buyers.back_office.create_sales_order(an_order_for(buyers, shared_guest()))

    assert buyers.parties_with_code(GUEST_PARTY_CODE) == 1


def test_an_address_used_again_is_reused_and_a_new_one_added(buyers: Buyers) -> None:
    customer = a_customer()
    code = party_code(customer)
    elsewhere = Address("Ada Buyer", "3 quai Perrache", "", "Lyon", "69002", "FR")

    buyers.back_office.create_sales_order(an_order_for(buyers, customer))
    before = buyers.addresses_of(code)
    buyers.back_office.create_sales_order(an_order_for(buyers, customer))
    again = buyers.addresses_of(code)
    buyers.back_office.create_sales_order(an_order_for(buyers, customer, shipment_address=elsewhere))

    assert (before, again, buyers.addresses_of(code)) == (1, 1, 2)


def test_an_address_in_a_country_the_erp_lacks_is_invalid_customer_data_naming_the_field(buyers: Buyers) -> None:
    customer = a_customer()
    nowhere = replace(an_address(), country_code="ZZ")
    request = an_order_for(buyers, customer, shipment_address=nowhere)

    with pytest.raises(StructuralError) as raised:
        buyers.back_office.create_sales_order(request)

    assert raised.value.cause is Cause.INVALID_CUSTOMER_DATA
    assert "country_code" in raised.value.detail
    assert "ZZ" not in raised.value.detail
    assert buyers.back_office.find_sales_order(request.reference) is None
    assert buyers.parties_with_code(party_code(customer)) == 0


# --- fields from Shopify metafields -----------------------------------------------------------------
def from_metafield(source: str, target: str, value: str) -> PartyFieldValue:
    return PartyFieldValue(parse_target(target), value, parse_source(source))


def account(value: str) -> PartyFieldValue:
    return from_metafield("company.erp.account_number", "party.identifier", value)


def credit_term(value: str) -> PartyFieldValue:
    return from_metafield("company.erp.credit_term", "party.customer_payment_term", value)


def test_metafield_values_are_set_on_the_party_it_creates(buyers: Buyers) -> None:
    company = a_company()

    buyers.back_office.create_sales_order(
        an_order_for(buyers, company, party_fields=(account("ACC-00042"), credit_term("Net 60")))
    )

    assert buyers.party_fields_of(party_code(company)) == {
        "party.identifier": "ACC-00042",
        "party.customer_payment_term": "Net 60",
    }


def test_metafield_values_that_changed_are_updated_on_the_existing_party(buyers: Buyers) -> None:
    customer = a_customer()
    buyers.back_office.create_sales_order(an_order_for(buyers, customer))  # a party with no such fields yet
    buyers.back_office.create_sales_order(
        an_order_for(buyers, customer, party_fields=(account("ACC-1"), credit_term("Net 15")))
    )

    buyers.back_office.create_sales_order(
        an_order_for(buyers, customer, party_fields=(account("ACC-2"), credit_term("Net 30")))
    )

    assert buyers.party_fields_of(party_code(customer)) == {
        "party.identifier": "ACC-2",
        "party.customer_payment_term": "Net 30",
    }
    assert buyers.parties_with_code(party_code(customer)) == 1


def test_without_shopify_terms_the_sale_takes_the_credit_term_from_the_metafield(buyers: Buyers) -> None:
    with_terms = an_order_for(buyers, a_company(), payment_term="Net 30", party_fields=(credit_term("Net 60"),))
    without = an_order_for(buyers, a_company(), party_fields=(credit_term("Net 60"),))

    for request in (with_terms, without):
        buyers.back_office.create_sales_order(request)

    assert buyers.sale_view(with_terms.reference).payment_term == "Net 30"
    assert buyers.sale_view(without.reference).payment_term == "Net 60"


def test_a_credit_term_the_erp_lacks_is_invalid_customer_data_naming_the_metafield(buyers: Buyers) -> None:
    company = a_company()
    request = an_order_for(buyers, company, party_fields=(account("ACC-9"), credit_term("Net 45 (no such term)")))

    with pytest.raises(StructuralError) as raised:
        buyers.back_office.create_sales_order(request)

    assert raised.value.cause is Cause.INVALID_CUSTOMER_DATA
    assert "company metafield erp.credit_term" in raised.value.detail
    assert buyers.back_office.find_sales_order(request.reference) is None
    assert buyers.parties_with_code(party_code(company)) == 0
