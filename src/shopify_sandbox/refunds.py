"""refundCreate: refunded lines (with their restock), shipping, and the money actually returned.

Line money is prorated per unit (order_money); the refund's total is the sum of its transactions, as in
Shopify; a difference from the calculated value is recorded as a REFUND_DISCREPANCY order adjustment.
Amounts asked for (transactions, shipping) are in the order's presentment currency; their shop amounts are
derived (refund_money).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shopify_sandbox.fulfillment_commands import refresh_fulfillment_status, shrink_fulfillment_orders
from shopify_sandbox.models.orders import LineItem, Order, OrderTransaction
from shopify_sandbox.models.post_purchase import OrderAdjustment, RefundLineItem, RefundShippingLine, SandboxRefund
from shopify_sandbox.money import Currencies, MoneyBag, to_decimal
from shopify_sandbox.order_money import (
    line_tax,
    order_currencies,
    prorate,
    refunded_shipping,
    shipping_value,
    units_slice,
)
from shopify_sandbox.order_pricing import allocate_bag, discounted_line_total
from shopify_sandbox.order_webhooks import order_rest_now
from shopify_sandbox.refund_money import presentment_part, refund_shop_total, transaction_shop_amounts
from shopify_sandbox.rest_post_purchase import refund_to_rest
from shopify_sandbox.state import ShopState
from shopify_sandbox.stock_movements import put_back, release

RESTOCKING = ("RETURN", "CANCEL")
RECEIVED_KINDS = ("SALE", "CAPTURE")


class RefundError(ValueError):
    def __init__(self, message: str, field: list[str] | None = None) -> None:
        super().__init__(message)
        self.field = field


def refunded_units(order: Order, line: LineItem) -> int:
    return sum(
        r.quantity for refund in order.refunds for r in getattr(refund, "refund_line_items", []) if r.line_item is line
    )


def money_received(order: Order, currencies: Currencies) -> MoneyBag:
    """Paid in, less what was already refunded."""
    paid = [
        t.amount_set for t in order.transactions if t.kind in RECEIVED_KINDS and t.status == "SUCCESS" and t.amount_set
    ]
    back = [t.amount_set for t in order.transactions if t.kind == "REFUND" and t.status == "SUCCESS" and t.amount_set]
    return currencies.total(paid) - currencies.total(back)


def create_refund(state: ShopState, refund_input: dict[str, Any]) -> SandboxRefund:
    """Validate everything, then apply: lines and stock, shipping, transactions, statuses, webhooks."""
    order = state.by_gid(refund_input["orderId"], "Order")
    if order is None:
        raise RefundError("Order does not exist", ["orderId"])
    currencies = order_currencies(order, state.shop.presentment_rates)
    now = state.now()
    refund = SandboxRefund(
        number=state.new_number("Refund"),
        order=order,
        note=refund_input.get("note"),
        created_at=now,
        updated_at=now,
        processed_at=now,
        notify=bool(refund_input.get("notify")),
    )
    _check_currency(order, refund_input.get("currency"))
    planned = [_plan_line(state, order, item, currencies) for item in refund_input.get("refundLineItems") or []]
    _check_quantities(planned)
    refund.refund_shipping_lines = _shipping(state, order, refund_input.get("shipping"), currencies)
    refund.refund_line_items = planned
    transactions = _transactions(state, order, refund, refund_input, currencies)
    for line_refund in planned:
        _apply_line(state, order, line_refund)
    refund.transactions = transactions
    refund.total_refunded_set = currencies.total([t.amount_set for t in transactions if t.amount_set])
    for transaction in transactions:
        order.transactions.append(state.add(transaction))
    for shipping_line in refund.refund_shipping_lines:
        state.add(shipping_line)
    _record_discrepancy(state, order, refund, currencies)
    order.refunds.append(state.add(refund))
    _update_statuses(order, currencies, now)
    state.publish("refunds/create", refund_to_rest(refund))
    state.publish("orders/updated", order_rest_now(state, order))
    return refund


def _check_currency(order: Order, currency: str | None) -> None:
    """RefundInput.currency must be the presentment currency; it is required when that is not the shop's."""
    if currency is None and order.presentment_currency_code == order.currency_code:
        return
    if currency != order.presentment_currency_code:
        raise RefundError(
            f"Currency must be the order's presentment currency ({order.presentment_currency_code})", ["currency"]
        )


def _plan_line(state: ShopState, order: Order, item: dict[str, Any], currencies: Currencies) -> RefundLineItem:
    line = state.by_gid(item["lineItemId"], "LineItem")
    if line is None or line not in order.line_items:
        raise RefundError("Line item does not exist", ["refundLineItems", "lineItemId"])
    quantity = item["quantity"]
    if quantity <= 0:
        raise RefundError("Quantity must be greater than 0", ["refundLineItems", "quantity"])
    location = state.by_gid(item["locationId"], "Location") if item.get("locationId") else None
    if item.get("locationId") and location is None:
        raise RefundError("Location does not exist", ["refundLineItems", "locationId"])
    already = line.quantity - line.current_quantity
    discounted = discounted_line_total(line, currencies)
    return RefundLineItem(
        number=state.new_number("RefundLineItem"),
        line_item=line,
        quantity=quantity,
        restock_type=item.get("restockType") or "NO_RESTOCK",
        location=location or line.location,
        price_set=prorate(discounted, 1, line.quantity),
        subtotal_set=units_slice(discounted, already, quantity, line.quantity),
        total_tax_set=units_slice(line_tax(line, currencies), already, quantity, line.quantity),
    )


def _check_quantities(planned: list[RefundLineItem]) -> None:
    wanted: dict[int, int] = {}
    for line_refund in planned:
        assert line_refund.line_item is not None
        line = line_refund.line_item
        wanted[line.number] = wanted.get(line.number, 0) + line_refund.quantity
        if wanted[line.number] > line.current_quantity:
            raise RefundError(
                f"Cannot refund more items than were purchased ({line.current_quantity} refundable for "
                f"line item {line.number})",
                ["refundLineItems", "quantity"],
            )


def _apply_line(state: ShopState, order: Order, line_refund: RefundLineItem) -> None:
    """Take the units off the line: unshipped ones first unless they are returned, then restock them."""
    line = line_refund.line_item
    assert line is not None
    unshipped = max(line.current_quantity - line.fulfilled_quantity, 0)
    quantity = line_refund.quantity
    from_unshipped = (
        max(quantity - line.fulfilled_quantity, 0) if line_refund.restock_type == "RETURN" else min(quantity, unshipped)
    )
    from_shipped = quantity - from_unshipped
    restock = line_refund.restock_type in RESTOCKING
    release(state, line, from_unshipped, restock)
    if restock and from_shipped:
        put_back(state, line, from_shipped, line_refund.location)
    line_refund.restocked = restock
    line.current_quantity -= quantity
    line.fulfilled_quantity -= from_shipped
    shrink_fulfillment_orders(order, line, from_unshipped)


def _shipping(
    state: ShopState, order: Order, shipping: dict[str, Any] | None, currencies: Currencies
) -> list[RefundShippingLine]:
    if (
        not shipping
        or not order.shipping_lines
        or not (shipping.get("fullRefund") or shipping.get("amount") is not None)
    ):
        return []
    done, done_tax = refunded_shipping(order, currencies)
    values = [shipping_value(line, currencies) for line in order.shipping_lines]
    left = currencies.total([price for price, _ in values]) - done
    left_tax = currencies.total([tax for _, tax in values]) - done_tax
    asked = left.presentment if shipping.get("fullRefund") else to_decimal(shipping["amount"])
    if asked > left.presentment:
        raise RefundError(
            f"Shipping refund amount ({asked}) exceeds the refundable shipping ({left.presentment}).",
            ["shipping", "amount"],
        )
    if asked <= 0:
        return []
    wanted = presentment_part(left, asked, currencies)
    tax = left_tax if wanted == left else prorate(left_tax, int(asked * 100), int(left.presentment * 100))
    remaining = [price for price, _ in values]
    shares = allocate_bag(wanted, remaining)
    tax_shares = allocate_bag(tax, remaining)
    return [
        RefundShippingLine(
            number=state.new_number("RefundShippingLine"),
            shipping_line=line,
            subtotal_amount_set=share,
            tax_amount_set=tax_share,
        )
        for line, share, tax_share in zip(order.shipping_lines, shares, tax_shares, strict=True)
        if share.shop or tax_share.shop
    ]


def _transactions(
    state: ShopState, order: Order, refund: SandboxRefund, refund_input: dict[str, Any], currencies: Currencies
) -> list[OrderTransaction]:
    """The money returned: asked for in the presentment currency, checked against what was received, with the
    shop amounts derived from it (refund_money)."""
    requested = [_requested(state, order, item) for item in refund_input.get("transactions") or []]
    if not requested:
        return []
    asked = sum((amount for _, _, amount in requested), Decimal(0))
    received = money_received(order, currencies)
    if asked > received.presentment and not refund_input.get("allowOverRefunding"):
        raise RefundError(
            f"Refund amount ({asked}) exceeds the refundable amount ({received.presentment}).", ["transactions"]
        )
    shop_total = refund_shop_total(asked, received, calculated_value(refund, order, currencies), currencies)
    shop_amounts = transaction_shop_amounts(
        order, [(parent, amount) for _, parent, amount in requested], shop_total, currencies
    )
    now = state.now()
    return [
        OrderTransaction(
            number=state.new_number("OrderTransaction"),
            kind="REFUND",
            status="SUCCESS",
            gateway=item["gateway"],
            amount_set=currencies.bag(shop, amount),
            created_at=now,
            processed_at=now,
            parent_transaction=parent,
            order=order,
            test=order.test,
        )
        for (item, parent, amount), shop in zip(requested, shop_amounts, strict=True)
    ]


def _requested(
    state: ShopState, order: Order, item: dict[str, Any]
) -> tuple[dict[str, Any], OrderTransaction | None, Decimal]:
    """(input, parent payment, amount in the presentment currency) of one OrderTransactionInput."""
    if item.get("kind", "REFUND") != "REFUND":
        raise RefundError("Transaction kind must be refund", ["transactions", "kind"])
    parent = state.by_gid(item["parentId"], "OrderTransaction") if item.get("parentId") else None
    if item.get("parentId") and (parent is None or parent not in order.transactions):
        raise RefundError("Parent transaction does not exist", ["transactions", "parentId"])
    if parent is None:
        parent = next(
            (t for t in order.transactions if t.kind in RECEIVED_KINDS and t.gateway == item["gateway"]), None
        )
    amount = to_decimal(item["amount"])
    if amount <= 0:
        raise RefundError("Amount must be greater than 0", ["transactions", "amount"])
    return item, parent, amount


def calculated_value(refund: SandboxRefund, order: Order, currencies: Currencies) -> MoneyBag:
    """What the refunded lines and shipping are worth (tax added unless prices include it)."""
    subtotal = currencies.total([r.subtotal_set for r in refund.refund_line_items if r.subtotal_set])
    subtotal += currencies.total([s.subtotal_amount_set for s in refund.refund_shipping_lines if s.subtotal_amount_set])
    tax = currencies.total([r.total_tax_set for r in refund.refund_line_items if r.total_tax_set])
    tax += currencies.total([s.tax_amount_set for s in refund.refund_shipping_lines if s.tax_amount_set])
    return subtotal if order.taxes_included else subtotal + tax


def _record_discrepancy(state: ShopState, order: Order, refund: SandboxRefund, currencies: Currencies) -> None:
    if not refund.transactions or refund.total_refunded_set is None:
        return
    difference = refund.total_refunded_set - calculated_value(refund, order, currencies)
    if difference.shop or difference.presentment:
        refund.order_adjustments.append(
            state.add(
                OrderAdjustment(
                    number=state.new_number("OrderAdjustment"), amount_set=difference, tax_amount_set=currencies.zero()
                )
            )
        )


def _update_statuses(order: Order, currencies: Currencies, now: Any) -> None:
    paid = currencies.total(
        [
            t.amount_set
            for t in order.transactions
            if t.kind in RECEIVED_KINDS and t.status == "SUCCESS" and t.amount_set
        ]
    )
    back = currencies.total(
        [t.amount_set for t in order.transactions if t.kind == "REFUND" and t.status == "SUCCESS" and t.amount_set]
    )
    if back.presentment > Decimal(0):
        order.display_financial_status = "REFUNDED" if back.presentment >= paid.presentment else "PARTIALLY_REFUNDED"
    refresh_fulfillment_status(order)
    order.updated_at = now
