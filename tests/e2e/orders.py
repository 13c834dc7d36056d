"""Placing orders in the sandbox through Shopify's own API, as a storefront would."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from trueup.local_stack.stack import LocalStack

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
    return place_custom_lines(stack, [(sku, price, quantity)], email)


def place_custom_lines(stack: LocalStack, lines: list[tuple[str, str, int]], email: str = "e2e@example.com") -> str:
    """A paid order of custom lines (SKU, unit price, quantity), untaxed, shipped to Austin; returns its gid."""
    amount = str(sum((Decimal(price) * quantity for _, price, quantity in lines), Decimal(0)))
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
            for sku, price, quantity in lines
        ],
        "transactions": [
            {"kind": "SALE", "status": "SUCCESS", "amountSet": {"shopMoney": {"amount": amount, "currencyCode": "USD"}}}
        ],
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
    return str(result["order"]["id"])


COMPANY_LOCATIONS = "query E2ECompanyLocations { companyLocations(first: 1) { nodes { id name } } }"


def place_company_order(
    stack: LocalStack, sku: str, price: str, quantity: int = 10, po_number: str = "PO-E2E-1"
) -> str:
    """A paid B2B order (the shop's first company location, on its payment terms, with a PO number) of one
    line of a catalogue `sku`; returns its gid. The trading's own company orders wait for payment."""
    locations = stack.graphql(COMPANY_LOCATIONS)["data"]["companyLocations"]["nodes"]
    assert locations, "the sandbox shop has no company location"
    order: dict[str, Any] = {
        "companyLocationId": locations[0]["id"],
        "poNumber": po_number,
        "currency": "USD",
        "financialStatus": "PAID",
        "lineItems": [
            {
                "sku": sku,
                "title": f"Wholesale {sku}",
                "quantity": quantity,
                "taxable": False,
                "requiresShipping": True,
                "priceSet": {"shopMoney": {"amount": price, "currencyCode": "USD"}},
            }
        ],
    }
    result = stack.graphql(ORDER_CREATE, {"order": order})["data"]["orderCreate"]
    assert result["userErrors"] == [], result["userErrors"]
    return str(result["order"]["id"])
