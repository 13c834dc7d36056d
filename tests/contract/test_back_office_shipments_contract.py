"""The BackOffice contract for despatched shipments: FakeBackOffice and TrytonBackOffice (a real trytond,
its customer shipment taken through assign, pick, pack and ship) pass the same tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.contract.test_back_office_contract import a_line, a_request, add_products
from tests.fakes.back_office import FakeBackOffice
from tests.support.tryton import connect, tryton_server, tryton_template, unique  # noqa: F401
from trueup.adapters.tryton.back_office import TrytonBackOffice
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.domain.fulfilment import Shipment, ShipmentLine
from trueup.local_stack.tryton_catalogue import receive_stock
from trueup.service_layer.ports import BackOffice

# Tryton's customer shipment workflow, button by button, up to each state.
TRYTON_STEPS = {"shipped": ("assign_try", "pick", "pack", "ship"), "done": ("assign_try", "pick", "pack", "ship", "do")}


@dataclass
class Harness:
    back_office: BackOffice
    add_products: Callable[[list[str]], None]
    despatch: Callable[[str, str | None, str], None]  # sale reference, tracking number, "shipped" or "done"
    # Before despatch: the lines of these SKUs go on a shipment of their own from another warehouse.
    ship_from: Callable[[str, list[str], str], None]
    # Before despatch: the warehouse puts a carrier (by name) on the sale's shipments.
    set_carrier: Callable[[str, str], None]


def fake_harness() -> Harness:
    fake = FakeBackOffice()
    moved: dict[str, tuple[list[str], str]] = {}
    carriers: dict[str, str] = {}

    def despatch(reference: str, tracking: str | None, _state: str) -> None:
        lines = [(line.sku, int(line.quantity)) for line in fake.requests[reference].lines]
        skus, warehouse = moved.get(reference, ([], ""))
        carrier = carriers.get(reference)
        if skus:
            chosen = [(s, q) for s, q in lines if s in skus]
            fake.despatch(reference, chosen, tracking, carrier=carrier, warehouse=warehouse)
        fake.despatch(reference, [(s, q) for s, q in lines if s not in skus], tracking, carrier=carrier)

    def ship_from(reference: str, skus: list[str], warehouse: str) -> None:
        moved[reference] = (skus, warehouse)

    return Harness(fake, lambda skus: fake.add_products(*skus), despatch, ship_from, carriers.__setitem__)


def tryton_set_carrier(client: TrytonClient, reference: str, carrier: str) -> None:
    (sale,) = client.call("sale.sale", "search_read", [("reference", "=", reference)], 0, 1, None, ["shipments"])
    (carrier_id,) = client.call("carrier", "search", [("party.name", "=", carrier)], 0, 1, None)
    client.call("stock.shipment.out", "write", sale["shipments"], {"carrier": carrier_id})


def tryton_ship_from(client: TrytonClient, reference: str, skus: list[str], warehouse: str) -> None:
    """What a person does in Tryton to ship some lines of a sale from another warehouse: the sale's waiting
    shipment back to draft, a shipment from `warehouse` for the same customer, the lines' outgoing moves
    moved onto it, and both shipments waiting again."""
    (sale,) = client.call("sale.sale", "search_read", [("reference", "=", reference)], 0, 1, None, ["shipments"])
    (first,) = sale["shipments"]
    fields = ["customer", "delivery_address", "company", "outgoing_moves"]
    (shipment,) = client.call("stock.shipment.out", "read", [first], fields)
    (other,) = client.call(
        "stock.location", "search_read", [("code", "=", warehouse), ("type", "=", "warehouse")], 0, 1, None,
        ["output_location", "storage_location"],
    )  # fmt: skip
    client.call("stock.shipment.out", "draft", [first])
    values = {key: shipment[key] for key in ("customer", "delivery_address", "company")}
    where = {"warehouse": other["id"], "warehouse_output": other["output_location"]}
    where["warehouse_storage"] = other["storage_location"]
    (second,) = client.call("stock.shipment.out", "create", [values | where])
    moves = client.call("stock.move", "read", shipment["outgoing_moves"], ["product.code"])
    chosen = [m["id"] for m in moves if (m.get("product.") or {}).get("code") in skus]
    client.call("stock.move", "write", chosen, {"from_location": other["output_location"]})
    client.call("stock.shipment.out", "write", [second], {"outgoing_moves": [("add", chosen)]})
    client.call("stock.shipment.out", "wait", [first, second])


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
            receive_stock(client, dict.fromkeys(skus, 10), "WH2")

        yield Harness(
            TrytonBackOffice(client),
            add,
            lambda ref, tracking, state: tryton_despatch(client, ref, tracking, state),
            lambda ref, skus, warehouse: tryton_ship_from(client, ref, skus, warehouse),
            lambda ref, carrier: tryton_set_carrier(client, ref, carrier),
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
    assert shipment.carrier is None  # none was put on it
    assert shipment.warehouse == "WH1"  # the sale's warehouse (the shop's default)


def test_lines_moved_to_another_warehouse_ship_as_their_own_shipment_from_it(harness: Harness) -> None:
    tee, cap = unique("TEE"), unique("CAP")
    harness.add_products([tee, cap])
    cursor = latest_cursor(harness.back_office)
    reference = posted_sale(harness, (tee, 2), (cap, 1))
    harness.ship_from(reference, [cap], "WH2")
    harness.despatch(reference, "1Z-SPLIT", "shipped")
    shipments, _ = harness.back_office.despatched_shipments(cursor)
    ours = {s.warehouse: s for s in shipments if s.sale_reference == reference}
    assert {w: [(line.sku, line.quantity) for line in s.lines] for w, s in ours.items()} == {
        "WH1": [(tee, 2)],
        "WH2": [(cap, 1)],
    }
    assert ours["WH1"].shipment_id != ours["WH2"].shipment_id


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


def test_a_cursor_at_a_moment_reads_only_the_shipments_written_since(harness: Harness) -> None:
    sku = unique("SOCK")
    harness.add_products([sku])
    before, after = posted_sale(harness, (sku, 1)), posted_sale(harness, (sku, 1))
    harness.despatch(before, None, "shipped")
    moment = datetime.now(UTC)
    harness.despatch(after, None, "shipped")
    read = new_since(harness, harness.back_office.shipments_cursor_at(moment))
    assert after in read
    assert before not in read
    assert new_since(harness, harness.back_office.shipments_cursor_at(datetime.now(UTC) + timedelta(hours=1))) == {}


def test_the_carrier_put_on_a_shipment_comes_by_name(harness: Harness) -> None:
    sku = unique("SCARF")
    harness.add_products([sku])
    cursor = latest_cursor(harness.back_office)
    reference = posted_sale(harness, (sku, 1))
    harness.set_carrier(reference, "DHL Express")  # one of the demo business's carriers
    harness.despatch(reference, "JD0001", "shipped")
    shipment = new_since(harness, cursor)[reference]
    assert (shipment.carrier, shipment.tracking_number) == ("DHL Express", "JD0001")
