"""What finance reads of payouts: one row per payout (`trueup payouts`) and the payouts part of `trueup status`."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from trueup.domain.errors import WHAT_TO_DO
from trueup.domain.overdue_captures import WHAT_TO_DO as OVERDUE_WHAT_TO_DO
from trueup.domain.overdue_captures import OverdueCapture, from_json
from trueup.domain.payouts import TOTAL_KINDS, PayoutRecord, PayoutState
from trueup.service_layer.payouts import OVERDUE
from trueup.service_layer.ports import Store


def payout_row(record: PayoutRecord) -> dict[str, str]:
    """One payout as finance reads it: Shopify's figures by kind, the ERP entries, or why there is none."""
    totals = {kind: str(record.totals[kind].amount) if kind in record.totals else "" for kind in TOTAL_KINDS}
    return {
        "shop": record.shop,
        "payout": record.payout_id,
        "issued": record.issued_at.date().isoformat(),
        "status": record.status.value,
        "currency": record.net.currency,
        **totals,
        "net": str(record.net.amount),
        "transactions": str(record.transactions),
        "state": record.state.value,
        "erp_entry": record.entry_id or "",
        "returned_entry": record.returned_entry_id or "",
        "cause": record.cause.value if record.cause else "",
        "detail": record.detail or "",
    }


def payout_rows(
    store: Store, issued_from: datetime | None = None, issued_before: datetime | None = None, shop: str | None = None
) -> list[dict[str, str]]:
    """Every payout issued in [from, before) (of `shop`), by issue time."""
    return [payout_row(r) for r in store.payout_records(shop, issued_from=issued_from, issued_before=issued_before)]


def payouts_summary(store: Store, examples: int = 3, *, shop: str | None = None) -> dict[str, object]:
    """Payouts by state, what the booked ones paid to the bank per currency, and those not booked by cause
    with what to do; empty when trueup has seen no payout."""
    records = store.payout_records(shop)
    overdue = overdue_captures_of(store, [shop] if shop else sorted({r.shop for r in records}))
    if not records and not overdue:
        return {}
    by_state: dict[str, int] = defaultdict(int)
    paid: dict[str, Decimal] = defaultdict(Decimal)
    fees: dict[str, Decimal] = defaultdict(Decimal)
    parked: dict[str, list[PayoutRecord]] = defaultdict(list)
    for record in records:
        by_state[record.state.value] += 1
        if record.state is PayoutState.BOOKED and record.status.value == "PAID":
            paid[record.net.currency] += record.net.amount
        if record.state is not PayoutState.EXCEPTION and "fees" in record.totals:
            fees[record.net.currency] += record.totals["fees"].amount
        if record.state is PayoutState.EXCEPTION and record.cause is not None:
            parked[record.cause.value].append(record)
    return {
        "by_state": dict(sorted(by_state.items())),
        "paid_to_bank": {currency: str(amount) for currency, amount in sorted(paid.items())},
        "fees": {currency: str(amount) for currency, amount in sorted(fees.items())},
        "exceptions": [
            {
                "cause": cause,
                "count": len(group),
                "what_to_do": WHAT_TO_DO[group[0].cause] if group[0].cause else "",
                "examples": [f"{r.shop} payout {r.payout_id}: {r.detail}" for r in group[:examples]],
            }
            for cause, group in sorted(parked.items(), key=lambda item: -len(item[1]))
        ],
        "overdue_captures": [
            {"shop": shop_of, "capture": capture.describe(), "amount": str(capture.amount)}
            for shop_of, capture in overdue
        ],
        "overdue_what_to_do": OVERDUE_WHAT_TO_DO if overdue else "",
    }


def overdue_captures_of(store: Store, shops: list[str]) -> list[tuple[str, OverdueCapture]]:
    """The captures in no payout after N business days, as each shop's latest payout poll found them."""
    found = []
    for one in shops:
        snapshot = store.cursor(one, OVERDUE)
        found += [(one, capture) for capture in (from_json(snapshot) if snapshot else [])]
    return found
