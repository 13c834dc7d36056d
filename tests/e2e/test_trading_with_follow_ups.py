"""Issue 5's "how we will know": the sandbox's trading with address changes, edits, cancellations and partial
refunds in the mix ends with ERP sales, credit notes and Shopify agreeing to the cent, per order and overall.

Follow-ups come 1 to 60 minutes after their order in the plan; at SPEED times the plan's pace they land
seconds after it, mostly once the order is in the ERP (nothing picks in this run, so all are before the cut-off).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from tests.e2e.conftest import StackFactory
from tests.e2e.test_money_end_to_end import parked_orders
from trueup.domain.ledger import OrderState
from trueup.domain.refunds import RefundState
from trueup.local_stack.stack import LocalStack

pytestmark = [pytest.mark.slow, pytest.mark.tryton]

# Shop seed 1, trading seed 45, 20 orders: an address change (of an authorised order), two edits of paid orders (a
# line added; a unit taken off), a paid order cancelled and a partial refund, over ~62 minutes of plan time. The
# kinds are checked below from Shopify's side, so a change of the generator is noticed.
SEED, ORDERS, SPEED = 45, 20, 100.0
SETTLE = 120.0
KINDS = {"address change", "edit", "cancellation", "partial refund"}

ORDERS_PAGE = """
query E2EFollowUps($after: String) {
  orders(first: 25, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name displayFinancialStatus cancelledAt edited paymentTerms { id }
      currentTotalPriceSet { shopMoney { amount } }
      shippingAddress { address1 } billingAddress { address1 }
      refunds { id totalRefundedSet { shopMoney { amount } } }
    }
  }
}
"""
SOLD = {"PAID", "AUTHORIZED", "PARTIALLY_PAID", "PARTIALLY_REFUNDED", "REFUNDED"}


def shopify_orders(stack: LocalStack) -> list[dict[str, Any]]:
    orders: list[dict[str, Any]] = []
    after = None
    while True:
        page = stack.graphql(ORDERS_PAGE, {"after": after})["data"]["orders"]
        orders += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return orders
        after = page["pageInfo"]["endCursor"]


def kinds_of(order: dict[str, Any]) -> set[str]:
    """The follow-ups an order had, read from Shopify's fields (the plan ships to the billing address)."""
    shipping, billing = order["shippingAddress"], order["billingAddress"]
    kinds = {
        "address change": shipping is not None and billing is not None and shipping != billing,
        "edit": order["edited"],
        "cancellation": order["cancelledAt"] is not None,
        "partial refund": order["displayFinancialStatus"] == "PARTIALLY_REFUNDED",
    }
    return {kind for kind, present in kinds.items() if present}


def number(gid: str) -> str:
    return gid.rsplit("/", 1)[-1]


def tail(reference: str) -> str:
    """The Shopify number an ERP reference ends with ("shopify:<shop>:1042", "shopify:<shop>:refund:7")."""
    return reference.rsplit(":", 1)[-1]


def amount(money: dict[str, Any]) -> Decimal:
    return Decimal(money["shopMoney"]["amount"])


def sold(order: dict[str, Any]) -> bool:
    """A sale for the ERP now: paid or authorised (refunded in part or not), or on payment terms."""
    status = order["displayFinancialStatus"]
    return order["cancelledAt"] is None and (status in SOLD or (status == "PENDING" and order["paymentTerms"]))


def test_trading_with_follow_ups_ends_with_sales_less_credit_notes_equal_to_shopify_per_order(
    start_stack: StackFactory,
):
    stack = start_stack()
    traded = stack.trade(orders=ORDERS, seed=SEED, follow_ups=True, speed=SPEED)
    assert traded["errors"] == []
    assert (traded["orders_failed"], traded["follow_ups_failed"]) == (0, 0)
    orders = shopify_orders(stack)
    assert KINDS - {kind for order in orders for kind in kinds_of(order)} == set()

    assert stack.wait_settled(SETTLE)

    assert parked_orders(stack) == {}  # each with its cause, should one be parked
    orders = shopify_orders(stack)
    sales = stack.erp_sales()
    assert [ref for ref, n in Counter(s["reference"] for s in sales).items() if n > 1] == []
    sale_of = {tail(s["reference"]): s for s in sales}
    assert {o["name"] for o in orders if number(o["id"]) in sale_of} <= {
        o["name"] for o in orders if sold(o) or o["cancelledAt"]
    }
    notes = stack.erp_credit_notes()
    assert [ref for ref, n in Counter(n["reference"] for n in notes).items() if n > 1] == []
    assert {n["state"] for n in notes} <= {"posted", "paid"}
    note_of = {tail(n["reference"]): n for n in notes}

    # Every refund is one credit note for what Shopify gave back, or covered by its sale's cancellation.
    refunds = {number(r["id"]): (o, r) for o in orders for r in o["refunds"]}
    covered = refund_numbers(stack, RefundState.COVERED_BY_CANCELLATION)
    recorded = {RefundState.CREDITED: set(note_of), RefundState.COVERED_BY_CANCELLATION: covered}
    assert refund_numbers(stack) == {state: refs for state, refs in recorded.items() if refs}  # none parked
    assert set(note_of) | covered == set(refunds)
    assert {ref: -Decimal(str(n["total_amount"])) for ref, n in note_of.items()} == {
        ref: amount(refunds[ref][1]["totalRefundedSet"]) for ref in note_of
    }
    assert all(refunds[ref][0]["cancelledAt"] for ref in covered)

    # Per order: what the ERP books of the sale (its invoices, which carry Shopify's tax; 0 once cancelled) less its
    # credit notes is Shopify's current total.
    credited = {o["name"]: Decimal(0) for o in orders}
    for ref, note in note_of.items():
        credited[refunds[ref][0]["name"]] -= Decimal(str(note["total_amount"]))  # Tryton's note is negative
    accounted = [o for o in orders if sold(o) or number(o["id"]) in sale_of or o["cancelledAt"]]
    booked = {tail(reference): total for reference, total in stack.erp_booked_totals().items()}
    erp = {o["name"]: booked.get(number(o["id"]), Decimal(0)) - credited[o["name"]] for o in accounted}
    shopify = {o["name"]: amount(o["currentTotalPriceSet"]) for o in accounted}
    assert erp == shopify
    assert sum(erp.values()) == sum(shopify.values())
    assert ledger_states(stack, orders) == {
        o["name"]: expected_state(o, number(o["id"]) in sale_of) for o in orders if o["name"] in shopify
    }
    assert_new_addresses_reached_the_erp(stack, [o for o in orders if "address change" in kinds_of(o)], sale_of)

    # `trueup verify` reads every posted order's documents from the ERP: after a clean run it finds nothing.
    (verified,) = stack.verify().values()
    assert verified["findings"] == []
    assert verified["orders"] == len(sale_of)
    assert verified["equal"] == verified["documents"] >= len(sale_of) + len(note_of)


def expected_state(order: dict[str, Any], in_erp: bool) -> OrderState:
    if order["cancelledAt"] is None:
        return OrderState.POSTED
    return OrderState.CANCELLED if in_erp else OrderState.CANCELLED_UNPOSTED


def ledger_states(stack: LocalStack, orders: list[dict[str, Any]]) -> dict[str, OrderState | None]:
    store = stack.store()
    try:
        entries = {o["name"]: store.ledger_entry(stack.shop_domain, o["id"]) for o in orders}
    finally:
        store.close()
    return {
        name: entry.state for name, entry in entries.items() if entry and entry.state != OrderState.WAITING_FOR_PAYMENT
    }


def refund_numbers(stack: LocalStack, state: RefundState | None = None) -> Any:
    """The refund numbers trueup recorded in `state`; without one, all of them by state."""
    store = stack.store()
    try:
        records = store.refund_records(shop=stack.shop_domain, state=state)
    finally:
        store.close()
    if state is not None:
        return {number(r.refund_id) for r in records}
    by_state: dict[RefundState, set[str]] = {}
    for record in records:
        by_state.setdefault(record.state, set()).add(number(record.refund_id))
    return by_state


def assert_new_addresses_reached_the_erp(stack: LocalStack, moved: list[dict[str, Any]], sale_of: dict[str, Any]):
    """The re-addressed orders still sold have their ERP sale shipping to Shopify's new street."""
    live = [o for o in moved if o["cancelledAt"] is None and number(o["id"]) in sale_of]
    with stack.tryton_client() as client:
        rows = client.call(
            "sale.sale",
            "read",
            [sale_of[number(o["id"])]["id"] for o in live],
            ["shipment_address.street_unstructured"],
        )
    streets = [(row["shipment_address."]["street_unstructured"] or "").split("\n", 1)[0] for row in rows]
    assert streets == [o["shippingAddress"]["address1"] for o in live]
