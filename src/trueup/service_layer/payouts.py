"""The payout poll: each Shopify Payments payout that left SCHEDULED booked once in the ERP (docs/payouts.md).

Shopify sends no payout webhook, so a periodic job per shop reads the payouts issued since a cursor (the latest
issue date seen) less a look-back, and those still in exception whatever their age: a payout that was PAID and
then FAILED, one whose orders have now posted, one whose account is now mapped, are all seen again. Booking is
exactly once: the ERP is asked for the payout's reference before anything is created (a create that timed out
after the ERP committed is found, never repeated), and the record says what was done.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import structlog

from trueup.domain.errors import StructuralError
from trueup.domain.ledger import OrderState
from trueup.domain.overdue_captures import OverdueCapture, overdue_captures
from trueup.domain.overdue_captures import to_json as overdue_to_json
from trueup.domain.payouts import (
    BOOKABLE,
    RETURNED,
    BookedEntry,
    Payout,
    PayoutAccounts,
    PayoutEntry,
    PayoutRecord,
    PayoutState,
    PayoutStatus,
    orders_of,
    payout_entry,
    payout_totals,
    returned_entry,
    waiting_for,
)
from trueup.service_layer.ports import Accounting, Clock, ShopifyPaymentsReader, Store

log = structlog.get_logger(__name__)

CURSOR = "payouts"  # the latest issue date (ISO) of a payout read
# Not a position but the poll's latest snapshot (JSON) of the captures in no payout after N business days: it is
# replaced whole at each poll, so the cursors' key-value table keeps it without a table of its own.
OVERDUE = "overdue_captures"
# An order cancelled before it posted never will be in the ERP: its charge and refund meet in the clearing
# account with no document to settle. Any other order must have its sale in the ERP (posted, cancelled after
# posting, or parked after posting for another cause: the sale is there all the same).
NEVER_IN_ERP = frozenset({OrderState.CANCELLED_UNPOSTED})


@dataclass(frozen=True)
class PayoutContext:
    """What booking one shop's payouts needs."""

    shop: str
    shopify: ShopifyPaymentsReader
    accounting: Accounting
    store: Store
    clock: Clock
    accounts: PayoutAccounts
    journal: str
    lookback: timedelta = timedelta(days=14)
    first_lookback: timedelta = timedelta(days=35)
    overdue_business_days: int = 5  # a capture in no payout after this many business days is shown


@dataclass(frozen=True)
class PollSummary:
    read: int = 0
    booked: int = 0
    exceptions: int = 0


def poll_payouts(ctx: PayoutContext) -> PollSummary:
    """Read the shop's payouts from the cursor less the look-back (and any still in exception) and book each
    that left SCHEDULED. TransientError passes up (the job is retried); a payout's own problem is its record's."""
    start = _start(ctx)
    read = booked = exceptions = 0
    latest: date | None = None
    for payout in ctx.shopify.payouts_issued_since(start):
        read += 1
        record = settle_payout(ctx, payout)
        if record is not None and record.state is PayoutState.EXCEPTION:
            exceptions += 1
        elif record is not None:
            booked += 1
        latest = max(latest or payout.issued_at.date(), payout.issued_at.date())
    if latest is not None:
        ctx.store.set_cursor(ctx.shop, CURSOR, latest.isoformat())
    record_overdue_captures(ctx)
    summary = PollSummary(read, booked, exceptions)
    log.info("payouts_polled", shop=ctx.shop, since=start.isoformat(), read=read, booked=booked, exceptions=exceptions)
    return summary


def record_overdue_captures(ctx: PayoutContext) -> list[OverdueCapture]:
    """Read the transactions Shopify has not paid out yet and keep, as the shop's `overdue_captures` snapshot,
    the charges in no payout after `overdue_business_days` (shown by `trueup payouts` and `trueup status`)."""
    unpaid = ctx.shopify.unpaid_transactions()
    overdue = overdue_captures(unpaid, ctx.clock.now().date(), ctx.overdue_business_days)
    ctx.store.set_cursor(ctx.shop, OVERDUE, overdue_to_json(overdue))
    if overdue:
        log.warning("captures_not_paid_out", shop=ctx.shop, count=len(overdue), days=ctx.overdue_business_days)
    return overdue


def _start(ctx: PayoutContext) -> date:
    cursor = ctx.store.cursor(ctx.shop, CURSOR)
    start = date.fromisoformat(cursor) - ctx.lookback if cursor else (ctx.clock.now() - ctx.first_lookback).date()
    parked = ctx.store.payout_records(ctx.shop, states=[PayoutState.EXCEPTION])
    return min([start, *(record.issued_at.date() for record in parked)])


def settle_payout(ctx: PayoutContext, payout: Payout) -> PayoutRecord | None:
    """Book `payout` (its transactions read first) unless its record says it is booked; book the return of a
    paid payout that failed or was cancelled since. None for a payout still SCHEDULED or in transit."""
    if payout.status not in BOOKABLE:
        return None
    record = ctx.store.payout_record(ctx.shop, payout.payout_id)
    if record is not None and record.state is not PayoutState.EXCEPTION:
        return _follow(ctx, record, payout)
    return _book(ctx, ctx.shopify.with_transactions(payout), record)


def _follow(ctx: PayoutContext, record: PayoutRecord, payout: Payout) -> PayoutRecord:
    """A booked payout read again: its status may have moved on (PAID, then FAILED)."""
    if record.status == payout.status:
        return record
    now = ctx.clock.now()
    if record.status is PayoutStatus.PAID and payout.status in RETURNED and record.returned_entry_id is None:
        entry = returned_entry(ctx.shop, payout, ctx.accounts, now.date())
        booked = _book_once(ctx, entry)
        record = replace(record, state=PayoutState.RETURNED, returned_entry_id=booked.erp_id)
        log.warning("payout_returned", shop=ctx.shop, payout=payout.payout_id, status=payout.status.value)
    updated = replace(record, status=payout.status, updated_at=now)
    ctx.store.save_payout_record(updated)
    return updated


def _book(ctx: PayoutContext, payout: Payout, known: PayoutRecord | None) -> PayoutRecord:
    now = ctx.clock.now()
    record = PayoutRecord(
        shop=ctx.shop,
        payout_id=payout.payout_id,
        status=payout.status,
        issued_at=payout.issued_at,
        net=payout.net,
        state=PayoutState.EXCEPTION,
        first_seen_at=known.first_seen_at if known else now,
        updated_at=now,
        totals=payout_totals(payout),
        transactions=len(payout.transactions),
    )
    try:
        missing = [order for order in orders_of(payout) if not _in_erp(ctx, order)]
        if missing:
            raise waiting_for(payout, missing)
        booked = _book_once(ctx, payout_entry(ctx.shop, payout, ctx.accounts))
    except StructuralError as error:
        record = replace(record, cause=error.cause, detail=error.detail, needs=dict(error.needs))
        log.warning("payout_not_booked", shop=ctx.shop, payout=payout.payout_id, cause=error.cause.value)
    else:
        record = replace(record, state=PayoutState.BOOKED, entry_id=booked.erp_id)
        log.info("payout_booked", shop=ctx.shop, payout=payout.payout_id, entry=booked.erp_id, lines=booked.lines)
    ctx.store.save_payout_record(record)
    return record


def _book_once(ctx: PayoutContext, entry: PayoutEntry) -> BookedEntry:
    found = ctx.accounting.find_entry(entry.reference)
    if found is not None:
        return found
    return ctx.accounting.book_entry(entry, ctx.journal, ctx.accounts.exchange_difference)


def _in_erp(ctx: PayoutContext, order_id: str) -> bool:
    entry = ctx.store.ledger_entry(ctx.shop, order_id)
    return entry is not None and (entry.erp_sale_id is not None or entry.state in NEVER_IN_ERP)
