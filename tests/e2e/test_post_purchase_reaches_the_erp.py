"""Sandbox → trueup → a real Tryton, after posting: an address change before the cut-off reaches the ERP sale and
its shipment, one after picking is an exception, a cancel before picking cancels the sale and its shipment; and
the hold window holds an order in Shopify, then posts it and releases it."""

from __future__ import annotations

import subprocess
import time
from typing import Any

import pytest

from tests.e2e.conftest import StackFactory
from tests.e2e.orders import place_custom_order
from trueup.bootstrap import build_back_office
from trueup.config import load_config
from trueup.domain.errors import Cause
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.local_stack.processes import trueup_command
from trueup.local_stack.stack import LocalStack
from trueup.local_stack.tryton_catalogue import receive_stock
from trueup.service_layer.ports import BackOffice

pytestmark = [pytest.mark.slow, pytest.mark.tryton]

UPDATE_ADDRESS = """
mutation E2EMoveOrder($input: OrderInput!) {
  orderUpdate(input: $input) { order { id } userErrors { field message } }
}
"""
CANCEL = """
mutation E2ECancel($id: ID!) {
  orderCancel(orderId: $id, reason: CUSTOMER, restock: true, refund: false, notifyCustomer: false) {
    job { id } orderCancelUserErrors { field message }
  }
}
"""
NEW_ADDRESS = {"address1": "9 Elm Street", "city": "Dallas", "zip": "75201", "countryCode": "US", "provinceCode": "TX"}


def entry_of(stack: LocalStack, order_id: str) -> LedgerEntry | None:
    store = stack.store()
    try:
        return store.ledger_entry(stack.shop_domain, order_id)
    finally:
        store.close()


def wait_for_entry(stack: LocalStack, order_id: str, state: OrderState, timeout: float = 90.0) -> LedgerEntry:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        entry = entry_of(stack, order_id)
        if entry is not None and entry.state == state:
            return entry
        time.sleep(0.5)
    raise AssertionError(f"{order_id} never reached {state} (last: {entry_of(stack, order_id)})")


def a_stocked_sku(stack: LocalStack) -> tuple[str, str]:
    item = next(i for i in stack.shopify().catalogue() if not i.components and i.sku)
    with stack.tryton_client() as client:
        receive_stock(client, {item.sku: 20}, "WH1")
    return item.sku, str(item.price.amount)


def erp_sale(stack: LocalStack, sale_id: int) -> dict[str, Any]:
    with stack.tryton_client() as client:
        (sale,) = client.call("sale.sale", "read", [sale_id], ["state", "shipments", "shipment_address.city"])
        shipments = client.call("stock.shipment.out", "read", sale["shipments"], ["state", "delivery_address.city"])
    return {
        "state": sale["state"],
        "city": sale["shipment_address."]["city"],
        "shipments": sorted((s["state"], s["delivery_address."]["city"]) for s in shipments),
    }


def back_office(stack: LocalStack) -> BackOffice:
    return build_back_office(load_config(stack.config_path))


def pick(stack: LocalStack, sale_id: int) -> None:
    """The warehouse picks the sale's shipment in Tryton."""
    with stack.tryton_client() as client:
        (sale,) = client.call("sale.sale", "read", [sale_id], ["shipments"])
        for button in ("assign_try", "pick"):
            client.call("stock.shipment.out", button, sale["shipments"])


def move(stack: LocalStack, order_id: str) -> None:
    result = stack.graphql(UPDATE_ADDRESS, {"input": {"id": order_id, "shippingAddress": NEW_ADDRESS}})
    assert result["data"]["orderUpdate"]["userErrors"] == []


def fulfilment_statuses(stack: LocalStack, order_id: str) -> set[str]:
    state = stack.shopify().order_fulfilment(order_id)
    assert state is not None
    return {fo.status for fo in state.fulfillment_orders}


def test_changes_reach_the_erp_before_the_cut_off_and_are_exceptions_after(start_stack: StackFactory):
    stack = start_stack()
    sku, price = a_stocked_sku(stack)
    moved, picked, cancelled = (place_custom_order(stack, sku, price) for _ in range(3))
    sales = {oid: wait_for_entry(stack, oid, OrderState.POSTED).erp_sale_id for oid in (moved, picked, cancelled)}
    assert all(sales.values())
    pick(stack, sales[picked])

    move(stack, moved)
    move(stack, picked)
    cancel = stack.graphql(CANCEL, {"id": cancelled})["data"]["orderCancel"]
    assert cancel["orderCancelUserErrors"] == []
    stack.graphql("query E2EAnyCall { shop { name } }")  # the sandbox runs the cancel job on the next request

    parked = wait_for_entry(stack, picked, OrderState.EXCEPTION)
    assert parked.cause == Cause.CHANGED_AFTER_CUT_OFF
    assert parked.needs == {"changes": ["shipping address changed"]}
    assert "Dallas" not in (parked.detail or "")
    assert erp_sale(stack, sales[picked])["city"] == "Austin", "not applied after picking"

    gone = wait_for_entry(stack, cancelled, OrderState.CANCELLED)
    assert gone.erp_sale_id == sales[cancelled]
    # Its invoice was posted with the sale, so Tryton keeps the sale with nothing left sold on it.
    assert back_office(stack).sale_progress(sales[cancelled]).is_cancelled
    assert {state for state, _ in erp_sale(stack, sales[cancelled])["shipments"]} == {"cancelled"}

    deadline = time.monotonic() + 60
    while erp_sale(stack, sales[moved])["city"] != "Dallas" and time.monotonic() < deadline:
        time.sleep(0.5)
    moved_sale = erp_sale(stack, sales[moved])
    assert moved_sale["city"] == "Dallas"
    assert [city for state, city in moved_sale["shipments"] if state != "cancelled"] == ["Dallas"]
    assert entry_of(stack, moved).state == OrderState.POSTED  # type: ignore[union-attr]


def test_a_held_order_waits_in_shopify_then_posts_when_released(start_stack: StackFactory):
    stack = start_stack(hold_minutes=30)
    sku, price = a_stocked_sku(stack)
    order_id = place_custom_order(stack, sku, price)

    held = wait_for_entry(stack, order_id, OrderState.HELD)
    assert held.held_until is not None
    assert fulfilment_statuses(stack, order_id) == {"ON_HOLD"}
    assert stack.erp_sales() == []

    release = subprocess.run(
        trueup_command("release", held.name, "--config", str(stack.config_path)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert release.returncode == 0, release.stderr

    posted = wait_for_entry(stack, order_id, OrderState.POSTED)
    assert posted.erp_sale_id is not None
    assert fulfilment_statuses(stack, order_id) == {"OPEN"}
    assert len(stack.erp_sales()) == 1
