"""Sandbox refunds → signed webhooks → trueup → a real Tryton: each refund is exactly one credit note.

One stack, one order, two refunds: the first is made while no worker runs, so its webhook arrives with the
order's own (the refund is applied once the order is posted); the second goes through duplicated and reordered
webhooks. Each becomes one credit note with Shopify's lines and tax, the returned unit comes back to stock,
and the ERP sale less its credit notes is Shopify's total after refunds.
"""

from __future__ import annotations

import time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from tests.e2e.conftest import StackFactory
from trueup.domain.ledger import OrderState
from trueup.domain.refunds import RefundRecord, RefundState
from trueup.local_stack.stack import LocalStack

pytestmark = [pytest.mark.slow, pytest.mark.tryton]
SETTLE = 180.0

ORDER_CREATE = """
mutation E2ERefundOrder($order: OrderCreateOrderInput!) {
  orderCreate(order: $order) { order { id name lineItems(first: 1) { nodes { id } } } userErrors { field message } }
}
"""
REFUND = """
mutation E2ERefund($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) { refund { id } userErrors { field message } }
}
"""
LOCATIONS = "query E2ELocations { locations(first: 1) { nodes { id } } }"


def usd(amount: Decimal) -> dict[str, Any]:
    return {"shopMoney": {"amount": str(amount), "currencyCode": "USD"}}


def place_taxed_order(stack: LocalStack, quantity: int) -> tuple[str, str, str, Decimal, Decimal]:
    """A paid order of `quantity` units of a catalogue product, taxed with one of the shop's own tax lines;
    returns (order gid, line item gid, SKU, unit price, tax of the line)."""
    from shopify_sandbox.trading.places import PLACES

    item = next(i for i in stack.shopify().catalogue() if not i.is_bundle and i.sku)
    rate = next(t for place in PLACES for t in place.taxes)
    price = item.price.amount
    tax = (price * quantity * rate.rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    order = {
        "email": "refunds@example.com",
        "currency": "USD",
        "financialStatus": "PAID",
        "lineItems": [
            {
                "variantId": item.variant_id,
                "quantity": quantity,
                "priceSet": usd(price),
                "taxLines": [{"title": rate.title, "rate": float(rate.rate), "priceSet": usd(tax)}],
            }
        ],
        "transactions": [{"kind": "SALE", "status": "SUCCESS", "amountSet": usd(price * quantity + tax)}],
        "shippingAddress": {
            "firstName": "Ada",
            "lastName": "Byron",
            "address1": "1 Engine Row",
            "city": "Austin",
            "zip": "78701",
            "countryCode": "US",
            "provinceCode": "TX",
        },
    }
    result = stack.graphql(ORDER_CREATE, {"order": order})["data"]["orderCreate"]
    assert result["userErrors"] == [], result["userErrors"]
    placed = result["order"]
    return placed["id"], placed["lineItems"]["nodes"][0]["id"], item.sku, price, tax


def refund(stack: LocalStack, order_id: str, line_id: str, restock: str, amount: Decimal, key: str) -> str:
    location = stack.graphql(LOCATIONS)["data"]["locations"]["nodes"][0]["id"]
    refund_input = {
        "orderId": order_id,
        "refundLineItems": [{"lineItemId": line_id, "quantity": 1, "restockType": restock, "locationId": location}],
        "transactions": [{"orderId": order_id, "amount": str(amount), "gateway": "manual", "kind": "REFUND"}],
    }
    result = stack.graphql(REFUND, {"input": refund_input, "key": key})["data"]["refundCreate"]
    assert result["userErrors"] == [], result["userErrors"]
    return str(result["refund"]["id"])


def refund_states(stack: LocalStack, order_id: str) -> list[RefundState]:
    return [r.state for r in refund_records(stack, order_id)]


def refund_records(stack: LocalStack, order_id: str) -> list[RefundRecord]:
    store = stack.store()
    try:
        return store.refund_records(order_id=order_id)
    finally:
        store.close()


def wait_for_refunds(stack: LocalStack, order_id: str, credited: int) -> None:
    deadline = time.monotonic() + SETTLE
    while time.monotonic() < deadline:
        if refund_states(stack, order_id).count(RefundState.CREDITED) == credited:
            return
        time.sleep(0.5)
    shown = [r.describe() for r in refund_records(stack, order_id)]
    raise AssertionError(f"timed out waiting for {credited} refund(s) credited: {shown}")


def credit_notes(stack: LocalStack) -> list[dict[str, Any]]:
    with stack.tryton_client() as client:
        rows: list[dict[str, Any]] = client.call(
            "account.invoice",
            "search_read",
            [("reference", "like", "shopify:%:refund:%"), ("type", "=", "out")],
            0,
            None,
            [("id", "ASC")],
            ["number", "reference", "state", "untaxed_amount", "tax_amount", "total_amount", "lines"],
        )
    return rows


def credited(note: dict[str, Any], field: str) -> Decimal:
    return Decimal(str(note[field]))


def returned_units(stack: LocalStack, reference: str) -> Decimal:
    with stack.tryton_client() as client:
        shipments = client.call(
            "stock.shipment.out.return", "search_read", [("reference", "=", reference)], 0, None, None, ["id", "state"]
        )
        if not shipments:
            return Decimal(0)
        moves = client.call(
            "stock.move",
            "search_read",
            [
                ("shipment", "in", [f"stock.shipment.out.return,{s['id']}" for s in shipments]),
                ("state", "=", "done"),
                ("from_location.type", "=", "customer"),
            ],  # received from the customer (not the put-away after)
            0,
            None,
            None,
            ["quantity"],
        )
    return sum((Decimal(str(m["quantity"])) for m in moves), Decimal(0))


def test_refunds_become_one_credit_note_each_whatever_the_webhooks_do(start_stack: StackFactory):
    stack = start_stack()
    # No worker while the order and its first refund arrive: both wait in the queue.
    stack.workers[0].stop()
    order_id, line_id, _sku, price, tax = place_taxed_order(stack, quantity=3)
    unit_tax = (tax / 3).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    first = refund(stack, order_id, line_id, "RETURN", price + unit_tax, key="first")
    stack.add_worker()

    wait_for_refunds(stack, order_id, credited=1)

    stack.set_faults(webhook_duplicate_rate=1.0, webhook_reorder_rate=0.5)
    second_tax = (tax * 2 / 3).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) - unit_tax
    refund(stack, order_id, line_id, "NO_RESTOCK", price + second_tax, key="second")
    wait_for_refunds(stack, order_id, credited=2)
    assert stack.wait_settled(SETTLE)

    notes = credit_notes(stack)
    assert len(notes) == 2  # one per refund, duplicates and all
    # Tryton's credit note is a customer invoice of negative amounts.
    assert sorted(-credited(n, "total_amount") for n in notes) == sorted([price + unit_tax, price + second_tax])
    first_note = next(n for n in notes if n["reference"].endswith(first.rsplit("/", 1)[-1]))
    assert (-credited(first_note, "untaxed_amount"), -credited(first_note, "tax_amount")) == (price, unit_tax)
    assert returned_units(stack, first_note["reference"]) == Decimal(1)  # the returned unit is back in stock
    goodwill = next(n for n in notes if n is not first_note)
    assert returned_units(stack, goodwill["reference"]) == Decimal(0)

    store = stack.store()
    try:
        entry = store.ledger_entry(stack.shop_domain, order_id)
    finally:
        store.close()
    assert entry is not None
    assert entry.state == OrderState.POSTED  # the sale less its notes is Shopify's total after refunds
    assert entry.erp_total is not None
    assert entry.erp_total.amount == price * 3 + tax  # the sale is the order as sold
