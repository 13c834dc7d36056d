"""The BackOffice contract: FakeBackOffice and TrytonBackOffice (on a real trytond) pass the same tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from tests.fakes.back_office import FakeBackOffice
from tests.support.tryton import (  # noqa: F401
    catalogue_item,
    connect,
    seed_catalogue,
    tryton_server,
    tryton_template,
    unique,
)
from trueup.adapters.tryton.back_office import TrytonBackOffice
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.adapters.tryton.parties import party_code
from trueup.domain.bundles import KitComponent
from trueup.domain.errors import Cause, StructuralError, TransientError
from trueup.domain.money import Money
from trueup.domain.orders import Address, Customer
from trueup.domain.sales import SalesLine, SalesOrderRequest
from trueup.local_stack.tryton_catalogue import receive_stock
from trueup.service_layer.ports import BackOffice

RATES = {"VAT20": Decimal("0.20"), "VAT5.5": Decimal("0.055")}


@dataclass
class Harness:
    """A back-office under test, and what the test needs to see behind it."""

    back_office: BackOffice
    add_products: Callable[[dict[str, str]], None]  # SKU → list price
    receive_stock: Callable[[dict[str, int], str], None]
    parties_of: Callable[[Customer], int]
    sales_with_reference: Callable[[str], int]
    add_kit: Callable[[str, list[tuple[str, int, str]]], None]  # kit SKU, [(component SKU, quantity, list price)]


def add_fake_products(fake: FakeBackOffice, prices: dict[str, str]) -> None:
    fake.add_products(*prices)
    fake.prices.update({sku: Decimal(price) for sku, price in prices.items()})


def fake_harness() -> Harness:
    fake = FakeBackOffice()

    def add_stock(quantities: dict[str, int], warehouse: str) -> None:
        for sku, quantity in quantities.items():
            fake.stock[(sku, warehouse)] = fake.stock.get((sku, warehouse), Decimal(0)) + quantity

    return Harness(
        back_office=fake,
        add_products=lambda prices: add_fake_products(fake, prices),
        receive_stock=add_stock,
        parties_of=fake.parties_of,
        sales_with_reference=lambda reference: int(reference in fake.sales),
        add_kit=lambda sku, parts: fake.add_kit(sku, [KitComponent(c, Decimal(q), Decimal(p)) for c, q, p in parts]),
    )


@pytest.fixture(params=["fake", pytest.param("tryton", marks=pytest.mark.tryton)])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "fake":
        yield fake_harness()
        return
    client = connect(request.getfixturevalue("tryton_server"))

    def parties_of(customer: Customer) -> int:
        by_email = ("contact_mechanisms", "where", [("type", "=", "email"), ("value", "=", customer.email.lower())])
        return int(client.call("party.party", "search_count", ["OR", ("code", "=", party_code(customer)), by_email]))

    with client:
        yield Harness(
            back_office=TrytonBackOffice(client),
            add_products=lambda prices: add_products(client, prices),
            receive_stock=lambda quantities, warehouse: receive_stock(client, quantities, warehouse),
            parties_of=parties_of,
            sales_with_reference=lambda reference: int(
                client.call("sale.sale", "search_count", [("reference", "=", reference)])
            ),
            add_kit=lambda sku, parts: add_kit(client, sku, parts),
        )


def add_products(client: TrytonClient, prices: dict[str, str]) -> None:
    seed_catalogue(client, [catalogue_item(sku, price) for sku, price in prices.items()])


def add_kit(client: TrytonClient, sku: str, parts: list[tuple[str, int, str]]) -> None:
    components = [catalogue_item(c, price) for c, _, price in parts]
    seed_catalogue(client, [*components, catalogue_item(sku, "0.00", components=[(c, q) for c, q, _ in parts])])


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


def new_skus(harness: Harness, count: int) -> list[str]:
    skus = [unique("SKU") for _ in range(count)]
    harness.add_products(dict.fromkeys(skus, "9.99"))
    return skus


# --- the contract ----------------------------------------------------------------------------------
def test_unknown_skus_are_those_the_item_master_lacks(harness: Harness) -> None:
    (known,) = new_skus(harness, 1)
    missing = unique("MISSING")

    assert harness.back_office.unknown_skus([known, missing]) == {missing}


def test_a_created_order_is_found_by_its_reference(harness: Harness) -> None:
    (sku,) = new_skus(harness, 1)
    request = a_request([a_line(sku, 2, "12.50", "VAT20")])

    created = harness.back_office.create_sales_order(request)
    found = harness.back_office.find_sales_order(request.reference)

    assert found == created
    assert created.reference == request.reference
    assert created.number
    assert created.state == "processing"
    assert harness.back_office.find_sales_order(unique("gid://shopify/Order")) is None


def test_a_customer_ordering_twice_is_one_party(harness: Harness) -> None:
    (sku,) = new_skus(harness, 1)
    customer = a_customer()

    for _ in range(2):
        harness.back_office.create_sales_order(a_request([a_line(sku, 1, "5.00", "VAT20")], customer))

    assert harness.parties_of(customer) == 1


def test_a_guest_ordering_twice_is_one_party(harness: Harness) -> None:
    (sku,) = new_skus(harness, 1)
    guest = a_customer(shopify=False)

    for _ in range(2):
        harness.back_office.create_sales_order(a_request([a_line(sku, 1, "5.00")], guest))

    assert harness.parties_of(guest) == 1


def test_an_unknown_sku_parks_the_order_and_creates_nothing(harness: Harness) -> None:
    (sku,) = new_skus(harness, 1)
    missing = unique("MISSING")
    customer = a_customer()
    request = a_request([a_line(sku, 1, "5.00", "VAT20"), a_line(missing, 1, "5.00", "VAT20")], customer)

    with pytest.raises(StructuralError) as raised:
        harness.back_office.create_sales_order(request)

    assert raised.value.cause is Cause.SKU_NOT_IN_ITEM_MASTER
    assert raised.value.needs == {"skus": [missing]}
    assert harness.back_office.find_sales_order(request.reference) is None
    assert harness.sales_with_reference(request.reference) == 0
    assert harness.parties_of(customer) == 0


def test_an_unmapped_tax_parks_the_order(harness: Harness) -> None:
    (sku,) = new_skus(harness, 1)
    request = a_request([a_line(sku, 1, "5.00", "NO-SUCH-TAX")])

    with pytest.raises(StructuralError) as raised:
        harness.back_office.create_sales_order(request)

    assert raised.value.cause is Cause.UNMAPPED_TAX
    assert harness.sales_with_reference(request.reference) == 0


@pytest.mark.parametrize(
    ("quantity", "unit_price", "taxes"),
    [
        (1, "19.99", ("VAT20",)),
        (3, "3.3333333333", ("VAT20",)),  # 10.00 spread over 3 units: more decimals than Tryton stores
        (7, "0.07", ("VAT5.5",)),
        (2, "45.00", ()),
    ],
)
def test_posted_totals_equal_the_request(harness: Harness, quantity: int, unit_price: str, taxes: tuple[str]) -> None:
    (sku, other) = new_skus(harness, 2)
    lines = [
        a_line(sku, quantity, unit_price, *taxes),
        a_line(other, 1, "8.40", "VAT5.5"),
        a_line("SHIPPING", 1, "4.90", "VAT20", shipping=True),
    ]
    request = a_request(lines, warehouse="WH2")

    posted = harness.back_office.create_sales_order(request)

    assert posted.untaxed == request.expected_untaxed
    assert posted.tax == request.expected_tax
    assert posted.total == request.expected_untaxed + request.expected_tax


def test_kit_components_are_read_with_their_quantities_and_list_prices(harness: Harness) -> None:
    kit, cap, sock = unique("KIT"), unique("CAP"), unique("SOCK")
    (plain,) = new_skus(harness, 1)
    harness.add_kit(kit, [(cap, 1, "15.00"), (sock, 2, "4.50")])

    kits = harness.back_office.kit_components([kit, plain, unique("MISSING")])

    assert kits == {
        kit: [KitComponent(cap, Decimal(1), Decimal("15.00")), KitComponent(sock, Decimal(2), Decimal("4.50"))]
    }
    assert harness.back_office.unknown_skus([kit, cap, sock]) == set()


def test_list_prices_are_read_for_the_skus_the_item_master_has(harness: Harness) -> None:
    cap, sock = unique("CAP"), unique("SOCK")
    harness.add_products({cap: "15.00", sock: "4.50"})

    prices = harness.back_office.list_prices([cap, sock, unique("MISSING")])

    assert prices == {cap: Decimal("15.00"), sock: Decimal("4.50")}
    assert harness.back_office.list_prices([]) == {}


def test_stock_levels_are_per_warehouse(harness: Harness) -> None:
    (sku, empty) = new_skus(harness, 2)
    harness.receive_stock({sku: 7}, "WH2")

    levels = {level.sku: level.available for level in harness.back_office.warehouse_stock("WH2", [sku, empty])}
    elsewhere = {level.sku: level.available for level in harness.back_office.warehouse_stock("WH1", [sku])}

    assert levels == {sku: Decimal(7), empty: Decimal(0)}
    assert elsewhere == {sku: Decimal(0)}


def test_an_unknown_warehouse_is_an_unmapped_location(harness: Harness) -> None:
    (sku,) = new_skus(harness, 1)

    with pytest.raises(StructuralError) as raised:
        harness.back_office.warehouse_stock("NOWHERE", [sku])

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


def test_a_tax_that_differs_by_rounding_is_booked_so_the_totals_agree(harness: Harness) -> None:
    (sku,) = new_skus(harness, 1)
    request = a_request([a_line(sku, 1, "10.00", "VAT20")])  # the ERP computes 2.00 of tax
    shopify_says = replace(
        request,
        expected_tax=Money(Decimal("2.01"), "EUR"),
        tax_rounding_tolerance=Money(Decimal("0.05"), "EUR"),
    )
    sale = harness.back_office.create_sales_order(shopify_says)
    assert sale.total == Money(Decimal("12.01"), "EUR")
    assert sale.tax == Money(Decimal("2.00"), "EUR")


def test_a_tax_difference_beyond_the_tolerance_is_a_mismatch_and_posts_nothing(harness: Harness) -> None:
    (sku,) = new_skus(harness, 1)
    request = replace(
        a_request([a_line(sku, 1, "10.00", "VAT20")]),
        expected_tax=Money(Decimal("2.50"), "EUR"),
        tax_rounding_tolerance=Money(Decimal("0.05"), "EUR"),
    )
    with pytest.raises(StructuralError) as parked:
        harness.back_office.create_sales_order(request)
    assert parked.value.cause == Cause.TAX_MISMATCH
    assert "2.50 EUR" in parked.value.detail
    assert "2.00 EUR" in parked.value.detail
    assert harness.back_office.find_sales_order(request.reference) is None
