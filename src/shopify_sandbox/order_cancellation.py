"""orderCancel: checked at once, applied asynchronously by a job (as Shopify does), then announced.

Cancelling releases the stock still committed to the order (back to available when `restock`), closes
its fulfillment orders, and with a refund returns the money received through the original gateways.
"""

from __future__ import annotations

import uuid
from typing import Any

from shopify_sandbox.models.orders import Order
from shopify_sandbox.models.post_purchase import OrderCancelJob
from shopify_sandbox.money import format_amount
from shopify_sandbox.order_money import order_currencies
from shopify_sandbox.order_webhooks import order_rest_now
from shopify_sandbox.post_purchase_state import extension
from shopify_sandbox.refund_money import left_on
from shopify_sandbox.refunds import RECEIVED_KINDS, create_refund, money_received
from shopify_sandbox.state import ShopState
from shopify_sandbox.stock_movements import release

CANCEL_DELAY_SECONDS = 0.0


class CancelError(ValueError):
    def __init__(self, message: str, field: list[str], code: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


def request_cancel(state: ShopState, arguments: dict[str, Any]) -> OrderCancelJob:
    """Check the request and start the job that cancels the order; nothing changes before it runs."""
    order = state.by_gid(arguments["orderId"], "Order")
    if order is None:
        raise CancelError("Order not found", ["orderId"], "NOT_FOUND")
    if order.cancelled_at is not None:
        raise CancelError("Order has already been cancelled", ["orderId"], "INVALID")
    if order.fulfillments:
        raise CancelError("Cannot cancel an order with fulfillments", ["orderId"], "INVALID")
    method = arguments.get("refundMethod") or {}
    if arguments.get("refund") is not None and method:
        raise CancelError("Only one of refund or refundMethod can be provided", ["refundMethod"], "INVALID")
    side = extension(state)
    number = state.new_number("Job")
    job_id = f"gid://shopify/Job/{uuid.uuid5(uuid.NAMESPACE_URL, f'{state.shop.myshopify_domain}/job/{number}')}"
    job = OrderCancelJob(number=number, order=order, job_id=job_id)
    side.job_results[job_id] = job
    refund = bool(
        arguments.get("refund") or method.get("originalPaymentMethodsRefund") or method.get("storeCreditRefund")
    )
    options = {
        "refund": refund,
        "restock": bool(arguments["restock"]),
        "reason": arguments["reason"],
        "staff_note": arguments.get("staffNote"),
    }
    side.defer(state, lambda s: _run(s, job, options), CANCEL_DELAY_SECONDS)
    return job


def _run(state: ShopState, job: OrderCancelJob, options: dict[str, Any]) -> None:
    order = job.order
    assert order is not None
    if order.cancelled_at is not None or order.fulfillments:
        job.status = "FAILED"
        job.errors = [{"field": ["orderId"], "message": "Order can no longer be cancelled", "code": "INVALID"}]
        return
    if options["refund"]:
        _refund_everything(state, order, options["restock"])
    else:
        for line in order.line_items:
            release(state, line, max(line.current_quantity - line.fulfilled_quantity, 0), options["restock"])
    _close(state, order, options["reason"])
    job.status = "SUCCEEDED"
    rest = order_rest_now(state, order)
    state.publish("orders/cancelled", rest)
    state.publish("orders/updated", rest)


def _refund_everything(state: ShopState, order: Order, restock: bool) -> None:
    currencies = order_currencies(order, state.shop.presentment_rates)
    restock_type = "CANCEL" if restock else "NO_RESTOCK"
    lines = [
        {"lineItemId": line.id, "quantity": line.current_quantity, "restockType": restock_type}
        for line in order.line_items
        if line.current_quantity
    ]
    transactions = []
    # refundCreate takes the presentment currency: each payment gets back what is left of it, as paid.
    left = money_received(order, currencies).presentment
    for paid in (t for t in order.transactions if t.kind in RECEIVED_KINDS and t.status == "SUCCESS" and t.amount_set):
        amount = min(left_on(order, paid, currencies).presentment, left)
        if amount > 0:
            transactions.append(
                {
                    "amount": format_amount(amount),
                    "gateway": paid.gateway,
                    "kind": "REFUND",
                    "orderId": order.id,
                    "parentId": paid.id,
                }
            )
            left -= amount
    create_refund(
        state,
        {
            "orderId": order.id,
            "currency": order.presentment_currency_code,
            "refundLineItems": lines,
            "shipping": {"fullRefund": True},
            "transactions": transactions,
            "note": "Order cancelled",
        },
    )


def _close(state: ShopState, order: Order, reason: str) -> None:
    now = state.now()
    for fulfillment_order in order.fulfillment_orders:
        if fulfillment_order.status != "CLOSED":
            fulfillment_order.fulfillment_holds = []
            fulfillment_order.status = "CLOSED"
            fulfillment_order.updated_at = now
    if order.display_financial_status in ("AUTHORIZED", "PENDING") and not any(
        t.kind in RECEIVED_KINDS for t in order.transactions
    ):
        order.display_financial_status = "VOIDED"
    order.cancelled_at = order.closed_at = order.updated_at = now
    order.cancel_reason = reason  # the OrderCancelReason value; REST shows it lower-case
