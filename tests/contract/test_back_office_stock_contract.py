"""The BackOffice contract for stock: FakeBackOffice and TrytonBackOffice (a real trytond: goods receipts
as done moves from the supplier, sales confirmed) pass the same tests of stock_changes and warehouse_stock."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.contract.back_office_harness import BackOfficeHarness
from tests.contract.test_back_office_contract import a_line, a_request
from tests.support.tryton import unique
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.inventory import StockChange
from trueup.service_layer.ports import BackOffice


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


def test_with_no_cursor_nothing_is_reported_but_a_cursor_to_start_from(erp: BackOfficeHarness) -> None:
    sku = unique("TEE")
    erp.add_products(dict.fromkeys([sku], "10.00"))
    erp.receive_stock({sku: 3}, "WH1")
    changes, cursor = erp.back_office.stock_changes(None)
    assert changes == []
    assert cursor is not None
    assert StockChange(sku, "WH1") not in changes_since(erp.back_office, cursor)[0]


def test_a_receipt_is_a_change_at_its_warehouse_and_raises_what_it_can_promise(erp: BackOfficeHarness) -> None:
    sku, other = unique("TEE"), unique("CAP")
    erp.add_products(dict.fromkeys([sku, other], "10.00"))
    _, cursor = erp.back_office.stock_changes(None)
    erp.receive_stock({sku: 7}, "WH2")
    changes, cursor = changes_since(erp.back_office, cursor)
    assert StockChange(sku, "WH2") in changes
    assert {c for c in changes if c.sku in {sku, other}} == {StockChange(sku, "WH2")}
    assert promised(erp.back_office, "WH2", [sku, other]) == {sku: Decimal(7), other: Decimal(0)}
    assert promised(erp.back_office, "WH1", [sku]) == {sku: Decimal(0)}
    assert on_hand(erp.back_office, "WH2", [sku, other]) == {sku: Decimal(7), other: Decimal(0)}
    # Read again from the cursor: the receipt is not reported twice.
    assert StockChange(sku, "WH2") not in changes_since(erp.back_office, cursor)[0]


def test_a_posted_sale_is_a_change_and_its_goods_are_no_longer_promised(erp: BackOfficeHarness) -> None:
    sku = unique("MUG")
    erp.add_products(dict.fromkeys([sku], "10.00"))
    erp.receive_stock({sku: 10}, "WH1")
    _, cursor = changes_since(erp.back_office, erp.back_office.stock_changes(None)[1])
    erp.back_office.create_sales_order(a_request([a_line(sku, 3, "10.00")], warehouse="WH1"))
    changes, _ = changes_since(erp.back_office, cursor)
    assert StockChange(sku, "WH1") in changes
    assert promised(erp.back_office, "WH1", [sku]) == {sku: Decimal(7)}
    assert on_hand(erp.back_office, "WH1", [sku]) == {sku: Decimal(10)}  # still there until it ships


def test_a_kit_is_promised_as_its_scarcest_component_allows_and_every_product_when_none_named(
    erp: BackOfficeHarness,
) -> None:
    kit, cap, sock = unique("KIT"), unique("CAP"), unique("SOCK")
    erp.add_kit(kit, [(cap, 1, "5.00"), (sock, 2, "5.00")])
    erp.receive_stock({cap: 10}, "WH1")
    erp.receive_stock({sock: 7}, "WH1")
    assert promised(erp.back_office, "WH1", [kit, cap, sock, unique("MISSING")]) == {
        kit: Decimal(3),
        cap: Decimal(10),
        sock: Decimal(7),
    }
    everything = promised(erp.back_office, "WH1", None)
    assert {kit: everything[kit], cap: everything[cap], sock: everything[sock]} == {
        kit: Decimal(3),
        cap: Decimal(10),
        sock: Decimal(7),
    }
    assert "SHIPPING" not in everything  # a service, not stock
    assert on_hand(erp.back_office, "WH1", [kit, cap, sock]) == {
        kit: Decimal(3),
        cap: Decimal(10),
        sock: Decimal(7),
    }


def test_an_unknown_warehouse_is_an_unmapped_location(erp: BackOfficeHarness) -> None:
    with pytest.raises(StructuralError) as raised:
        erp.back_office.warehouse_stock("NOWHERE", None)
    assert raised.value.cause is Cause.UNMAPPED_LOCATION
