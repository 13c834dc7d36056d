"""Shopify Payments' ledger: the balance transactions that follow orders, disputes, reserves and adjustments.

Every successful Shopify Payments sale or capture is a CHARGE with its fee, every refund a REFUND (no fee:
Shopify keeps the charge's fee). A charge settles in the currency the customer paid in when the account pays
out in that currency (a bank account in it), else in the account's default currency, converted, with the
conversion fee inside the charge's fee; a card from another country than the account's adds the international
fee. A refund or a dispute settles in the currency of the charge it takes back. A charge is available for a
payout `delay` business days after the day it was taken; everything else at once (it comes off the next payout).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from shopify_sandbox.models.orders import Order, OrderTransaction
from shopify_sandbox.models.payouts import BalanceTransaction, PaymentsAccount, ReservedFunds, ShopifyPaymentsDispute
from shopify_sandbox.money import ZERO, round_cents
from shopify_sandbox.payments_account import payments_account
from shopify_sandbox.payout_calendar import add_business_days
from shopify_sandbox.state import ShopState

SHOPIFY_PAYMENTS = "shopify_payments"
RECEIVED_KINDS = ("SALE", "CAPTURE")
EVIDENCE_DAYS = 21


def record(state: ShopState, **fields: object) -> BalanceTransaction:
    """A new balance transaction, available at once unless `available_on` is given."""
    now = fields.pop("transaction_date", None) or state.now()
    assert isinstance(now, datetime)
    account = payments_account(state)
    fields.setdefault("available_on", add_business_days(now.date(), 0, account.country))
    entry = BalanceTransaction(
        number=state.new_number("ShopifyPaymentsBalanceTransaction"),
        transaction_date=now,
        **fields,  # type: ignore[arg-type]
    )
    return state.add(entry)


def sync_ledger(state: ShopState) -> int:
    """Record a balance transaction for each Shopify Payments order transaction not yet in the ledger."""
    account = payments_account(state)
    added = 0
    for transaction in state.all("OrderTransaction"):
        if transaction.number <= account.ledgered_through:
            continue
        account.ledgered_through = transaction.number
        if not _counts(transaction):
            continue
        if transaction.kind in RECEIVED_KINDS:
            _record_charge(state, account, transaction)
        else:
            _record_refund(state, transaction)
        added += 1
    return added


def _counts(transaction: OrderTransaction) -> bool:
    order = transaction.order
    return (
        transaction.gateway == SHOPIFY_PAYMENTS
        and transaction.status == "SUCCESS"
        and transaction.kind in (*RECEIVED_KINDS, "REFUND")
        and transaction.amount_set is not None
        and order is not None
        and transaction in order.transactions
    )


def settlement(order: Order, account: PaymentsAccount) -> tuple[str, bool]:
    """(currency a payment on `order` settles in, whether that is the customer's own currency)."""
    if order.presentment_currency_code != account.default_currency and (
        order.presentment_currency_code in account.currencies
    ):
        return order.presentment_currency_code, True
    return account.default_currency, order.presentment_currency_code == account.default_currency


def charge_fee_parts(
    amount: Decimal, account: PaymentsAccount, international: bool, converted: bool
) -> list[tuple[str, Decimal, Decimal]]:
    """The fee of a charge of `amount`, part by part: (kind, percentage, amount), each rounded to the cent."""
    fees = account.fees
    parts = [("processing", fees.percentage, round_cents(amount * fees.percentage / 100 + fees.fixed))]
    if international:
        parts.append(("international", fees.international_percentage, _share(amount, fees.international_percentage)))
    if converted:
        parts.append(("currency_conversion", fees.conversion_percentage, _share(amount, fees.conversion_percentage)))
    return parts


def _share(amount: Decimal, percentage: Decimal) -> Decimal:
    return round_cents(amount * percentage / 100)


def _record_charge(state: ShopState, account: PaymentsAccount, transaction: OrderTransaction) -> None:
    order = transaction.order
    assert order is not None
    assert transaction.amount_set is not None
    currency, own = settlement(order, account)
    amount = transaction.amount_set.presentment if own else transaction.amount_set.shop
    billing = order.billing_address or order.shipping_address
    international = billing is not None and (billing.country_code or account.country) != account.country
    converted = order.presentment_currency_code != currency
    parts = charge_fee_parts(amount, account, international, converted)
    taken = transaction.processed_at or transaction.created_at or state.now()
    charge = record(
        state,
        type="CHARGE",
        amount=amount,
        fee=sum((fee for _, _, fee in parts), ZERO),
        fee_parts=parts,
        currency=currency,
        transaction_date=taken,
        available_on=add_business_days(taken.date(), account.delay_business_days, account.country),
        order=order,
        order_transaction=transaction,
        source_type="CHARGE",
        source_id=transaction.number,
        source_order_transaction_id=transaction.number,
        test=transaction.test,
    )
    account.charges[transaction.number] = charge.number


def charge_of(state: ShopState, transaction: OrderTransaction | None) -> BalanceTransaction | None:
    """The CHARGE a payment became, if it did."""
    if transaction is None:
        return None
    number = payments_account(state).charges.get(transaction.number)
    return None if number is None else state.get("ShopifyPaymentsBalanceTransaction", number)


def _record_refund(state: ShopState, transaction: OrderTransaction) -> None:
    order = transaction.order
    assert order is not None
    assert transaction.amount_set is not None
    charge = charge_of(state, transaction.parent_transaction)
    if charge is not None:
        currency = charge.currency
    else:
        currency, _ = settlement(order, payments_account(state))
    own = currency == order.presentment_currency_code
    amount = transaction.amount_set.presentment if own else transaction.amount_set.shop
    record(
        state,
        type="REFUND",
        amount=-amount,
        currency=currency,
        transaction_date=transaction.processed_at or transaction.created_at or state.now(),
        order=order,
        order_transaction=transaction,
        source_type="REFUND",
        source_id=transaction.number,
        source_order_transaction_id=transaction.number,
        test=transaction.test,
    )


def record_adjustment(
    state: ShopState, amount: Decimal, reason: str, order: Order | None = None, currency: str | None = None
) -> BalanceTransaction:
    """A manual adjustment to the balance (positive credits the merchant)."""
    account = payments_account(state)
    return record(
        state,
        type="ADJUSTMENT",
        amount=round_cents(amount),
        currency=currency or account.default_currency,
        order=order,
        source_type="ADJUSTMENT",
        adjustment_reason=reason,
    )


def open_dispute(
    state: ShopState,
    order: Order,
    amount: Decimal | None = None,
    reason: str = "FRAUDULENT",
    kind: str = "CHARGEBACK",
) -> ShopifyPaymentsDispute:
    """A dispute on `order`'s Shopify Payments charge. A chargeback withdraws the disputed amount (the whole
    charge unless `amount` is given) and the chargeback fee at once; an inquiry moves no money."""
    sync_ledger(state)
    charge = next(
        (t for t in state.all("ShopifyPaymentsBalanceTransaction") if t.type == "CHARGE" and t.order is order), None
    )
    if charge is None:
        raise ValueError(f"order {order.name} has no Shopify Payments charge to dispute")
    disputed = round_cents(amount) if amount is not None else charge.amount
    if not ZERO < disputed <= charge.amount:
        raise ValueError(f"the disputed amount must be more than 0 and at most the charge ({charge.amount})")
    now = state.now()
    account = payments_account(state)
    chargeback = kind == "CHARGEBACK"
    dispute = state.add(
        ShopifyPaymentsDispute(
            number=state.new_number("ShopifyPaymentsDispute"),
            order=order,
            amount=disputed,
            currency=charge.currency,
            reason=reason,
            type=kind,
            initiated_at=now,
            evidence_due_by=now + timedelta(days=EVIDENCE_DAYS),
            fee=account.fees.chargeback_fee if chargeback else ZERO,
        )
    )
    if chargeback:
        _dispute_transaction(state, dispute, "DISPUTE_WITHDRAWAL", -dispute.amount, dispute.fee)
    return dispute


def close_dispute(state: ShopState, dispute: ShopifyPaymentsDispute, won: bool) -> None:
    """Won: the disputed amount comes back, with the chargeback fee where the account's terms return it.
    Lost: nothing more moves (the money and the fee were taken when it opened)."""
    if dispute.status in ("WON", "LOST", "ACCEPTED"):
        raise ValueError(f"the dispute is already {dispute.status.lower()}")
    dispute.status = "WON" if won else "LOST"
    dispute.finalized_on = dispute.evidence_sent_on = state.now()
    if won and dispute.type == "CHARGEBACK":
        fee_back = dispute.fee if payments_account(state).fees.chargeback_fee_refunded_when_won else ZERO
        _dispute_transaction(state, dispute, "DISPUTE_REVERSAL", dispute.amount, -fee_back)


def _dispute_transaction(
    state: ShopState, dispute: ShopifyPaymentsDispute, kind: str, amount: Decimal, fee: Decimal
) -> None:
    fee_parts = [("chargeback", ZERO, fee)] if fee else []
    record(
        state,
        type=kind,
        amount=amount,
        fee=fee,
        fee_parts=fee_parts,
        currency=dispute.currency,
        order=dispute.order,
        source_type="DISPUTE",
        source_id=dispute.number,
    )


def hold_reserve(
    state: ShopState, amount: Decimal, currency: str | None = None, days: int = 30, reason: str = "Reserve"
) -> ReservedFunds:
    """Hold `amount` of the balance back (RESERVED_FUNDS, taken off the next payout) for `days` days."""
    held = round_cents(amount)
    if held <= 0:
        raise ValueError("a reserve must hold more than 0")
    account = payments_account(state)
    currency = currency or account.default_currency
    if currency not in account.currencies:
        raise ValueError(f"the account has no balance in {currency}")
    now = state.now()
    reserve = state.add(
        ReservedFunds(
            number=state.new_number("SandboxReservedFunds"),
            amount=held,
            currency=currency,
            held_at=now,
            release_at=now + timedelta(days=days),
            reason=reason,
        )
    )
    record(state, type="RESERVED_FUNDS", amount=-held, currency=currency, source_type="SYSTEM_ADJUSTMENT",
           source_id=reserve.number, adjustment_reason=reason)  # fmt: skip
    return reserve


def release_reserve(state: ShopState, reserve: ReservedFunds, when: datetime | None = None) -> None:
    """Give the reserved funds back to the balance (RESERVED_FUNDS_REVERSAL, paid out with the next payout)."""
    if reserve.released_at is not None:
        raise ValueError("the reserve was already released")
    reserve.released_at = when or state.now()
    record(state, type="RESERVED_FUNDS_REVERSAL", amount=reserve.amount, currency=reserve.currency,
           transaction_date=reserve.released_at, source_type="SYSTEM_ADJUSTMENT", source_id=reserve.number,
           adjustment_reason=reserve.reason)  # fmt: skip


def release_due_reserves(state: ShopState, until: datetime) -> None:
    for reserve in state.all("SandboxReservedFunds"):
        if reserve.released_at is None and reserve.release_at is not None and reserve.release_at <= until:
            release_reserve(state, reserve, reserve.release_at)
