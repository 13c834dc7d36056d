"""The client reads an order's fulfilment orders whole: past 10 fulfilment orders, past 50 lines each."""

from __future__ import annotations

from tests.unit.shopify_client.payloads import ScriptedShopify, answer
from trueup.adapters.shopify.admin import ShopifyAdminClient

ORDER = "gid://shopify/Order/1001"


def fo_node(number: int, lines: int, location: int, more_lines: bool = False) -> dict:
    return {
        "id": f"gid://shopify/FulfillmentOrder/{number}",
        "status": "OPEN",
        "assignedLocation": {"location": {"id": f"gid://shopify/Location/{location}"}},
        "lineItems": {
            "nodes": [
                {"id": f"gid://shopify/FulfillmentOrderLineItem/{number}{i:03}", "sku": f"S{i}", "remainingQuantity": 1}
                for i in range(lines)
            ],
            "pageInfo": {"hasNextPage": more_lines, "endCursor": "l0" if more_lines else None},
        },
    }


def order_fulfilment(variables: dict) -> dict:
    """Twelve fulfilment orders in pages of ten; the first has 52 lines (50 here, 2 on a page of its own)."""
    first_page = variables["after"] is None
    nodes = [fo_node(1, 50, 1, more_lines=True), *(fo_node(n, 1, n % 2 + 1) for n in range(2, 11))]
    rest = [fo_node(n, 1, 2) for n in (11, 12)]
    connection = {
        "nodes": nodes if first_page else rest,
        "pageInfo": {"hasNextPage": first_page, "endCursor": "f0" if first_page else None},
    }
    fulfillments = [{"id": "gid://shopify/Fulfillment/9"}]
    return answer({"order": {"id": ORDER, "fulfillments": fulfillments, "fulfillmentOrders": connection}})


def more_lines(variables: dict) -> dict:
    assert (variables["id"], variables["after"]) == ("gid://shopify/FulfillmentOrder/1", "l0")
    lines = [
        {"id": f"gid://shopify/FulfillmentOrderLineItem/1{i:03}", "sku": f"S{i}", "remainingQuantity": 2}
        for i in (50, 51)
    ]
    return answer({"fulfillmentOrder": {"lineItems": {"nodes": lines, "pageInfo": {"hasNextPage": False}}}})


def test_every_fulfilment_order_and_every_line_is_read_with_its_location() -> None:
    shopify = ScriptedShopify({"TrueupOrderFulfilment": order_fulfilment, "TrueupFulfillmentOrderLines": more_lines})
    client = ShopifyAdminClient("demo.myshopify.com", "token", http=shopify.client())
    state = client.order_fulfilment(ORDER)
    assert state is not None
    assert len(state.fulfillment_orders) == 12
    first = state.fulfillment_orders[0]
    assert [line.sku for line in first.lines] == [f"S{i}" for i in range(52)]
    assert first.lines[-1].remaining == 2
    assert first.location_id == "gid://shopify/Location/1"
    assert state.fulfillment_orders[-1].location_id == "gid://shopify/Location/2"
    assert state.fulfillment_ids == ("gid://shopify/Fulfillment/9",)
    assert shopify.names() == ["TrueupOrderFulfilment", "TrueupOrderFulfilment", "TrueupFulfillmentOrderLines"]


def test_an_unknown_order_has_no_fulfilment() -> None:
    shopify = ScriptedShopify({"TrueupOrderFulfilment": lambda _v: answer({"order": None})})
    client = ShopifyAdminClient("demo.myshopify.com", "token", http=shopify.client())
    assert client.order_fulfilment(ORDER) is None
