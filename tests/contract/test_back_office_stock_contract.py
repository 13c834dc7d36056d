"""The BackOffice contract for stock: FakeBackOffice and TrytonBackOffice (a real trytond: goods receipts
as done moves from the supplier, sales confirmed) pass the same tests of stock_changes and warehouse_stock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest

from tests.contract.test_back_office_contract import a_line, a_request, add_kit, add_products
from tests.fakes.back_office import FakeBackOffice
from tests.support.tryton import connect, tryton_server, tryton_template, unique  # noqa: F401
from trueup.adapters.tryton.back_office import TrytonBackOffice
from trueup.domain.bundles import KitComponent
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.inventory import StockChange
from trueup.local_stack.tryton_catalogue import receive_stock
from trueup.service_layer.ports import BackOffice


@dataclass
class Harness:
    back_office: BackOffice
    add_products: Callable[[list[str]], None]
    receive: Callable[[str, str, int], None]  # SKU, warehouse, units (a goods receipt, done)
    add_kit: Callable[[str, list[tuple[str, int]]], None]  # kit SKU, [(component SKU, quantity)]


def fake_harness() -> Harness:
    fake = FakeBackOffice()

    def kit(sku: str, parts: list[tuple[str, int]]) -> None:
        fake.add_kit(sku, [KitComponent(c, Decimal(q), Decimal(1)) for c, q in parts])

    return Harness(fake, lambda skus: fake.add_products(*skus), fake.receive, kit)


@pytest.fixture(params=["fake", pytest.param("tryton", marks=pytest.mark.tryton)])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "fake":
        yield fake_harness()
        return
    with connect(request.getfixturevalue("tryton_server")) as client:
        yield Harness(
            TrytonBackOffice(client),
            lambda skus: add_products(client, dict.fromkeys(skus, "10.00")),
            lambda sku, warehouse, units: receive_stock(client, {sku: units}, warehouse),
            lambda sku, parts: add_kit(client, sku, [(c, q, "5.00") for c, q in parts]),
        )


def changes_since(back_office: BackOffice, cursor: str | None) -> tuple[set[StockChange], str | None]:
    """Every change after `cursor` (reading on until nothing new comes), and the cursor after them."""
    seen: set[StockChange] = set()
    while True:
        changes, moved = back_office.stock_changes(cursor)
        seen.update(changes)
        if not changes:
            return seen, moved
        cursor = moved


def promised(back_office: BackOffice, warehouse: str, skus: list[str] | None) -> dict[str, Decimal]:
    return {s.sku: s.available for s in back_office.warehouse_stock(warehouse, skus)}


def on_hand(back_office: BackOffice, warehouse: str, skus: list[str] | None) -> dict[str, Decimal | None]:
    return {s.sku: s.on_hand for s in back_office.warehouse_stock(warehouse, skus)}


def test_with_no_cursor_nothing_is_reported_but_a_cursor_to_start_from(harness: Harness) -> None:
    sku = unique("TEE")
    harness.add_products([sku])
    harness.receive(sku, "WH1", 3)
    changes, cursor = harness.back_office.stock_changes(None)
    assert changes == []
    assert cursor is not None
    assert StockChange(sku, "WH1") not in changes_since(harness.back_office, cursor)[0]


def test_a_receipt_is_a_change_at_its_warehouse_and_raises_what_it_can_promise(harness: Harness) -> None:
    sku, other = unique("TEE"), unique("CAP")
    harness.add_products([sku, other])
    _, cursor = harness.back_office.stock_changes(None)
    harness.receive(sku, "WH2", 7)
    changes, cursor = changes_since(harness.back_office, cursor)
    assert StockChange(sku, "WH2") in changes
    assert {c for c in changes if c.sku in {sku, other}} == {StockChange(sku, "WH2")}
    assert promised(harness.back_office, "WH2", [sku, other]) == {sku: Decimal(7), other: Decimal(0)}
    assert promised(harness.back_office, "WH1", [sku]) == {sku: Decimal(0)}
    assert on_hand(harness.back_office, "WH2", [sku, other]) == {sku: Decimal(7), other: Decimal(0)}
    # Read again from the cursor: the receipt is not reported twice.
    assert StockChange(sku, "WH2") not in changes_since(harness.back_office, cursor)[0]


def test_a_posted_sale_is_a_change_and_its_goods_are_no_longer_promised(harness: Harness) -> None:
    sku = unique("MUG")
    harness.add_products([sku])
    harness.receive(sku, "WH1", 10)
    _, cursor = changes_since(harness.back_office, harness.back_office.stock_changes(None)[1])
    harness.back_office.create_sales_order(a_request([a_line(sku, 3, "10.00")], warehouse="WH1"))
    changes, _ = changes_since(harness.back_office, cursor)
    assert StockChange(sku, "WH1") in changes
    assert promised(harness.back_office, "WH1", [sku]) == {sku: Decimal(7)}
    assert on_hand(harness.back_office, "WH1", [sku]) == {sku: Decimal(10)}  # still there until it ships


def test_a_kit_is_promised_as_its_scarcest_component_allows_and_every_product_when_none_named(
    harness: Harness,
) -> None:
    kit, cap, sock = unique("KIT"), unique("CAP"), unique("SOCK")
    harness.add_kit(kit, [(cap, 1), (sock, 2)])
    harness.receive(cap, "WH1", 10)
    harness.receive(sock, "WH1", 7)
    assert promised(harness.back_office, "WH1", [kit, cap, sock, unique("MISSING")]) == {
        kit: Decimal(3),
        cap: Decimal(10),
        sock: Decimal(7),
    }
    everything = promised(harness.back_office, "WH1", None)
    assert {kit: everything[kit], cap: everything[cap], sock: everything[sock]} == {
        kit: Decimal(3),
        cap: Decimal(10),
        sock: Decimal(7),
    }
    assert "SHIPPING" not in everything  # a service, not stock
    assert on_hand(harness.back_office, "WH1", [kit, cap, sock]) == {
        kit: Decimal(3),
        cap: Decimal(10),
        sock: Decimal(7),
    }


def test_an_unknown_warehouse_is_an_unmapped_location(harness: Harness) -> None:
    with pytest.raises(StructuralError) as raised:
        harness.back_office.warehouse_stock("NOWHERE", None)
    assert raised.value.cause is Cause.UNMAPPED_LOCATION
