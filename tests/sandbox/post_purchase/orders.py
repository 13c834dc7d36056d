"""Factories for post-purchase tests: a sandbox with a recording bus, and orders placed through orderCreate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.sandbox.factories import RecordingBus, SandboxClient, money, sandbox_config

PLACE = """
mutation Place($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    userErrors { field message }
    order { id name totalPriceSet { shopMoney { amount } }
      lineItems(first: 20) { nodes { id sku quantity } }
      fulfillmentOrders(first: 5) { nodes { id status lineItems(first: 20) { nodes { id sku remainingQuantity } } } } }
  }
}
"""


def sandbox() -> tuple[SandboxClient, RecordingBus]:
    bus = RecordingBus()
    return SandboxClient(sandbox_config(bus=bus)), bus


def place_order(
    client: SandboxClient,
    quantities: dict[str, int],
    *,
    shipping: str = "5.00",
    tax_rate: str = "0.2",
    paid: bool = True,
    gateway: str = "shopify_payments",
) -> dict[str, Any]:
    """An order of `quantities` by SKU with shipping and one tax, paid in full through `gateway`, stock committed."""
    order: dict[str, Any] = {
        "currency": "EUR",
        "lineItems": [{"variantId": client.variant_id(sku), "quantity": n} for sku, n in quantities.items()],
        "taxLines": [{"title": "VAT", "rate": tax_rate}],
        "shippingLines": [
            {"title": "Standard", "priceSet": money(shipping), "taxLines": [{"title": "VAT", "rate": tax_rate}]}
        ],
    }
    placed = client.graphql(PLACE, {"order": order, "options": {"inventoryBehaviour": "DECREMENT_IGNORING_POLICY"}})
    created = placed["data"]["orderCreate"]["order"]
    if paid:
        total = created["totalPriceSet"]["shopMoney"]["amount"]
        client.state.by_gid(created["id"]).transactions.clear()
        _pay(client, created["id"], Decimal(total), gateway)
    return created  # type: ignore[no-any-return]


def _pay(client: SandboxClient, order_id: str, amount: Decimal, gateway: str) -> None:
    from shopify_sandbox.models.orders import OrderTransaction
    from shopify_sandbox.money import Currencies

    state = client.state
    order = state.by_gid(order_id)
    order.transactions.append(
        state.add(
            OrderTransaction(
                number=state.new_number("OrderTransaction"),
                kind="SALE",
                gateway=gateway,
                amount_set=Currencies("EUR", "EUR").bag(amount),
                created_at=state.now(),
                processed_at=state.now(),
                order=order,
            )
        )
    )
    order.display_financial_status = "PAID"


def levels(client: SandboxClient, sku: str, location: str = "Main") -> dict[str, int]:
    level = client.item(sku).levels[client.location(location).number]
    return {name: level.quantity(name) for name in ("available", "committed", "on_hand")}
