"""The orders trueup knows only as work still to do: received and not yet synced, or waiting on a transient
cause (the ERP down, Shopify throttling) with the cause and since when; order work told apart from the periodic
jobs; and the one line of money: Shopify = ERP to the cent for N of N documents."""

from __future__ import annotations

from datetime import datetime

from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.service_layer.jobs import SyncOrder
from trueup.service_layer.ports import Store, WaitingJob

RECEIVED_NOT_SYNCED = "received_not_synced"
WAITING_ON_TRANSIENT_CAUSE = "waiting_on_transient_cause"
FINISHED = frozenset({OrderState.POSTED, OrderState.CANCELLED, OrderState.CANCELLED_UNPOSTED})


def _order_id(job: WaitingJob) -> str:
    return job.key.split("|", 1)[-1]


def waiting_orders(store: Store, now: datetime, shop: str | None = None) -> list[dict[str, object]]:
    """Each order with sync work waiting, in the one state it is in: received and not yet synced (no ledger
    entry yet, or only received), or waiting on a transient cause (its last run failed), oldest first."""
    rows: list[dict[str, object]] = []
    for job in store.waiting_jobs(SyncOrder.kind, shop):
        entry = store.ledger_entry(job.shop, _order_id(job))
        settled = entry is not None and entry.state != OrderState.RECEIVED
        if settled and (not job.last_error or entry.state in FINISHED):  # type: ignore[union-attr]
            continue  # a posted order's follow-up work, or one in its own state already
        state = WAITING_ON_TRANSIENT_CAUSE if job.attempts and job.last_error else RECEIVED_NOT_SYNCED
        rows.append(
            {
                "order": entry.name if entry else _order_id(job),
                "shop": job.shop,
                "state": state,
                "cause": job.last_error if state == WAITING_ON_TRANSIENT_CAUSE else None,
                "since": job.since.isoformat(),
                "age_seconds": (now - job.since).total_seconds(),
                "ledger_state": str(entry.state) if entry else None,
            }
        )
    return rows


def states_with_waiting(counts: dict[str, int], waiting: list[dict[str, object]]) -> dict[str, int]:
    """The ledger's counts with each waiting order moved to its own state (every order in exactly one)."""
    result = dict(counts)
    for row in waiting:
        ledger_state = row["ledger_state"]
        if isinstance(ledger_state, str) and result.get(ledger_state):
            result[ledger_state] -= 1
        state = str(row["state"])
        result[state] = result.get(state, 0) + 1
    return {state: count for state, count in result.items() if count}


def order_work(store: Store, shop: str | None = None) -> dict[str, int]:
    """Order work waiting apart from the periodic jobs (polls, stock, payouts, purges), which never reach 0."""
    orders = len(store.waiting_jobs(SyncOrder.kind, shop))
    return {"orders": orders, "periodic": max(store.pending_jobs(shop) - orders, 0)}


def documents_equal(posted: list[LedgerEntry]) -> dict[str, int]:
    """Posted orders whose ERP total is Shopify's to the cent, of those with both totals."""
    pairs = [(e.shopify_total, e.erp_total) for e in posted if e.shopify_total is not None and e.erp_total is not None]
    equal = sum(1 for shopify, erp in pairs if shopify.rounded() == erp.rounded())
    return {"equal": equal, "of": len(pairs)}


def oldest_waiting(waiting: list[dict[str, object]]) -> dict[str, object] | None:
    return max(waiting, key=lambda row: float(str(row["age_seconds"])), default=None)
