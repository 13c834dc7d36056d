"""REST-format bodies (snake_case, numeric ids) of the post-purchase webhooks: fulfilments, refunds, holds."""

from __future__ import annotations

from typing import Any

from shopify_sandbox.models.orders import FulfillmentOrder, OrderTransaction
from shopify_sandbox.models.post_purchase import FulfillmentHold, SandboxFulfillment, SandboxRefund
from shopify_sandbox.money import format_amount
from shopify_sandbox.rest_payloads import line_item_to_rest, money, price_set, shipping_line_to_rest, timestamp


def transaction_to_rest(transaction: OrderTransaction) -> dict[str, Any]:
    """The REST Transaction: its amount in the currency the customer paid in (the presentment currency), as
    REST shows transactions unless asked for the shop currency (`in_shop_currency`)."""
    amount = transaction.amount_set
    return {
        "id": transaction.number,
        "admin_graphql_api_id": transaction.id,
        "order_id": transaction.order.number if transaction.order else None,
        "kind": transaction.kind.lower(),
        "gateway": transaction.gateway,
        "status": transaction.status.lower(),
        "amount": format_amount(amount.presentment) if amount else "0.00",
        "currency": amount.presentment_money.currency_code if amount else None,
        "parent_id": transaction.parent_transaction.number if transaction.parent_transaction else None,
        "authorization": transaction.authorization_code,
        "created_at": timestamp(transaction.created_at),
        "processed_at": timestamp(transaction.processed_at),
        "test": transaction.test,
        "error_code": transaction.error_code,
        "message": None,
        "source_name": "sandbox",
    }


def fulfillment_to_rest(fulfillment: SandboxFulfillment) -> dict[str, Any]:
    """The REST Fulfillment resource (fulfillments/create)."""
    tracking = fulfillment.tracking_info
    lines = []
    for fulfilled in fulfillment.fulfillment_line_items:
        assert fulfilled.line_item is not None
        lines.append(line_item_to_rest(fulfilled.line_item) | {"quantity": fulfilled.quantity})
    return {
        "id": fulfillment.number,
        "admin_graphql_api_id": fulfillment.id,
        "order_id": fulfillment.order.number if fulfillment.order else None,
        "name": fulfillment.name,
        "status": fulfillment.status.lower(),
        "service": "manual",
        "location_id": fulfillment.location.number if fulfillment.location else None,
        "created_at": timestamp(fulfillment.created_at),
        "updated_at": timestamp(fulfillment.updated_at),
        "tracking_company": tracking[0].company if tracking else None,
        "tracking_number": tracking[0].number if tracking else None,
        "tracking_numbers": [t.number for t in tracking if t.number],
        "tracking_url": tracking[0].url if tracking else None,
        "tracking_urls": [t.url for t in tracking if t.url],
        "shipment_status": None,
        "notify_customer": fulfillment.notify_customer,
        "origin_address": None,
        "receipt": {},
        "line_items": lines,
    }


def refund_to_rest(refund: SandboxRefund) -> dict[str, Any]:
    """The REST Refund resource (refunds/create)."""
    order_number = refund.order.number if refund.order else None
    return {
        "id": refund.number,
        "admin_graphql_api_id": refund.id,
        "order_id": order_number,
        "note": refund.note,
        "user_id": None,
        "created_at": timestamp(refund.created_at),
        "processed_at": timestamp(refund.processed_at),
        "restock": any(line.restocked for line in refund.refund_line_items),
        "duties": [],
        "additional_fees": [],
        "return": None,
        "refund_line_items": [
            {
                "id": line.number,
                "line_item_id": line.line_item.number if line.line_item else None,
                "quantity": line.quantity,
                "location_id": line.location.number if line.location else None,
                "restock_type": line.restock_type.lower(),
                "subtotal": float(line.subtotal_set.shop) if line.subtotal_set else 0.0,
                "subtotal_set": price_set(line.subtotal_set),
                "total_tax": float(line.total_tax_set.shop) if line.total_tax_set else 0.0,
                "total_tax_set": price_set(line.total_tax_set),
                "line_item": line_item_to_rest(line.line_item) if line.line_item else None,
            }
            for line in refund.refund_line_items
        ],
        "refund_shipping_lines": [
            {
                "id": shipping.number,
                "shipping_line_id": shipping.shipping_line.number if shipping.shipping_line else None,
                "subtotal_amount_set": price_set(shipping.subtotal_amount_set),
                "shipping_line": shipping_line_to_rest(shipping.shipping_line) if shipping.shipping_line else None,
            }
            for shipping in refund.refund_shipping_lines
        ],
        "transactions": [transaction_to_rest(t) for t in refund.transactions],
        "order_adjustments": [
            {
                "id": adjustment.number,
                "order_id": order_number,
                "refund_id": refund.number,
                "kind": adjustment.reason.lower(),
                "reason": adjustment.reason.replace("_", " ").capitalize(),
                "amount": money(adjustment.amount_set),
                "amount_set": price_set(adjustment.amount_set),
                "tax_amount": money(adjustment.tax_amount_set),
                "tax_amount_set": price_set(adjustment.tax_amount_set),
            }
            for adjustment in refund.order_adjustments
        ],
    }


def fulfillment_order_to_rest(fulfillment_order: FulfillmentOrder) -> dict[str, Any]:
    return {
        "id": fulfillment_order.id,
        "status": fulfillment_order.status.lower(),
        "order_id": fulfillment_order.order.id if fulfillment_order.order else None,
        "fulfillment_holds": [hold_to_rest(hold) for hold in fulfillment_order.fulfillment_holds],
    }


def hold_to_rest(hold: FulfillmentHold) -> dict[str, Any]:
    return {"id": hold.id, "reason": hold.reason.lower(), "reason_notes": hold.reason_notes, "handle": hold.handle}
