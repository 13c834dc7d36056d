"""What `trueup status` says of refunds: how many stand where, what was credited, and what is stuck and why."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from trueup.domain.errors import WHAT_TO_DO, Cause
from trueup.domain.refunds import RefundRecord, RefundState
from trueup.service_layer.ports import Store


def refunds_summary(store: Store, examples: int = 3, *, shop: str | None = None) -> dict[str, object]:
    """Refunds by state, credited per currency, the parked ones by cause (with what to do), those waiting for
    their order, and the latest notes posted ("refund 2 on order #1042: credit note CN-17 posted"), of `shop` or
    of every shop (the lines then name each order's shop)."""
    counts = store.refund_counts(shop)
    if not counts:
        return {}
    credited = store.refund_records(shop=shop, state=RefundState.CREDITED)
    waiting = store.refund_records(shop=shop, state=RefundState.WAITING_FOR_SALE)
    describe = RefundRecord.describe if shop is not None else _describe_with_shop
    latest = sorted(credited, key=lambda r: r.updated_at, reverse=True)[:examples]
    return {
        "by_state": {str(state): n for state, n in sorted(counts.items())},
        "credited": _credited(credited),
        "exceptions": _parked(store.refund_records(shop=shop, state=RefundState.EXCEPTION), examples, describe),
        "waiting": [describe(r) for r in sorted(waiting, key=lambda r: r.first_seen_at)[:examples]],
        "latest": [describe(r) for r in latest],
    }


def _describe_with_shop(record: RefundRecord) -> str:
    return f"{record.shop}: {record.describe()}"


def _credited(records: list[RefundRecord]) -> dict[str, str]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for record in records:
        if record.amount is not None:
            sums[record.amount.currency] += record.amount.amount
    return {currency: str(amount) for currency, amount in sorted(sums.items())}


def _parked(
    records: list[RefundRecord], examples: int, describe: Callable[[RefundRecord], str]
) -> list[dict[str, object]]:
    by_cause: dict[Cause, list[RefundRecord]] = defaultdict(list)
    for record in records:
        if record.cause is not None:
            by_cause[record.cause].append(record)
    return [
        {
            "cause": str(cause),
            "count": len(group),
            "what_to_do": WHAT_TO_DO[cause],
            "examples": [describe(r) for r in group[:examples]],
        }
        for cause, group in sorted(by_cause.items(), key=lambda item: -len(item[1]))
    ]
