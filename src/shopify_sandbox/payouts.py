"""Shopify Payments' ledger and payouts.

Balance transactions follow the orders: every successful Shopify Payments sale or capture is a CHARGE
(with its processing fee), every refund a REFUND; adjustments and disputes are added by the hooks below.
A payout run gathers the pending transactions into one payout whose net is, by construction, the sum of
its transactions' nets (the same Decimals, no rounding in between). Runs happen daily on the sandbox
clock or on demand (`run_payouts`, `POST /sandbox/payouts/run`).
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from shopify_sandbox.models.orders import Order, OrderTransaction
from shopify_sandbox.models.payouts import BalanceTransaction, ShopifyPaymentsDispute, ShopifyPaymentsPayout
from shopify_sandbox.money import round_cents
from shopify_sandbox.post_purchase_state import FeeSchedule, extension
from shopify_sandbox.state import ShopState

SHOPIFY_PAYMENTS = "shopify_payments"
_KIND_TO_TYPE = {"SALE": "CHARGE", "CAPTURE": "CHARGE", "REFUND": "REFUND"}


def processing_fee(amount: Decimal, fees: FeeSchedule) -> Decimal:
    """Shopify Payments' fee on a charge, rounded half-up to the cent."""
    return round_cents(amount * fees.percentage / 100 + fees.fixed)


def _record(state: ShopState, **fields: Any) -> BalanceTransaction:
    entry = BalanceTransaction(
        number=state.new_number("ShopifyPaymentsBalanceTransaction"), currency=state.shop.currency_code, **fields
    )
    return state.add(entry)


def sync_ledger(state: ShopState) -> int:
    """Record a balance transaction for each Shopify Payments order transaction not yet in the ledger."""
    # Derived from the ledger itself (not a side table), so that a state saved and loaded again stays exact.
    ledgered = {t.source_order_transaction_id for t in state.all("ShopifyPaymentsBalanceTransaction")}
    added = 0
    for order in state.all("Order"):
        for transaction in order.transactions:
            kind = _KIND_TO_TYPE.get(transaction.kind)
            if kind is None or transaction.gateway != SHOPIFY_PAYMENTS or transaction.status != "SUCCESS":
                continue
            if transaction.number in ledgered:
                continue
            _record_order_transaction(state, order, transaction, kind)
            added += 1
    return added


def _record_order_transaction(state: ShopState, order: Order, transaction: OrderTransaction, kind: str) -> None:
    assert transaction.amount_set is not None
    amount = transaction.amount_set.shop
    charge = kind == "CHARGE"
    _record(
        state,
        type=kind,
        amount=amount if charge else -amount,
        fee=processing_fee(amount, extension(state).fees) if charge else Decimal("0.00"),
        transaction_date=transaction.processed_at or transaction.created_at or state.now(),
        order=order,
        source_type=kind,
        source_id=transaction.number,
        source_order_transaction_id=transaction.number,
        test=transaction.test,
    )


def record_adjustment(state: ShopState, amount: Decimal, reason: str, order: Order | None = None) -> BalanceTransaction:
    """A manual adjustment to the balance (positive credits the merchant)."""
    return _record(
        state,
        type="ADJUSTMENT",
        amount=round_cents(amount),
        transaction_date=state.now(),
        order=order,
        source_type="ADJUSTMENT",
        adjustment_reason=reason,
    )


def open_dispute(state: ShopState, order: Order, amount: Decimal, reason: str = "FRAUDULENT") -> ShopifyPaymentsDispute:
    """A chargeback: the disputed amount is withdrawn from the balance, plus the chargeback fee."""
    now = state.now()
    dispute = state.add(
        ShopifyPaymentsDispute(
            number=state.new_number("ShopifyPaymentsDispute"),
            order=order,
            amount=round_cents(amount),
            currency=state.shop.currency_code,
            reason=reason,
            initiated_at=now,
        )
    )
    _record(
        state,
        type="DISPUTE_WITHDRAWAL",
        amount=-dispute.amount,
        fee=extension(state).fees.chargeback_fee,
        transaction_date=now,
        order=order,
        source_type="DISPUTE",
        source_id=dispute.number,
    )
    return dispute


def close_dispute(state: ShopState, dispute: ShopifyPaymentsDispute, won: bool) -> None:
    """Won: the disputed amount comes back (the chargeback fee does not). Lost: nothing more moves."""
    dispute.status = "WON" if won else "LOST"
    dispute.finalized_on = state.now()
    if won:
        _record(
            state,
            type="DISPUTE_REVERSAL",
            amount=dispute.amount,
            transaction_date=state.now(),
            order=dispute.order,
            source_type="DISPUTE",
            source_id=dispute.number,
        )


def pending_transactions(state: ShopState) -> list[BalanceTransaction]:
    return [t for t in state.all("ShopifyPaymentsBalanceTransaction") if t.payout is None]


def run_payouts(state: ShopState, cutoff: datetime | None = None) -> ShopifyPaymentsPayout | None:
    """Settle earlier scheduled payouts (PAID) and pay out what is pending up to `cutoff` (now by default)."""
    sync_ledger(state)
    for earlier in state.all("ShopifyPaymentsPayout"):
        if earlier.status == "SCHEDULED":
            earlier.status = "PAID"
    limit = cutoff or state.now()
    due = [t for t in pending_transactions(state) if t.transaction_date is None or t.transaction_date <= limit]
    if not due:
        return None
    payout = state.add(
        ShopifyPaymentsPayout(
            number=state.new_number("ShopifyPaymentsPayout"), currency=state.shop.currency_code, issued_at=state.now()
        )
    )
    for transaction in due:
        transaction.payout = payout
    payout.transactions = due
    return payout


def run_daily_payouts(state: ShopState) -> ShopifyPaymentsPayout | None:
    """Once per day on the sandbox clock: pay out what was pending at midnight (UTC)."""
    side = extension(state)
    today = state.now().date()
    if not side.daily_payouts or side.last_payout_day == today:
        return None
    first_run = side.last_payout_day is None
    side.last_payout_day = today
    if first_run:
        return None
    return run_payouts(state, cutoff=datetime.combine(today, time(0), tzinfo=UTC))


def payout_summary(payout: ShopifyPaymentsPayout) -> dict[str, Decimal]:
    """Gross and fee per group of transaction types (Shopify's payout summary)."""
    groups = {"charges": ("CHARGE",), "refunds": ("REFUND",)}
    summary: dict[str, Decimal] = {}
    for name, types in groups.items():
        chosen = [t for t in payout.transactions if t.type in types]
        summary[f"{name}Gross"] = sum((t.amount for t in chosen), Decimal("0.00"))
        summary[f"{name}Fee"] = sum((t.fee for t in chosen), Decimal("0.00"))
    others = [t for t in payout.transactions if t.type not in ("CHARGE", "REFUND")]
    summary["adjustmentsGross"] = sum((t.amount for t in others), Decimal("0.00"))
    summary["adjustmentsFee"] = sum((t.fee for t in others), Decimal("0.00"))
    return summary
