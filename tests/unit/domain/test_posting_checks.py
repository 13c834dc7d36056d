"""The pre-posting checks: the first thing a document needs that the ERP lacks, one message per cause."""

from dataclasses import replace
from decimal import Decimal

import pytest

from tests.factories import eur
from trueup.domain.credit_notes import CreditLine, CreditNoteRequest, Restock
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.orders import Address, Customer
from trueup.domain.posting_checks import ErpReferenceData, check_credit_note, check_restocks, check_sales_order
from trueup.domain.refunds import RestockType
from trueup.domain.sales import SalesLine, SalesOrderRequest

ERP = ErpReferenceData(
    skus={"TEE", "SHIPPING"},
    taxes={"VAT20"},
    currencies={"EUR"},
    warehouses={"WH1"},
    payment_terms={"Net 30"},
    countries={"FR"},
)
PARIS = Address("Ada", "1 rue", "", "Paris", "75001", "FR")


def a_sale(**changes) -> SalesOrderRequest:
    lines = (
        SalesLine("TEE", "Tee", Decimal(1), eur("10.00"), ("VAT20",)),
        SalesLine("SHIPPING", "Standard", Decimal(1), eur("5.00"), ("VAT20",), is_shipping=True),
    )
    request = SalesOrderRequest(
        "shopify:demo:1",
        "#1",
        "EUR",
        Customer(None, "a@example.com", "Ada", "L"),
        PARIS,
        PARIS,
        lines,
        eur("15.00"),
        eur("3.00"),
        warehouse="WH1",
        payment_term="Net 30",
    )
    return replace(request, **changes)


def test_a_sale_the_erp_can_hold_passes():
    check_sales_order(a_sale(), ERP)


@pytest.mark.parametrize(
    ("changes", "cause", "needs", "words"),
    [
        ({"skus": {"SHIPPING"}}, Cause.SKU_NOT_IN_ITEM_MASTER, {"skus": ["TEE"]}, "1 SKU(s) not in the ERP item"),
        ({"skus": {"TEE"}}, Cause.SKU_NOT_IN_ITEM_MASTER, {"skus": ["SHIPPING"]}, "no shipping product SHIPPING"),
        ({"taxes": set()}, Cause.UNMAPPED_TAX, {"erp_taxes": ["VAT20"]}, "taxes unknown to the ERP: VAT20"),
        ({"currencies": {"USD"}}, Cause.BACK_OFFICE_REJECTED, {}, "currency EUR is not in the ERP"),
        ({"warehouses": {"WH2"}}, Cause.UNMAPPED_LOCATION, {"warehouses": ["WH1"]}, "no ERP warehouse with code WH1"),
        ({"payment_terms": set()}, Cause.UNMAPPED_PAYMENT_TERM, {}, "no ERP payment term named Net 30"),
        ({"countries": {"DE"}}, Cause.INVALID_CUSTOMER_DATA, {}, "country_code is not a country known"),
    ],
)
def test_each_missing_thing_has_its_own_cause_and_one_message(changes, cause, needs, words):
    with pytest.raises(StructuralError) as raised:
        check_sales_order(a_sale(), replace(ERP, **changes))

    assert (raised.value.cause, raised.value.needs) == (cause, needs)
    assert words in raised.value.detail
    assert "Paris" not in raised.value.detail  # addresses are personal data


def test_a_credit_note_needs_its_products_and_taxes_and_a_restock_its_products_and_warehouses():
    note = CreditNoteRequest("r", "17", "Refund", "EUR", (CreditLine("x", "CAP", Decimal(1), eur("1"), eur("0")),))
    with pytest.raises(StructuralError) as unknown:
        check_credit_note(note, ERP)
    assert unknown.value.needs == {"skus": ["CAP"]}

    with pytest.raises(StructuralError) as nowhere:
        check_restocks([Restock("TEE", Decimal(1), "WH9", RestockType.RETURN)], ERP)
    assert (nowhere.value.cause, nowhere.value.needs) == (Cause.UNMAPPED_LOCATION, {"warehouses": ["WH9"]})
