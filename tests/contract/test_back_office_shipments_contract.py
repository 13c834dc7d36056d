"""The BackOffice contract for despatched shipments: FakeBackOffice and TrytonBackOffice (a real trytond,
its customer shipment taken through assign, pick, pack and ship) pass the same tests."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.contract.back_office_harness import BackOfficeHarness
from tests.contract.test_back_office_contract import a_line, a_request
from tests.support.tryton import unique
from trueup.domain.fulfilment import Shipment, ShipmentLine
from trueup.service_layer.ports import BackOffice


# Tryton's customer shipment workflow, button by button, up to each state.
def shippable(erp: BackOfficeHarness, *skus: str) -> None:
    """New products with 10 of each on hand at WH1 and at WH2."""
    erp.add_products(dict.fromkeys(skus, "10.00"))
    for warehouse in ("WH1", "WH2"):
        erp.receive_stock(dict.fromkeys(skus, 10), warehouse)


def latest_cursor(back_office: BackOffice) -> str | None:
    """The cursor past every shipment despatched so far (the session's Tryton is shared by many tests)."""
    cursor = None
    while True:
        _, moved = back_office.despatched_shipments(cursor)
        if moved == cursor:
            return cursor
        cursor = moved


def posted_sale(erp: BackOfficeHarness, *lines: tuple[str, int]) -> str:
    reference = f"shopify:contract.myshopify.com:{uuid.uuid4().int % 10**12}"
    request = a_request([a_line(sku, quantity, "10.00") for sku, quantity in lines])
    erp.back_office.create_sales_order(replace(request, reference=reference))
    return reference


def new_since(erp: BackOfficeHarness, cursor: str | None) -> dict[str, Shipment]:
    shipments, _ = erp.back_office.despatched_shipments(cursor)
    return {s.sale_reference: s for s in shipments}


@pytest.mark.parametrize("state", ["shipped", "done"])
def test_a_despatched_shipment_comes_with_its_sale_lines_and_tracking(erp: BackOfficeHarness, state: str) -> None:
    tee, cap = unique("TEE"), unique("CAP")
    shippable(erp, tee, cap)
    cursor = latest_cursor(erp.back_office)
    reference = posted_sale(erp, (tee, 2), (cap, 1))
    erp.despatch(reference, "1Z-TRACK", state)
    shipment = new_since(erp, cursor)[reference]
    assert sorted(shipment.lines, key=lambda line: line.sku) == sorted(
        [ShipmentLine(tee, 2), ShipmentLine(cap, 1)], key=lambda line: line.sku
    )
    assert shipment.tracking_number == "1Z-TRACK"
    assert shipment.carrier is None  # none was put on it
    assert shipment.warehouse == "WH1"  # the sale's warehouse (the shop's default)


def test_lines_moved_to_another_warehouse_ship_as_their_own_shipment_from_it(erp: BackOfficeHarness) -> None:
    tee, cap = unique("TEE"), unique("CAP")
    shippable(erp, tee, cap)
    cursor = latest_cursor(erp.back_office)
    reference = posted_sale(erp, (tee, 2), (cap, 1))
    erp.ship_from(reference, [cap], "WH2")
    erp.despatch(reference, "1Z-SPLIT", "shipped")
    shipments, _ = erp.back_office.despatched_shipments(cursor)
    ours = {s.warehouse: s for s in shipments if s.sale_reference == reference}
    assert {w: [(line.sku, line.quantity) for line in s.lines] for w, s in ours.items()} == {
        "WH1": [(tee, 2)],
        "WH2": [(cap, 1)],
    }
    assert ours["WH1"].shipment_id != ours["WH2"].shipment_id


def test_a_sale_not_yet_despatched_is_not_listed_and_the_cursor_moves_past_what_was_read(
    erp: BackOfficeHarness,
) -> None:
    sku = unique("MUG")
    shippable(erp, sku)
    cursor = latest_cursor(erp.back_office)
    waiting = posted_sale(erp, (sku, 1))
    first = posted_sale(erp, (sku, 1))
    erp.despatch(first, None, "shipped")
    shipments, after_first = erp.back_office.despatched_shipments(cursor)
    ours = [s for s in shipments if s.sale_reference in {waiting, first}]  # the one at the cursor may come again
    assert [s.sale_reference for s in ours] == [first]
    assert ours[0].tracking_number is None
    second = posted_sale(erp, (sku, 1))
    erp.despatch(second, None, "shipped")
    later = new_since(erp, after_first)
    assert second in later
    assert waiting not in later
    shipment_ids = [s.shipment_id for s in erp.back_office.despatched_shipments(after_first)[0]]
    assert len(shipment_ids) == len(set(shipment_ids))


def test_a_cursor_at_a_moment_reads_only_the_shipments_written_since(erp: BackOfficeHarness) -> None:
    sku = unique("SOCK")
    shippable(erp, sku)
    before, after = posted_sale(erp, (sku, 1)), posted_sale(erp, (sku, 1))
    erp.despatch(before, None, "shipped")
    moment = datetime.now(UTC)
    erp.despatch(after, None, "shipped")
    read = new_since(erp, erp.back_office.shipments_cursor_at(moment))
    assert after in read
    assert before not in read
    assert new_since(erp, erp.back_office.shipments_cursor_at(datetime.now(UTC) + timedelta(hours=1))) == {}


def test_the_carrier_put_on_a_shipment_comes_by_name(erp: BackOfficeHarness) -> None:
    sku = unique("SCARF")
    shippable(erp, sku)
    cursor = latest_cursor(erp.back_office)
    reference = posted_sale(erp, (sku, 1))
    erp.set_carrier(reference, "DHL Express")  # one of the demo business's carriers
    erp.despatch(reference, "JD0001", "shipped")
    shipment = new_since(erp, cursor)[reference]
    assert (shipment.carrier, shipment.tracking_number) == ("DHL Express", "JD0001")
