"""Every scalar, enum and money field of the post-purchase types answers (none is left unimplemented)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from graphql import GraphQLEnumType, GraphQLObjectType, GraphQLScalarType, get_named_type, is_non_null_type

from shopify_sandbox.payments_ledger import open_dispute
from shopify_sandbox.payouts import run_payouts
from shopify_sandbox.schema import admin_schema
from tests.sandbox.post_purchase.orders import place_order, sandbox

MONEY = {
    "MoneyV2": "{ amount currencyCode }",
    "MoneyBag": "{ shopMoney { amount currencyCode } presentmentMoney { amount } }",
}


def selection(type_name: str) -> str:
    """The type's non-deprecated leaf and money fields that take no required argument."""
    object_type = admin_schema("2026-10").get_type(type_name)
    assert isinstance(object_type, GraphQLObjectType)
    fields = []
    for name, field in object_type.fields.items():
        if field.deprecation_reason or any(is_non_null_type(arg.type) for arg in field.args.values()):
            continue
        named = get_named_type(field.type)
        if isinstance(named, GraphQLScalarType | GraphQLEnumType):
            fields.append(name)
        elif named.name in MONEY:
            fields.append(f"{name} {MONEY[named.name]}")
    return " ".join(fields)


HOLD = (
    "mutation($id: ID!) { fulfillmentOrderHold(id: $id, fulfillmentHold: {reason: OTHER}) { userErrors { message } } }"
)
RELEASE = "mutation($id: ID!) { fulfillmentOrderReleaseHold(id: $id) { userErrors { message } } }"
SHIP = "mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) { userErrors { message } } }"
REFUND = 'mutation($i: RefundInput!) { refundCreate(input: $i) @idempotent(key: "c") { userErrors { message } } }'
BULK = """mutation { bulkOperationRunQuery(query: "{ orders { nodes { id } } }", groupObjects: false) {
  userErrors { message } } }"""


def _shipped_and_refunded_order():
    """An order that was held, released, shipped, partly returned and disputed, in a paid-out balance."""
    client, _ = sandbox()
    order = place_order(client, {"SHIRT-S": 2})
    fulfillment_order = order["fulfillmentOrders"]["nodes"][0]
    client.graphql(HOLD, {"id": fulfillment_order["id"]})
    client.graphql(RELEASE, {"id": fulfillment_order["id"]})
    shipment = {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fulfillment_order["id"]}],
                "trackingInfo": {"number": "1Z", "company": "UPS"}}  # fmt: skip
    client.graphql(SHIP, {"f": shipment})
    line = {"lineItemId": order["lineItems"]["nodes"][0]["id"], "quantity": 1, "restockType": "RETURN"}
    money_back = {"orderId": order["id"], "amount": "20.00", "gateway": "shopify_payments", "kind": "REFUND"}
    refund = {
        "orderId": order["id"],
        "refundLineItems": [line],
        "shipping": {"fullRefund": True},
        "transactions": [money_back],
    }
    assert client.graphql(REFUND, {"i": refund})["data"]["refundCreate"]["userErrors"] == []
    open_dispute(client.state, client.state.by_gid(order["id"]), Decimal("3.00"))
    run_payouts(client.state)
    return client, order


# Order is H1's; these are the Order fields that post-purchase events move.
ORDER_FIELDS = " ".join(
    [
        "edited displayFinancialStatus displayFulfillmentStatus cancelledAt cancelReason closed",
        "currentSubtotalLineItemsQuantity",
        *(f"{name} {MONEY['MoneyBag']}" for name in ("currentTotalPriceSet", "currentSubtotalPriceSet",
          "currentTotalTaxSet", "currentTotalDiscountsSet", "currentShippingPriceSet", "currentCartDiscountAmountSet",
          "totalRefundedSet", "totalRefundedShippingSet", "netPaymentSet")),
    ]
)  # fmt: skip

QUERIES = {
    "order": lambda: (
        f"""query($id: ID!) {{ order(id: $id) {{
        fulfillments {{ {selection("Fulfillment")} trackingInfo {{ {selection("FulfillmentTrackingInfo")} }}
          fulfillmentLineItems(first: 5) {{ nodes {{ {selection("FulfillmentLineItem")} }} }} }}
        fulfillmentOrders(first: 5) {{ nodes {{ fulfillmentHolds {{ id }} }} }}
        refunds {{ {selection("Refund")} refundLineItems(first: 5) {{ nodes {{ {selection("RefundLineItem")} }} }}
          refundShippingLines(first: 5) {{ nodes {{ {selection("RefundShippingLine")} }} }}
          transactions(first: 5) {{ nodes {{ id kind gateway }} }} }}
        {ORDER_FIELDS} }} }}"""
    ),
    "payouts": lambda: (
        f"""{{ shopifyPaymentsAccount {{ {selection("ShopifyPaymentsAccount")}
        balanceTransactions(first: 10) {{ nodes {{ {selection("ShopifyPaymentsBalanceTransaction")}
          associatedOrder {{ id name }} associatedPayout {{ id status }} }} }}
        payouts(first: 5) {{ nodes {{ {selection("ShopifyPaymentsPayout")}
          summary {{ {selection("ShopifyPaymentsPayoutSummary")} }} }} }}
        disputes(first: 5) {{ nodes {{ {selection("ShopifyPaymentsDispute")} }} }} }} }}"""
    ),
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_field_answers(name):
    client, order = _shipped_and_refunded_order()
    answer = client.graphql(QUERIES[name](), {"id": order["id"]} if name == "order" else None)
    assert answer.get("errors") is None, answer.get("errors")


def test_every_field_of_an_edit_and_a_bulk_operation_answers():
    client, order = _shipped_and_refunded_order()
    calculated = (
        f"{selection('CalculatedOrder')} lineItems(first: 5) {{ nodes {{ {selection('CalculatedLineItem')} }} }}"
    )
    begin = f"mutation($id: ID!) {{ orderEditBegin(id: $id) {{ calculatedOrder {{ {calculated} }} }} }}"
    edited = client.graphql(begin, {"id": order["id"]})
    assert edited.get("errors") is None, edited.get("errors")
    client.graphql(BULK)
    bulk = client.graphql(f"{{ currentBulkOperation {{ {selection('BulkOperation')} }} }}")
    assert bulk.get("errors") is None, bulk.get("errors")
