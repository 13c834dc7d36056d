"""Placing orders in the sandbox through Shopify's own API, as a storefront would."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from trueup.entrypoints.local_stack import LocalStack

ORDER_CREATE = """
mutation E2EPlaceOrder($order: OrderCreateOrderInput!) {
  orderCreate(order: $order) {
    order { id name }
    userErrors { field message }
  }
}
"""


def place_custom_order(
    stack: LocalStack, sku: str, price: str, quantity: int = 1, email: str = "e2e@example.com"
) -> str:
    """A paid order of one custom line with `sku` (which Shopify does not need to know); returns its gid."""
    amount = str(Decimal(price) * quantity)
    order: dict[str, Any] = {
        "email": email,
        "currency": "USD",
        "financialStatus": "PAID",
        "lineItems": [
            {
                "title": f"Custom {sku}",
                "sku": sku,
                "quantity": quantity,
                "priceSet": {"shopMoney": {"amount": price, "currencyCode": "USD"}},
                "requiresShipping": True,
                "taxable": False,
            }
        ],
        "transactions": [
            {"kind": "SALE", "status": "SUCCESS", "amountSet": {"shopMoney": {"amount": amount, "currencyCode": "USD"}}}
        ],
        "shippingAddress": {"firstName": "Ada", "lastName": "Byron", "address1": "1 Engine Row", "city": "Austin",
                            "zip": "78701", "countryCode": "US", "provinceCode": "TX"},
    }  # fmt: skip
    result = stack.graphql(ORDER_CREATE, {"order": order})["data"]["orderCreate"]
    assert result["userErrors"] == [], result["userErrors"]
    return str(result["order"]["id"])
