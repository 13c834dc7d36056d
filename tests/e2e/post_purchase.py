"""What happens to an order after it is posted, as the end-to-end tests make it happen: stock received in Tryton,
the warehouse picking the sale's shipment, the customer moving house in Shopify."""

from __future__ import annotations

from trueup.local_stack.stack import LocalStack
from trueup.local_stack.tryton_catalogue import receive_stock

UPDATE_ADDRESS = """
mutation E2EMoveOrder($input: OrderInput!) {
  orderUpdate(input: $input) { order { id } userErrors { field message } }
}
"""
NEW_ADDRESS = {"address1": "9 Elm Street", "city": "Dallas", "zip": "75201", "countryCode": "US", "provinceCode": "TX"}


def a_stocked_sku(stack: LocalStack) -> tuple[str, str]:
    return stocked_skus(stack, 1)[0]


def stocked_skus(stack: LocalStack, count: int) -> list[tuple[str, str]]:
    """`count` catalogue SKUs (with their price), 20 units of each received at WH1."""
    items = [i for i in stack.shopify().catalogue() if not i.components and i.sku][:count]
    with stack.tryton_client() as client:
        receive_stock(client, {item.sku: 20 for item in items}, "WH1")
    return [(item.sku, str(item.price.amount)) for item in items]


def pick(stack: LocalStack, sale_id: int) -> None:
    """The warehouse picks the sale's shipment in Tryton."""
    with stack.tryton_client() as client:
        (sale,) = client.call("sale.sale", "read", [sale_id], ["shipments"])
        for button in ("assign_try", "pick"):
            client.call("stock.shipment.out", button, sale["shipments"])


def move(stack: LocalStack, order_id: str) -> None:
    result = stack.graphql(UPDATE_ADDRESS, {"input": {"id": order_id, "shippingAddress": NEW_ADDRESS}})
    assert result["data"]["orderUpdate"]["userErrors"] == []
