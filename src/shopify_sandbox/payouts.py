"""Shopify Payments payouts: runs on the payout calendar, one payout per currency, and what happens after.

A run on a payout day (at 00:00 UTC) pays out, per currency, every pending balance transaction available by
that day; its net is, by construction, the sum of their nets (the same Decimals, no rounding in between), and
a TRANSFER balance transaction of minus that net records the money leaving the balance. The payout is
SCHEDULED when issued and PAID on the next business day. A net under the account's minimum waits for the next
run; a negative one is a WITHDRAWAL from the bank. A payout that fails (or is cancelled before it is sent)
gives its money back to the balance (TRANSFER_FAILURE / TRANSFER_CANCEL), paid out again with the next payout
(the summary's retried payouts).

The calendar is worked through lazily: before each request the sandbox catches up every run and settlement
due between the last request and now, in time order, each dated when it was due (`advance_payments`).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from shopify_sandbox.models.payouts import BalanceTransaction, ShopifyPaymentsPayout
from shopify_sandbox.money import ZERO
from shopify_sandbox.payments_account import payments_account
from shopify_sandbox.payments_ledger import record, release_due_reserves, sync_ledger
from shopify_sandbox.payout_calendar import is_business_day, is_payout_day, next_business_day
from shopify_sandbox.state import ShopState

SUMMARY_GROUPS = {
    "charges": ("CHARGE",),
    "refunds": ("REFUND",),
    "reservedFunds": ("RESERVED_FUNDS", "RESERVED_FUNDS_REVERSAL", "RESERVED_FUNDS_WITHDRAWAL"),
    "retriedPayouts": ("TRANSFER_FAILURE", "TRANSFER_CANCEL"),
    "advance": ("ADVANCE", "ADVANCE_FUNDING"),
}


def pending_transactions(state: ShopState, currency: str | None = None) -> list[BalanceTransaction]:
    """Balance transactions not yet in any payout (the balance), oldest first."""
    return [
        t
        for t in state.all("ShopifyPaymentsBalanceTransaction")
        if t.payout is None and (currency is None or t.currency == currency)
    ]


def run_payouts(state: ShopState, at: datetime | None = None, due_only: bool = False) -> list[ShopifyPaymentsPayout]:
    """A payout run at `at` (now by default): one payout per currency. With `due_only` (a scheduled run) only
    what is available by that day, and only a net of at least the minimum; otherwise everything pending."""
    sync_ledger(state)
    account = payments_account(state)
    at = at or state.now()
    made = []
    for currency in account.currencies:
        chosen = [
            t
            for t in pending_transactions(state, currency)
            if t.transaction_date is None
            or (t.transaction_date <= at and (not due_only or t.available_on is None or t.available_on <= at.date()))
        ]
        net = sum((t.net for t in chosen), ZERO)
        if not chosen or (due_only and ZERO <= net < account.minimum_payout):
            continue
        made.append(_issue(state, currency, chosen, at))
    return made


def _issue(state: ShopState, currency: str, chosen: list[BalanceTransaction], at: datetime) -> ShopifyPaymentsPayout:
    account = payments_account(state)
    payout = state.add(
        ShopifyPaymentsPayout(
            number=state.new_number("ShopifyPaymentsPayout"),
            currency=currency,
            issued_at=at,
            paid_on=next_business_day(at.date(), account.country),
        )
    )
    for transaction in chosen:
        transaction.payout = payout
    payout.transactions = chosen
    record(state, type="TRANSFER", amount=-payout.net_amount, currency=currency, transaction_date=at,
           available_on=at.date(), source_type="TRANSFER", source_id=payout.number, payout=payout)  # fmt: skip
    return payout


def settle(state: ShopState, day_start: datetime) -> None:
    """Scheduled payouts whose day to be paid has come are PAID."""
    for payout in state.all("ShopifyPaymentsPayout"):
        if payout.status == "SCHEDULED" and payout.paid_on is not None and payout.paid_on <= day_start.date():
            payout.status = "PAID"


def fail_payout(
    state: ShopState, payout: ShopifyPaymentsPayout, reason: str = "The bank declined the transfer."
) -> None:
    """The bank returns a payout (SCHEDULED or PAID): FAILED, and its money is back on the balance."""
    if payout.status not in ("SCHEDULED", "PAID"):
        raise ValueError(f"a {payout.status.lower()} payout cannot fail")
    _undo(state, payout, "FAILED", "TRANSFER_FAILURE", reason)


def cancel_payout(state: ShopState, payout: ShopifyPaymentsPayout, reason: str = "Cancelled by Shopify.") -> None:
    """Shopify cancels a payout not yet sent (SCHEDULED): CANCELED, and its money is back on the balance."""
    if payout.status != "SCHEDULED":
        raise ValueError(f"only a scheduled payout can be cancelled, not a {payout.status.lower()} one")
    _undo(state, payout, "CANCELED", "TRANSFER_CANCEL", reason)


def _undo(state: ShopState, payout: ShopifyPaymentsPayout, status: str, kind: str, reason: str) -> None:
    payout.status, payout.failed_at, payout.failure_reason = status, state.now(), reason
    record(state, type=kind, amount=payout.net_amount, currency=payout.currency, source_type="TRANSFER",
           source_id=payout.number, adjustment_reason=reason)  # fmt: skip


def advance_payments(state: ShopState) -> list[ShopifyPaymentsPayout]:
    """Catch the payout calendar up to now: at each 00:00 UTC passed since the last call, release the reserves
    that are due, settle payouts, and run the day's payouts. Returns the payouts issued."""
    account = payments_account(state)
    now = state.now()
    since = account.processed_through
    account.processed_through = now if since is None or now > since else since
    if since is None or now <= since:
        return []
    boundary = datetime.combine(since.date() + timedelta(days=1), time(0), tzinfo=UTC)
    if boundary > now:
        return []
    sync_ledger(state)
    issued: list[ShopifyPaymentsPayout] = []
    while boundary <= now:
        release_due_reserves(state, boundary)
        if is_business_day(boundary.date(), account.country):
            settle(state, boundary)
        if is_payout_day(boundary.date(), account.schedule, account.country):
            issued.extend(run_payouts(state, at=boundary, due_only=True))
        boundary += timedelta(days=1)
    release_due_reserves(state, now)
    return issued


def payout_transfer(state: ShopState, payout: ShopifyPaymentsPayout) -> BalanceTransaction | None:
    return next(
        (t for t in state.all("ShopifyPaymentsBalanceTransaction") if t.type == "TRANSFER" and t.payout is payout),
        None,
    )


def payout_summary(payout: ShopifyPaymentsPayout) -> dict[str, Decimal]:
    """Gross and fee per kind of transaction (Shopify's payout summary); adjustments include disputes and
    everything not in another group."""
    summary: dict[str, Decimal] = {}
    grouped: set[str] = set()
    for name, types in SUMMARY_GROUPS.items():
        chosen = [t for t in payout.transactions if t.type in types]
        grouped.update(types)
        summary[f"{name}Gross"] = sum((t.amount for t in chosen), ZERO)
        summary[f"{name}Fee"] = sum((t.fee for t in chosen), ZERO)
    others = [t for t in payout.transactions if t.type not in grouped]
    summary["adjustmentsGross"] = sum((t.amount for t in others), ZERO)
    summary["adjustmentsFee"] = sum((t.fee for t in others), ZERO)
    return summary
