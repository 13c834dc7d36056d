"""The BackOffice contract for buyers: FakeBackOffice and TrytonBackOffice (on a real trytond) hold the same
B2B companies, guests, addresses, payment terms and PO numbers (see trueup.domain.buyers for the rules)."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from tests.contract.back_office_harness import BackOfficeHarness, SaleView
from tests.contract.test_back_office_contract import a_customer, a_line, a_request, an_address
from tests.support.tryton import unique
from trueup.adapters.tryton.parties import party_code
from trueup.domain.buyers import GUEST_PARTY_CODE, company_party_code, shared_guest
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.orders import Address, Customer
from trueup.domain.party_fields import PartyFieldValue, parse_source, parse_target
from trueup.domain.sales import SalesOrderRequest


# --- factories -------------------------------------------------------------------------------------
def a_company() -> Customer:
    """The buyer of a B2B order as trueup.domain.buyers makes it: the company, with no e-mail."""
    gid = f"gid://shopify/Company/{uuid.uuid4().int % 10**12}"
    return Customer(shopify_id=gid, email="", first_name="Acme BV", last_name="", erp_code=company_party_code(gid))


def an_order_for(erp: BackOfficeHarness, customer: Customer, **changes: object) -> SalesOrderRequest:
    sku = unique("SKU")
    erp.add_products({sku: "9.99"})
    return replace(a_request([a_line(sku, 1, "10.00", "VAT20")], customer), **changes)  # type: ignore[arg-type]


# --- the contract ----------------------------------------------------------------------------------
def test_a_company_ordering_twice_is_one_party_with_the_company_code(erp: BackOfficeHarness) -> None:
    company = a_company()

    for _ in range(2):
        request = an_order_for(erp, company)
        erp.back_office.create_sales_order(request)

    assert erp.parties_with_code(party_code(company)) == 1
    assert erp.sale_view(request.reference).party_code == party_code(company)
    assert party_code(company).startswith("SHOPIFY-COMPANY-")


def test_a_company_order_is_not_posted_to_the_contact_person_who_placed_it(erp: BackOfficeHarness) -> None:
    contact = a_customer()
    company = a_company()
    retail = an_order_for(erp, contact)
    b2b = an_order_for(erp, company)

    erp.back_office.create_sales_order(retail)
    erp.back_office.create_sales_order(b2b)

    assert erp.sale_view(retail.reference).party_code == party_code(contact)
    assert erp.sale_view(b2b.reference).party_code == party_code(company)
    assert erp.parties_with_code(party_code(contact)) == 1


def test_the_payment_term_and_the_note_are_on_the_sale(erp: BackOfficeHarness) -> None:
    note = "PO number: PO-778\nCompany location: Acme HQ"
    request = an_order_for(erp, a_company(), payment_term="Net 30", po_number="PO-778", note=note)

    erp.back_office.create_sales_order(request)

    assert erp.sale_view(request.reference) == SaleView(party_code(request.customer), "Net 30", note)


def test_without_a_note_the_po_number_still_reaches_the_sale(erp: BackOfficeHarness) -> None:
    request = an_order_for(erp, a_company(), po_number="PO-9")

    erp.back_office.create_sales_order(request)

    assert erp.sale_view(request.reference).comment == "PO number: PO-9"


def test_a_payment_term_the_erp_lacks_parks_the_order_and_creates_nothing(erp: BackOfficeHarness) -> None:
    company = a_company()
    request = an_order_for(erp, company, payment_term="Net 45 (no such term)")

    with pytest.raises(StructuralError) as raised:
        erp.back_office.create_sales_order(request)

    assert raised.value.cause is Cause.UNMAPPED_PAYMENT_TERM
    assert erp.back_office.find_sales_order(request.reference) is None
    assert erp.parties_with_code(party_code(company)) == 0


def test_guests_under_the_shared_rule_are_one_party(erp: BackOfficeHarness) -> None:
    for _ in range(2):
        erp.back_office.create_sales_order(an_order_for(erp, shared_guest()))

    assert erp.parties_with_code(GUEST_PARTY_CODE) == 1


def test_an_address_used_again_is_reused_and_a_new_one_added(erp: BackOfficeHarness) -> None:
    customer = a_customer()
    code = party_code(customer)
    elsewhere = Address("Ada Buyer", "3 quai Perrache", "", "Lyon", "69002", "FR")

    erp.back_office.create_sales_order(an_order_for(erp, customer))
    before = erp.addresses_of(code)
    erp.back_office.create_sales_order(an_order_for(erp, customer))
    again = erp.addresses_of(code)
    erp.back_office.create_sales_order(an_order_for(erp, customer, shipment_address=elsewhere))

    assert (before, again, erp.addresses_of(code)) == (1, 1, 2)


def test_an_address_in_a_country_the_erp_lacks_is_invalid_customer_data_naming_the_field(
    erp: BackOfficeHarness,
) -> None:
    customer = a_customer()
    nowhere = replace(an_address(), country_code="ZZ")
    request = an_order_for(erp, customer, shipment_address=nowhere)

    with pytest.raises(StructuralError) as raised:
        erp.back_office.create_sales_order(request)

    assert raised.value.cause is Cause.INVALID_CUSTOMER_DATA
    assert "country_code" in raised.value.detail
    assert "ZZ" not in raised.value.detail
    assert erp.back_office.find_sales_order(request.reference) is None
    assert erp.parties_with_code(party_code(customer)) == 0


# --- fields from Shopify metafields -----------------------------------------------------------------
def from_metafield(source: str, target: str, value: str) -> PartyFieldValue:
    return PartyFieldValue(parse_target(target), value, parse_source(source))


def account(value: str) -> PartyFieldValue:
    return from_metafield("company.erp.account_number", "party.identifier", value)


def credit_term(value: str) -> PartyFieldValue:
    return from_metafield("company.erp.credit_term", "party.customer_payment_term", value)


def test_metafield_values_are_set_on_the_party_it_creates(erp: BackOfficeHarness) -> None:
    company = a_company()

    erp.back_office.create_sales_order(
        an_order_for(erp, company, party_fields=(account("ACC-00042"), credit_term("Net 60")))
    )

    assert erp.party_fields_of(party_code(company)) == {
        "party.identifier": "ACC-00042",
        "party.customer_payment_term": "Net 60",
    }


def test_metafield_values_that_changed_are_updated_on_the_existing_party(erp: BackOfficeHarness) -> None:
    customer = a_customer()
    erp.back_office.create_sales_order(an_order_for(erp, customer))  # a party with no such fields yet
    erp.back_office.create_sales_order(
        an_order_for(erp, customer, party_fields=(account("ACC-1"), credit_term("Net 15")))
    )

    erp.back_office.create_sales_order(
        an_order_for(erp, customer, party_fields=(account("ACC-2"), credit_term("Net 30")))
    )

    assert erp.party_fields_of(party_code(customer)) == {
        "party.identifier": "ACC-2",
        "party.customer_payment_term": "Net 30",
    }
    assert erp.parties_with_code(party_code(customer)) == 1


def test_without_shopify_terms_the_sale_takes_the_credit_term_from_the_metafield(erp: BackOfficeHarness) -> None:
    with_terms = an_order_for(erp, a_company(), payment_term="Net 30", party_fields=(credit_term("Net 60"),))
    without = an_order_for(erp, a_company(), party_fields=(credit_term("Net 60"),))

    for request in (with_terms, without):
        erp.back_office.create_sales_order(request)

    assert erp.sale_view(with_terms.reference).payment_term == "Net 30"
    assert erp.sale_view(without.reference).payment_term == "Net 60"


def test_a_credit_term_the_erp_lacks_is_invalid_customer_data_naming_the_metafield(erp: BackOfficeHarness) -> None:
    company = a_company()
    request = an_order_for(erp, company, party_fields=(account("ACC-9"), credit_term("Net 45 (no such term)")))

    with pytest.raises(StructuralError) as raised:
        erp.back_office.create_sales_order(request)

    assert raised.value.cause is Cause.INVALID_CUSTOMER_DATA
    assert "company metafield erp.credit_term" in raised.value.detail
    assert erp.back_office.find_sales_order(request.reference) is None
    assert erp.parties_with_code(party_code(company)) == 0


# --- customers in a batch (create_sales_orders): as if posted one after the other ---------------------
def test_a_new_customer_ordering_twice_in_one_batch_is_one_party(erp: BackOfficeHarness) -> None:
    customer = a_customer()
    elsewhere = Address("Ada Buyer", "3 quai Perrache", "", "Lyon", "69002", "FR")
    first = an_order_for(erp, customer)
    second = an_order_for(erp, customer, shipment_address=elsewhere)
    third = an_order_for(erp, customer)

    results = erp.back_office.create_sales_orders([first, second, third])

    assert [isinstance(result, StructuralError) for result in results] == [False, False, False]
    assert erp.parties_of(customer) == 1
    assert {erp.sale_view(r.reference).party_code for r in (first, second, third)} == {party_code(customer)}
    assert erp.addresses_of(party_code(customer)) == 2


def test_a_batch_of_known_and_new_customers_reuses_the_known_parties_and_addresses(erp: BackOfficeHarness) -> None:
    known, new = a_customer(), a_customer()
    erp.back_office.create_sales_order(an_order_for(erp, known))
    batch = [an_order_for(erp, known), an_order_for(erp, new), an_order_for(erp, known), an_order_for(erp, new)]

    results = erp.back_office.create_sales_orders(batch)

    assert [isinstance(result, StructuralError) for result in results] == [False] * 4
    assert (erp.parties_of(known), erp.parties_of(new)) == (1, 1)
    assert (erp.addresses_of(party_code(known)), erp.addresses_of(party_code(new))) == (1, 1)
    assert [erp.sale_view(r.reference).party_code for r in batch] == [party_code(c) for c in (known, new) * 2]


def test_guests_and_a_company_in_one_batch_each_go_to_their_party(erp: BackOfficeHarness) -> None:
    guest, company = a_customer(shopify=False), a_company()
    batch = [
        an_order_for(erp, guest),
        an_order_for(erp, company, payment_term="Net 30"),
        an_order_for(erp, shared_guest()),
        an_order_for(erp, guest),
        an_order_for(erp, company),
        an_order_for(erp, shared_guest()),
    ]

    results = erp.back_office.create_sales_orders(batch)

    assert [isinstance(result, StructuralError) for result in results] == [False] * 6
    assert erp.parties_of(guest) == 1
    assert party_code(guest).startswith("EMAIL-")
    assert erp.parties_with_code(party_code(company)) == 1
    assert erp.parties_with_code(GUEST_PARTY_CODE) == 1
    codes = [party_code(guest), party_code(company), GUEST_PARTY_CODE] * 2
    assert [erp.sale_view(r.reference).party_code for r in batch] == codes
    assert erp.sale_view(batch[1].reference).payment_term == "Net 30"


def test_a_new_company_ordering_again_in_one_batch_ends_with_the_last_orders_fields(erp: BackOfficeHarness) -> None:
    twice, thrice = a_company(), a_company()
    first, then = (account("ACC-1"), credit_term("Net 15")), (account("ACC-2"), credit_term("Net 30"))
    batch = [
        an_order_for(erp, twice, party_fields=first),
        an_order_for(erp, thrice, party_fields=first),
        an_order_for(erp, twice, party_fields=then),
        an_order_for(erp, thrice, party_fields=then),
        an_order_for(erp, thrice, party_fields=first),
    ]

    results = erp.back_office.create_sales_orders(batch)

    assert [isinstance(result, StructuralError) for result in results] == [False] * 5
    assert (erp.parties_with_code(party_code(twice)), erp.parties_with_code(party_code(thrice))) == (1, 1)
    assert erp.party_fields_of(party_code(twice)) == {
        "party.identifier": "ACC-2",
        "party.customer_payment_term": "Net 30",
    }
    assert erp.party_fields_of(party_code(thrice)) == {
        "party.identifier": "ACC-1",
        "party.customer_payment_term": "Net 15",
    }


def test_a_customer_the_checks_refuse_in_a_batch_spoils_only_its_own_order(erp: BackOfficeHarness) -> None:
    good, refused = a_company(), a_company()
    batch = [
        an_order_for(erp, good, party_fields=(account("ACC-7"),)),
        an_order_for(erp, refused, party_fields=(credit_term("Net 45 (no such term)"),)),
        an_order_for(erp, good),
    ]

    first, second, third = erp.back_office.create_sales_orders(batch)

    assert not isinstance(first, StructuralError)
    assert not isinstance(third, StructuralError)
    assert isinstance(second, StructuralError)
    assert second.cause is Cause.INVALID_CUSTOMER_DATA
    assert erp.parties_with_code(party_code(good)) == 1
    assert erp.parties_with_code(party_code(refused)) == 0
