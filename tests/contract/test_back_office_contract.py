"""The BackOffice contract: FakeBackOffice and TrytonBackOffice (on a real trytond) pass the same tests."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from tests.contract.back_office_harness import BackOfficeHarness
from tests.fakes.back_office import FakeBackOffice
from tests.support.tryton import (
    unique,
)
from trueup.domain.bundles import KitComponent
from trueup.domain.errors import Cause, StructuralError, TransientError
from trueup.domain.money import Money
from trueup.domain.orders import Address, Customer
from trueup.domain.sales import SalesLine, SalesOrderRequest

RATES = {"VAT20": Decimal("0.20"), "VAT5.5": Decimal("0.055")}


# --- factories -------------------------------------------------------------------------------------
def a_customer(*, shopify: bool = True) -> Customer:
    number = uuid.uuid4().int % 10**12
    return Customer(
        shopify_id=f"gid://shopify/Customer/{number}" if shopify else None,
        email=f"buyer{number}@example.com",
        first_name="Ada",
        last_name=f"Buyer{number}",
    )


def an_address() -> Address:
    return Address("Ada Buyer", "12 rue des Lilas", "", "Lyon", "69001", "FR")


def a_line(sku: str, quantity: int, unit_price: str, *taxes: str, shipping: bool = False) -> SalesLine:
    return SalesLine(sku, f"item {sku}", Decimal(quantity), Money(Decimal(unit_price), "EUR"), taxes, shipping)


def a_request(lines: list[SalesLine], customer: Customer | None = None, warehouse: str = "WH1") -> SalesOrderRequest:
    untaxed = sum((line.amount.rounded().amount for line in lines), Decimal(0))
    return SalesOrderRequest(
        reference=unique("gid://shopify/Order"),
        description=f"#{uuid.uuid4().int % 100000}",
        currency="EUR",
        customer=customer or a_customer(),
        invoice_address=an_address(),
        shipment_address=an_address(),
        lines=tuple(lines),
        expected_untaxed=Money(untaxed, "EUR"),
        expected_tax=Money(expected_tax(lines), "EUR"),
        warehouse=warehouse,
    )


def expected_tax(lines: list[SalesLine]) -> Decimal:
    """Tax rounded per line and per tax, as Shopify does."""
    cent = Decimal("0.01")
    return sum(
        (
            (line.amount.rounded().amount * RATES.get(code, Decimal(0))).quantize(cent, rounding=ROUND_HALF_EVEN)
            for line in lines
            for code in line.tax_codes
        ),
        Decimal(0),
    )


def new_skus(erp: BackOfficeHarness, count: int) -> list[str]:
    skus = [unique("SKU") for _ in range(count)]
    erp.add_products(dict.fromkeys(skus, "9.99"))
    return skus


# --- the contract ----------------------------------------------------------------------------------
def test_unknown_skus_are_those_the_item_master_lacks(erp: BackOfficeHarness) -> None:
    (known,) = new_skus(erp, 1)
    missing = unique("MISSING")

    assert erp.back_office.unknown_skus([known, missing]) == {missing}


def test_unknown_taxes_are_those_the_erp_lacks(erp: BackOfficeHarness) -> None:
    missing = unique("VAT-MISSING")

    assert erp.back_office.unknown_taxes(["VAT20", missing]) == {missing}


def test_a_created_order_is_found_by_its_reference(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    request = a_request([a_line(sku, 2, "12.50", "VAT20")])

    created = erp.back_office.create_sales_order(request)
    found = erp.back_office.find_sales_order(request.reference)

    assert found == created
    assert created.reference == request.reference
    assert created.number
    assert created.state == "processing"
    assert erp.back_office.find_sales_order(unique("gid://shopify/Order")) is None


def test_a_customer_ordering_twice_is_one_party(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    customer = a_customer()

    for _ in range(2):
        erp.back_office.create_sales_order(a_request([a_line(sku, 1, "5.00", "VAT20")], customer))

    assert erp.parties_of(customer) == 1


def test_a_guest_ordering_twice_is_one_party(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    guest = a_customer(shopify=False)

    for _ in range(2):
        erp.back_office.create_sales_order(a_request([a_line(sku, 1, "5.00")], guest))

    assert erp.parties_of(guest) == 1


def test_an_unknown_sku_parks_the_order_and_creates_nothing(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    missing = unique("MISSING")
    customer = a_customer()
    request = a_request([a_line(sku, 1, "5.00", "VAT20"), a_line(missing, 1, "5.00", "VAT20")], customer)

    with pytest.raises(StructuralError) as raised:
        erp.back_office.create_sales_order(request)

    assert raised.value.cause is Cause.SKU_NOT_IN_ITEM_MASTER
    assert raised.value.needs == {"skus": [missing]}
    assert erp.back_office.find_sales_order(request.reference) is None
    assert erp.sales_with_reference(request.reference) == 0
    assert erp.parties_of(customer) == 0


def test_an_unmapped_tax_parks_the_order(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    request = a_request([a_line(sku, 1, "5.00", "NO-SUCH-TAX")])

    with pytest.raises(StructuralError) as raised:
        erp.back_office.create_sales_order(request)

    assert raised.value.cause is Cause.UNMAPPED_TAX
    assert erp.sales_with_reference(request.reference) == 0


@pytest.mark.parametrize(
    ("quantity", "unit_price", "taxes"),
    [
        (1, "19.99", ("VAT20",)),
        (3, "3.3333333333", ("VAT20",)),  # 10.00 spread over 3 units: more decimals than Tryton stores
        (7, "0.07", ("VAT5.5",)),
        (2, "45.00", ()),
    ],
)
def test_posted_totals_equal_the_request(
    erp: BackOfficeHarness, quantity: int, unit_price: str, taxes: tuple[str]
) -> None:
    (sku, other) = new_skus(erp, 2)
    lines = [
        a_line(sku, quantity, unit_price, *taxes),
        a_line(other, 1, "8.40", "VAT5.5"),
        a_line("SHIPPING", 1, "4.90", "VAT20", shipping=True),
    ]
    request = a_request(lines, warehouse="WH2")

    posted = erp.back_office.create_sales_order(request)

    assert posted.untaxed == request.expected_untaxed
    assert posted.tax == request.expected_tax
    assert posted.total == request.expected_untaxed + request.expected_tax


def test_kit_components_are_read_with_their_quantities_and_list_prices(erp: BackOfficeHarness) -> None:
    kit, cap, sock = unique("KIT"), unique("CAP"), unique("SOCK")
    (plain,) = new_skus(erp, 1)
    erp.add_kit(kit, [(cap, 1, "15.00"), (sock, 2, "4.50")])

    kits = erp.back_office.kit_components([kit, plain, unique("MISSING")])

    assert kits == {
        kit: [KitComponent(cap, Decimal(1), Decimal("15.00")), KitComponent(sock, Decimal(2), Decimal("4.50"))]
    }
    assert erp.back_office.unknown_skus([kit, cap, sock]) == set()


def test_list_prices_are_read_for_the_skus_the_item_master_has(erp: BackOfficeHarness) -> None:
    cap, sock = unique("CAP"), unique("SOCK")
    erp.add_products({cap: "15.00", sock: "4.50"})

    prices = erp.back_office.list_prices([cap, sock, unique("MISSING")])

    assert prices == {cap: Decimal("15.00"), sock: Decimal("4.50")}
    assert erp.back_office.list_prices([]) == {}


def test_stock_levels_are_per_warehouse(erp: BackOfficeHarness) -> None:
    (sku, empty) = new_skus(erp, 2)
    erp.receive_stock({sku: 7}, "WH2")

    levels = {level.sku: level.available for level in erp.back_office.warehouse_stock("WH2", [sku, empty])}
    elsewhere = {level.sku: level.available for level in erp.back_office.warehouse_stock("WH1", [sku])}

    assert levels == {sku: Decimal(7), empty: Decimal(0)}
    assert elsewhere == {sku: Decimal(0)}


def test_an_unknown_warehouse_is_an_unmapped_location(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)

    with pytest.raises(StructuralError) as raised:
        erp.back_office.warehouse_stock("NOWHERE", [sku])

    assert raised.value.cause is Cause.UNMAPPED_LOCATION


# --- the fake's failure knobs (for engine tests) ----------------------------------------------------
def fake_with_product() -> tuple[FakeBackOffice, SalesOrderRequest]:
    fake = FakeBackOffice()
    fake.add_products("TEE")
    return fake, a_request([a_line("TEE", 1, "10.00", "VAT20")])


def test_a_fake_that_is_down_fails_every_call_transiently() -> None:
    fake, request = fake_with_product()
    fake.down = True

    for call in (
        lambda: fake.create_sales_order(request),
        lambda: fake.find_sales_order(request.reference),
        lambda: fake.unknown_skus(["TEE"]),
        lambda: fake.warehouse_stock("WH1", ["TEE"]),
    ):
        with pytest.raises(TransientError):
            call()
    assert fake.sales == {}


def test_a_fake_can_commit_then_time_out_once() -> None:
    fake, request = fake_with_product()
    fake.commit_then_timeout_next = True

    with pytest.raises(TransientError):
        fake.create_sales_order(request)

    assert fake.find_sales_order(request.reference) is not None
    assert fake.create_sales_order(a_request([a_line("TEE", 1, "1.00")])).state == "processing"


def test_a_fake_can_reject_the_next_order_only() -> None:
    fake, request = fake_with_product()
    fake.reject_next = "credit limit exceeded"

    with pytest.raises(StructuralError) as raised:
        fake.create_sales_order(request)

    assert raised.value.cause is Cause.BACK_OFFICE_REJECTED
    assert "credit limit exceeded" in raised.value.detail
    assert fake.find_sales_order(request.reference) is None
    assert fake.create_sales_order(request).reference == request.reference


def charged(request: SalesOrderRequest, **taxes: str) -> SalesOrderRequest:
    """`request` as Shopify charged it: these amounts of tax, by ERP tax, and a tolerance of 0.05."""
    amounts = tuple((code.replace("_", "."), Money(Decimal(amount), "EUR")) for code, amount in taxes.items())
    return replace(
        request,
        expected_tax=Money(sum((m.amount for _, m in amounts), Decimal(0)), "EUR"),
        expected_taxes=amounts,
        tax_rates=tuple((code, f"Shopify {code}") for code, _ in amounts),
        tax_rounding_tolerance=Money(Decimal("0.05"), "EUR"),
    )


def test_the_invoice_carries_shopifys_tax_to_the_cent_never_a_rounding_line(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    request = charged(a_request([a_line(sku, 1, "10.00", "VAT20")]), VAT20="2.01")  # the ERP computes 2.00
    sale = erp.back_office.create_sales_order(request)
    assert (sale.tax, sale.total) == (Money(Decimal("2.01"), "EUR"), Money(Decimal("12.01"), "EUR"))
    assert sale.tax_variances == ()  # within the tolerance: rounding, not a finding
    assert erp.invoice_taxes(request.reference) == {"VAT20": Money(Decimal("2.01"), "EUR")}
    assert erp.back_office.sale_progress(sale.erp_id).total == sale.total


def test_the_sales_invoice_taxes_are_read_back_per_erp_tax_as_charged(erp: BackOfficeHarness) -> None:
    sku, other = new_skus(erp, 2)
    lines = [a_line(sku, 3, "0.35", "VAT20", "VAT5.5"), a_line(other, 1, "3.17", "VAT20", "VAT5.5")]
    request = charged(a_request(lines), VAT20="0.85", VAT5_5="0.24")
    sale = erp.back_office.create_sales_order(request)

    assert erp.back_office.sale_invoice_taxes(sale.erp_id) == {
        "VAT20": Money(Decimal("0.85"), "EUR"),
        "VAT5.5": Money(Decimal("0.24"), "EUR"),
    }
    assert erp.back_office.sale_invoice_taxes(sale.erp_id) == erp.invoice_taxes(request.reference)


def test_stacked_taxes_each_carry_shopifys_amount(erp: BackOfficeHarness) -> None:
    sku, other = new_skus(erp, 2)
    lines = [a_line(sku, 3, "0.35", "VAT20", "VAT5.5"), a_line(other, 1, "3.17", "VAT20", "VAT5.5")]
    request = charged(a_request(lines), VAT20="0.85", VAT5_5="0.24")  # Tryton: 0.84 and 0.23 (half to even)
    sale = erp.back_office.create_sales_order(request)
    assert erp.invoice_taxes(request.reference) == {
        "VAT20": Money(Decimal("0.85"), "EUR"),
        "VAT5.5": Money(Decimal("0.24"), "EUR"),
    }
    assert sale.total == Money(Decimal("5.31"), "EUR")  # 4.22 untaxed + 1.09


def test_a_tax_difference_beyond_the_tolerance_posts_with_shopifys_tax_and_is_reported(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    request = charged(a_request([a_line(sku, 1, "10.00", "VAT20")]), VAT20="2.50")  # the ERP computes 2.00
    sale = erp.back_office.create_sales_order(request)
    assert sale.total == Money(Decimal("12.50"), "EUR")
    (variance,) = sale.tax_variances
    assert (variance.tax, variance.shopify, variance.erp) == ("VAT20", Money.of("2.50", "EUR"), Money.of("2.00", "EUR"))
    assert variance.difference == Money.of("0.50", "EUR")
    assert variance.rate == "Shopify VAT20"


def test_a_brand_that_parks_on_a_tax_variance_gets_a_mismatch_and_nothing_posted(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    request = charged(a_request([a_line(sku, 1, "10.00", "VAT20")]), VAT20="2.50")
    request = replace(request, park_on_tax_variance=True)
    with pytest.raises(StructuralError) as parked:
        erp.back_office.create_sales_order(request)
    assert parked.value.cause == Cause.TAX_MISMATCH
    assert "2.50 EUR" in parked.value.detail
    assert "2.00 EUR" in parked.value.detail
    assert erp.back_office.find_sales_order(request.reference) is None


def test_several_orders_post_together_each_as_alone_and_a_bad_one_spoils_only_itself(erp: BackOfficeHarness) -> None:
    sku_a, sku_b = new_skus(erp, 2)
    good = a_request([a_line(sku_a, 2, "12.50", "VAT20")])
    # The ERP computes 2.00 of tax; Shopify charged 2.01: the invoice carries 2.01, as alone.
    rounded = charged(a_request([a_line(sku_b, 1, "10.00", "VAT20")]), VAT20="2.01")
    missing = a_request([a_line(sku_a, 1, "5.00", "VAT20"), a_line(unique("MISSING"), 1, "5.00", "VAT20")])
    mismatch = charged(a_request([a_line(sku_b, 1, "10.00", "VAT20")]), VAT20="2.50")
    mismatch = replace(mismatch, park_on_tax_variance=True)

    results = erp.back_office.create_sales_orders([good, missing, rounded, mismatch])

    posted_good, parked_missing, posted_rounded, parked_mismatch = results
    assert erp.back_office.find_sales_order(good.reference) == posted_good
    assert erp.back_office.find_sales_order(rounded.reference) == posted_rounded
    assert not isinstance(posted_good, StructuralError)
    assert not isinstance(posted_rounded, StructuralError)
    assert posted_good.state == posted_rounded.state == "processing"
    assert posted_good.total == Money(Decimal("30.00"), "EUR")
    assert (posted_rounded.tax, posted_rounded.total) == (Money(Decimal("2.01"), "EUR"), Money(Decimal("12.01"), "EUR"))
    assert erp.invoice_taxes(rounded.reference) == {"VAT20": Money(Decimal("2.01"), "EUR")}
    assert isinstance(parked_missing, StructuralError)
    assert parked_missing.cause is Cause.SKU_NOT_IN_ITEM_MASTER
    assert isinstance(parked_mismatch, StructuralError)
    assert parked_mismatch.cause is Cause.TAX_MISMATCH
    assert erp.sales_with_reference(missing.reference) == erp.sales_with_reference(mismatch.reference) == 0
