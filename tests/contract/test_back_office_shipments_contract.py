"""The BackOffice contract for despatched shipments: FakeBackOffice and TrytonBackOffice (a real trytond,
its customer shipment taken through assign, pick, pack and ship) pass the same tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import pytest

from tests.contract.test_back_office_contract import a_line, a_request, add_products
from tests.fakes.back_office import FakeBackOffice
from tests.support.tryton import connect, tryton_server, tryton_template, unique  # noqa: F401
from trueup.adapters.tryton.back_office import TrytonBackOffice
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.adapters.tryton.products import receive_stock
from trueup.domain.fulfilment import Shipment, ShipmentLine
from trueup.service_layer.ports import BackOffice

# Tryton's customer shipment workflow, button by button, up to each state.
TRYTON_STEPS = {"shipped": ("assign_try", "pick", "pack", "ship"), "done": ("assign_try", "pick", "pack", "ship", "do")}


@dataclass
class Harness:
    back_office: BackOffice
    add_products: Callable[[list[str]], None]
    despatch: Callable[[str, str | None, str], None]  # sale reference, tracking number, "shipped" or "done"


def fake_harness() -> Harness:
    fake = FakeBackOffice()

    def despatch(reference: str, tracking: str | None, _state: str) -> None:
        lines = [(line.sku, int(line.quantity)) for line in fake.requests[reference].lines]
        fake.despatch(reference, lines, tracking_number=tracking)

    return Harness(fake, lambda skus: fake.add_products(*skus), despatch)


def tryton_despatch(client: TrytonClient, reference: str, tracking: str | None, state: str) -> None:
    (sale,) = client.call("sale.sale", "search_read", [("reference", "=", reference)], 0, 1, None, ["shipments"])
    shipments = sale["shipments"]
    if tracking:
        client.call("stock.shipment.out", "write", shipments, {"reference": tracking})
    for step in TRYTON_STEPS[state]:
        client.call("stock.shipment.out", step, shipments)


@pytest.fixture(params=["fake", pytest.param("tryton", marks=pytest.mark.tryton)])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "fake":
        yield fake_harness()
        return
    with connect(request.getfixturevalue("tryton_server")) as client:

        def add(skus: list[str]) -> None:
            add_products(client, dict.fromkeys(skus, "10.00"))
            receive_stock(client, dict.fromkeys(skus, 10), "WH1")

        yield Harness(
            TrytonBackOffice(client), add, lambda ref, tracking, state: tryton_despatch(client, ref, tracking, state)
        )


def latest_cursor(back_office: BackOffice) -> str | None:
    """The cursor past every shipment despatched so far (the session's Tryton is shared by many tests)."""
    cursor = None
    while True:
        _, moved = back_office.despatched_shipments(cursor)
        if moved == cursor:
            return cursor
        cursor = moved


def posted_sale(harness: Harness, *lines: tuple[str, int]) -> str:
    reference = f"shopify:contract.myshopify.com:{uuid.uuid4().int % 10**12}"
    request = a_request([a_line(sku, quantity, "10.00") for sku, quantity in lines])
    harness.back_office.create_sales_order(replace(request, reference=reference))
    return reference


def new_since(harness: Harness, cursor: str | None) -> dict[str, Shipment]:
    shipments, _ = harness.back_office.despatched_shipments(cursor)
    return {s.sale_reference: s for s in shipments}


@pytest.mark.parametrize("state", ["shipped", "done"])
def test_a_despatched_shipment_comes_with_its_sale_lines_and_tracking(harness: Harness, state: str) -> None:
    tee, cap = unique("TEE"), unique("CAP")
    harness.add_products([tee, cap])
    cursor = latest_cursor(harness.back_office)
    reference = posted_sale(harness, (tee, 2), (cap, 1))
    harness.despatch(reference, "1Z-TRACK", state)
    shipment = new_since(harness, cursor)[reference]
    assert sorted(shipment.lines, key=lambda line: line.sku) == sorted(
        [ShipmentLine(tee, 2), ShipmentLine(cap, 1)], key=lambda line: line.sku
    )
    assert shipment.tracking_number == "1Z-TRACK"
    assert shipment.carrier is None  # Tryton's base modules have no carrier on a shipment


def test_a_sale_not_yet_despatched_is_not_listed_and_the_cursor_moves_past_what_was_read(harness: Harness) -> None:
    sku = unique("MUG")
    harness.add_products([sku])
    cursor = latest_cursor(harness.back_office)
    waiting = posted_sale(harness, (sku, 1))
    first = posted_sale(harness, (sku, 1))
    harness.despatch(first, None, "shipped")
    shipments, after_first = harness.back_office.despatched_shipments(cursor)
    ours = [s for s in shipments if s.sale_reference in {waiting, first}]  # the one at the cursor may come again
    assert [s.sale_reference for s in ours] == [first]
    assert ours[0].tracking_number is None
    second = posted_sale(harness, (sku, 1))
    harness.despatch(second, None, "shipped")
    later = new_since(harness, after_first)
    assert second in later
    assert waiting not in later
    shipment_ids = [s.shipment_id for s in harness.back_office.despatched_shipments(after_first)[0]]
    assert len(shipment_ids) == len(set(shipment_ids))
