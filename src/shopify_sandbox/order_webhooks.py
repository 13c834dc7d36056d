"""The REST order of orders/* webhooks once the order has moved on: current totals, refunds, fulfilments.

H1's `order_to_rest` describes the order as placed; after edits, refunds and fulfilments Shopify's
`current_*` fields, `refunds` and `fulfillments` follow what happened, and so do these.
"""

from __future__ import annotations

from typing import Any

from shopify_sandbox.models.orders import Order
from shopify_sandbox.models.post_purchase import SandboxFulfillment, SandboxRefund
from shopify_sandbox.order_money import current_totals, order_currencies, refunded_shipping
from shopify_sandbox.rest_payloads import money, order_to_rest, price_set
from shopify_sandbox.rest_post_purchase import fulfillment_to_rest, refund_to_rest
from shopify_sandbox.state import ShopState


def order_rest_now(state: ShopState, order: Order) -> dict[str, Any]:
    """The REST Order resource as it stands now."""
    currencies = order_currencies(order, state.shop.presentment_rates)
    shipping, shipping_tax = refunded_shipping(order, currencies)
    now = current_totals(order, currencies, shipping, shipping_tax)
    current = {
        "current_total_price": money(now.total), "current_total_price_set": price_set(now.total),
        "current_subtotal_price": money(now.subtotal), "current_subtotal_price_set": price_set(now.subtotal),
        "current_total_tax": money(now.tax), "current_total_tax_set": price_set(now.tax),
        "current_total_discounts": money(now.discounts), "current_total_discounts_set": price_set(now.discounts),
        "cancel_reason": order.cancel_reason.lower() if order.cancel_reason else None,
    }  # fmt: skip
    refunds = [refund_to_rest(r) for r in order.refunds if isinstance(r, SandboxRefund)]
    fulfillments = [fulfillment_to_rest(f) for f in order.fulfillments if isinstance(f, SandboxFulfillment)]
    return order_to_rest(order) | current | {"refunds": refunds, "fulfillments": fulfillments}
