"""orderCapture and orderMarkAsPaid: money taken on an order after it was placed.

A capture takes (part of) an authorization through its gateway; it can fail, as a card capture does, when the
account's failed-capture knob says so: the order then carries a CAPTURE transaction with status FAILURE and
an error code, and nothing is paid. orderMarkAsPaid records the outstanding amount: by capturing an open
authorization when there is one, else as a manual SALE (money received outside Shopify: no Shopify Payments
balance transaction). Amounts are in the order's presentment currency, as the mutations take them.
"""

from __future__ import annotations

import random
from decimal import Decimal

from shopify_sandbox.models.orders import Order, OrderTransaction
from shopify_sandbox.money import ZERO, MoneyBag, round_cents, to_decimal
from shopify_sandbox.order_money import current_totals, order_currencies, refunded_shipping
from shopify_sandbox.order_webhooks import order_rest_now
from shopify_sandbox.payments_account import payments_account
from shopify_sandbox.state import ShopState

RECEIVED_KINDS = ("SALE", "CAPTURE")


class PaymentError(ValueError):
    """A userError of a payment mutation (nothing was recorded)."""

    def __init__(self, message: str, field: list[str] | None = None) -> None:
        super().__init__(message)
        self.field = field


def _sum(bags: list[MoneyBag | None], order: Order, state: ShopState) -> MoneyBag:
    return order_currencies(order, state.shop.presentment_rates).total([b for b in bags if b is not None])


def received(state: ShopState, order: Order) -> MoneyBag:
    """Money taken on the order less money refunded."""
    paid = [t.amount_set for t in order.transactions if t.kind in RECEIVED_KINDS and t.status == "SUCCESS"]
    back = [t.amount_set for t in order.transactions if t.kind == "REFUND" and t.status == "SUCCESS"]
    return _sum(paid, order, state) - _sum(back, order, state)


def outstanding(state: ShopState, order: Order) -> MoneyBag:
    """What the order (as it stands now, after edits and refunds) still expects to be paid."""
    currencies = order_currencies(order, state.shop.presentment_rates)
    shipping, shipping_tax = refunded_shipping(order, currencies)
    total = current_totals(order, currencies, shipping, shipping_tax).total
    refunds = [t.amount_set for t in order.transactions if t.kind == "REFUND" and t.status == "SUCCESS"]
    paid = [t.amount_set for t in order.transactions if t.kind in RECEIVED_KINDS and t.status == "SUCCESS"]
    # Refunded money left the order with its lines: what is owed is the current total less what stays paid.
    return total - (_sum(paid, order, state) - _sum(refunds, order, state))


def capturable(state: ShopState, authorization: OrderTransaction) -> MoneyBag:
    """What is left to capture of an authorization."""
    order = authorization.order
    assert order is not None
    assert authorization.amount_set is not None
    captured = [
        t.amount_set
        for t in order.transactions
        if t.kind == "CAPTURE" and t.status == "SUCCESS" and t.parent_transaction is authorization
    ]
    return authorization.amount_set - _sum(captured, order, state)


def capture(
    state: ShopState, order: Order, authorization: OrderTransaction, amount: Decimal, currency: str | None
) -> OrderTransaction:
    """Capture `amount` (presentment) of `authorization`; returns the CAPTURE transaction (SUCCESS or FAILURE)."""
    if order.cancelled_at is not None:
        raise PaymentError("Cannot capture payment on a cancelled order", ["id"])
    if authorization.kind != "AUTHORIZATION" or authorization.status != "SUCCESS":
        raise PaymentError("The parent transaction is not a successful authorization", ["parentTransactionId"])
    if order.presentment_currency_code != order.currency_code and currency is None:
        raise PaymentError("Currency is required when the order is in another currency than the shop's", ["currency"])
    if currency is not None and currency != order.presentment_currency_code:
        raise PaymentError(
            f"Currency must be the order's presentment currency ({order.presentment_currency_code})", ["currency"]
        )
    left = capturable(state, authorization)
    amount = round_cents(to_decimal(amount))
    if amount <= 0:
        raise PaymentError("Amount must be greater than 0", ["amount"])
    if amount > left.presentment:
        raise PaymentError(f"Amount exceeds the capturable amount ({left.presentment})", ["amount"])
    shop = left.shop if amount == left.presentment else round_cents(left.shop * amount / left.presentment)
    bag = order_currencies(order, state.shop.presentment_rates).bag(shop, amount)
    failed = _capture_fails(state)
    transaction = _transaction(state, order, "CAPTURE", authorization.gateway, bag, authorization, failed)
    _after_payment(state, order)
    return transaction


def _capture_fails(state: ShopState) -> bool:
    account = payments_account(state)
    account.capture_attempts += 1
    if account.capture_failure_rate <= 0:
        return False
    draw = random.Random(f"capture-{account.capture_failure_seed}-{account.capture_attempts}").random()
    return draw < account.capture_failure_rate


def mark_as_paid(state: ShopState, order: Order) -> Order:
    """Record the outstanding amount as paid: capture the open authorization, else a manual SALE."""
    owed = outstanding(state, order)
    if order.cancelled_at is not None:
        raise PaymentError("Order cannot be marked as paid because it is cancelled", ["id"])
    if order.display_financial_status == "PAID" or owed.presentment <= ZERO:
        raise PaymentError("Order cannot be marked as paid because it has no outstanding balance", ["id"])
    authorization = next(
        (
            t
            for t in order.transactions
            if t.kind == "AUTHORIZATION" and t.status == "SUCCESS" and capturable(state, t).presentment > 0
        ),
        None,
    )
    if authorization is not None:
        left = capturable(state, authorization)
        amount = min(left.presentment, owed.presentment)
        transaction = capture(state, order, authorization, amount, order.presentment_currency_code)
        if transaction.status != "SUCCESS":
            raise PaymentError(f"The capture failed: {transaction.error_code}", ["id"])
        return order
    _transaction(state, order, "SALE", "manual", owed, None, failed=False)
    _after_payment(state, order)
    return order


def _transaction(
    state: ShopState,
    order: Order,
    kind: str,
    gateway: str | None,
    amount: MoneyBag,
    parent: OrderTransaction | None,
    failed: bool,
) -> OrderTransaction:
    now = state.now()
    account = payments_account(state)
    transaction = OrderTransaction(
        number=state.new_number("OrderTransaction"),
        kind=kind,
        status="FAILURE" if failed else "SUCCESS",
        gateway=gateway,
        amount_set=amount,
        created_at=now,
        processed_at=now,
        test=parent.test if parent else order.test,
        parent_transaction=parent,
        error_code=account.capture_failure_code if failed else None,
        order=order,
    )
    order.transactions.append(state.add(transaction))
    return transaction


def _after_payment(state: ShopState, order: Order) -> None:
    """The financial status the payments now give, and the webhooks Shopify sends."""
    was = order.display_financial_status
    owed = outstanding(state, order)
    if owed.presentment <= ZERO:
        order.display_financial_status = "PAID"
    elif received(state, order).presentment > ZERO:
        order.display_financial_status = "PARTIALLY_PAID"
    order.updated_at = state.now()
    rest = order_rest_now(state, order)
    if order.display_financial_status == "PAID" and was != "PAID":
        state.publish("orders/paid", rest)
    state.publish("orders/updated", rest)
