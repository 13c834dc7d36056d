"""Who a sale is for: the company of a B2B order, the customer, or the guest rule; its terms and its note."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from tests.factories import a_customer, an_order
from trueup.domain.buyers import (
    GUEST_PARTY_CODE,
    GuestRule,
    company_party_code,
    erp_payment_term,
    sale_note,
    sales_addresses,
    sales_customer,
)
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.orders import Address, Company
from trueup.domain.posting import PostingPolicy, build_sales_order

HOME = Address("Ada Lovelace", "1 Analytical Row", "", "London", "N1 9GU", "GB")
BILLING = Address("Accounts payable", "5 Main St", "", "Delft", "2611", "NL", company="Acme BV")
DOCK = Address("Goods in", "7 Dock Rd", "", "Rotterdam", "3011", "NL", company="Acme BV")
ACME = Company("gid://shopify/Company/4", "Acme BV", "gid://shopify/CompanyLocation/5", "Acme HQ", "ACME-1", BILLING)
POLICY = PostingPolicy(taxes={"VAT 20": "VAT20"}, payment_terms={"Net 30": "Net 30", "Net 15": "Net 15 days"})


def a_company_order(**changes):  # type: ignore[no-untyped-def]
    fields = {"company": ACME, "payment_terms": "Net 30", "po_number": "PO-778", "shipping_address": DOCK}
    return an_order(**{**fields, **changes})


def test_a_company_order_posts_to_the_company_not_to_the_contact_who_placed_it() -> None:
    buyer = sales_customer(a_company_order())
    assert (buyer.erp_code, buyer.shopify_id, buyer.display_name) == ("SHOPIFY-COMPANY-4", ACME.shopify_id, "Acme BV")
    assert buyer.email == ""  # the contact's e-mail would make the contact's own orders match the company


def test_company_party_codes_never_collide_with_customer_codes() -> None:
    assert company_party_code("gid://shopify/Company/7") == "SHOPIFY-COMPANY-7"
    assert sales_customer(an_order(customer=a_customer(7))).erp_code is None


def test_a_company_is_invoiced_at_its_location_billing_address_and_ships_where_the_order_says() -> None:
    assert sales_addresses(a_company_order(billing_address=HOME)) == (BILLING, DOCK)


def test_a_company_location_without_addresses_uses_the_order_addresses() -> None:
    order = a_company_order(company=replace(ACME, billing_address=None), billing_address=HOME)
    assert sales_addresses(order) == (HOME, DOCK)


def test_the_location_shipping_address_serves_when_the_order_has_none() -> None:
    order = a_company_order(company=replace(ACME, shipping_address=DOCK), shipping_address=None)
    assert sales_addresses(order) == (BILLING, DOCK)


def test_a_customer_with_an_account_posts_to_that_customer() -> None:
    customer = a_customer(3)
    assert sales_customer(an_order(customer=customer), GuestRule.SHARED) == customer


def test_a_guest_posts_to_a_party_of_its_email_by_default() -> None:
    guest = replace(a_customer(), shopify_id=None, email="guest@example.com")
    assert sales_customer(an_order(customer=guest)) == guest


@pytest.mark.parametrize(
    ("rule", "email"),
    [(GuestRule.SHARED, "guest@example.com"), (GuestRule.BY_EMAIL, ""), (GuestRule.BY_EMAIL, "  ")],
)
def test_guests_share_one_party_under_the_shared_rule_or_without_an_email(rule: GuestRule, email: str) -> None:
    guest = replace(a_customer(), shopify_id=None, email=email)
    buyer = sales_customer(an_order(customer=guest), rule)
    assert (buyer.erp_code, buyer.email) == (GUEST_PARTY_CODE, "")


def test_an_order_with_no_buyer_at_all_is_parked_as_invalid_customer_data() -> None:
    with pytest.raises(StructuralError) as raised:
        sales_customer(an_order(customer=None))
    assert raised.value.cause is Cause.INVALID_CUSTOMER_DATA


def test_an_addressed_order_without_customer_goes_to_the_guest_party() -> None:
    assert sales_customer(an_order(customer=None, shipping_address=HOME)).erp_code == GUEST_PARTY_CODE


def test_shopify_payment_terms_map_to_the_configured_erp_term() -> None:
    assert erp_payment_term(a_company_order(payment_terms="Net 15"), POLICY.payment_terms) == "Net 15 days"
    assert erp_payment_term(an_order(), POLICY.payment_terms) is None


def test_unmapped_payment_terms_park_the_order_with_their_name() -> None:
    with pytest.raises(StructuralError) as raised:
        build_sales_order(a_company_order(payment_terms="Net 60"), POLICY)
    assert raised.value.cause is Cause.UNMAPPED_PAYMENT_TERM
    assert "'Net 60'" in raised.value.detail


def test_the_note_holds_the_po_number_and_the_company_location() -> None:
    assert sale_note(a_company_order()) == "PO number: PO-778\nCompany location: Acme HQ"
    assert sale_note(an_order()) is None


def test_the_note_keeps_what_was_charged_in_the_presentment_currency() -> None:
    order = an_order(
        presentment_currency="USD",
        presentment_total=Money(Decimal("26.40"), "USD"),
        presentment_tax=Money(Decimal("4.40"), "USD"),
    )
    assert sale_note(order) == "Charged in USD: total 26.40, tax 4.40 (posted in the shop currency EUR)"


def test_an_order_charged_in_the_shop_currency_needs_no_currency_note() -> None:
    order = an_order(presentment_currency="EUR", presentment_total=Money(Decimal("10.00"), "EUR"))
    assert sale_note(order) is None


def test_a_company_order_becomes_a_sale_for_the_company_with_its_terms_and_po_number() -> None:
    request = build_sales_order(a_company_order(billing_address=HOME), POLICY)
    assert request.customer.erp_code == "SHOPIFY-COMPANY-4"
    assert (request.invoice_address, request.shipment_address) == (BILLING, DOCK)
    assert (request.payment_term, request.po_number) == ("Net 30", "PO-778")
    assert request.note is not None
    assert request.note.startswith("PO number: PO-778")
    assert request.currency == "EUR"  # posted in the shop currency
