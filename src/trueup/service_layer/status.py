"""The interpreted state: not logs, but where every order stands, what is stuck, why, and what to do.

Gathered here, printed elsewhere (`entrypoints/status_view.py` for people, `--json` for machines): the report
for every shop (or the one asked for), and the same report for each shop on its own, since several shops may
feed one back-office and number their orders alike (each from #1001). Every order it mentions names its shop.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from trueup.domain.errors import WHAT_TO_DO, Cause
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.service_layer.completeness_findings import completeness_summary
from trueup.service_layer.fulfilment_status import unfulfilled_shipments
from trueup.service_layer.intake_status import kept_not_understood
from trueup.service_layer.inventory_status import stock_summary
from trueup.service_layer.order_work_status import (
    documents_equal,
    oldest_waiting,
    order_work,
    states_with_waiting,
    waiting_orders,
)
from trueup.service_layer.payouts_status import payouts_summary
from trueup.service_layer.ports import Clock, Store
from trueup.service_layer.post_purchase_status import cancelled_orders, held_orders
from trueup.service_layer.refunds_status import refunds_summary
from trueup.service_layer.tax_variances import tax_variances_summary


@dataclass(frozen=True)
class ExceptionGroup:
    cause: str
    count: int
    what_to_do: str
    examples: list[dict[str, str]]  # a few orders: name, shop and detail


@dataclass(frozen=True)
class StuckItem:
    order: str
    state: str
    age_seconds: float
    shop: str = ""


@dataclass(frozen=True)
class StatusReport:
    """Where the orders of `shop` stand (of every shop when None), and in `shops` the same for each shop."""

    generated_at: str
    orders_by_state: dict[str, int]
    exceptions: list[ExceptionGroup]
    oldest_stuck: StuckItem | None
    seconds_since_last_webhook: float | None
    pending_jobs: int
    deliveries: int
    duplicate_deliveries: int
    unknown_topics: dict[str, int]
    # Per currency: what Shopify says posted orders total, and what the ERP holds for them.
    posted_totals: dict[str, dict[str, str]] = field(default_factory=dict)
    total_mismatches: list[dict[str, str]] = field(default_factory=list)
    # Per presentment currency: what customers paying in another currency than the shop's were charged in
    # it, over posted orders (the ERP holds their shop-currency totals above).
    charged_in_other_currencies: dict[str, str] = field(default_factory=dict)
    # ERP shipments that could not be fulfilled in Shopify, by cause: count, what to do, a few examples.
    unfulfilled_shipments: list[dict[str, object]] = field(default_factory=list)
    # Orders in their hold window, first to post first: when each posts, and whether it is overdue.
    held_orders: list[dict[str, object]] = field(default_factory=list)
    # The latest orders cancelled in Shopify after posting, with the ERP sale cancelled for each.
    cancelled_orders: list[dict[str, str]] = field(default_factory=list)
    # Refunds: by state, credited per currency, parked by cause, waiting for their order, latest notes.
    refunds: dict[str, object] = field(default_factory=dict)
    # Payouts: by state, paid to the bank and fees per currency, those not booked by cause.
    payouts: dict[str, object] = field(default_factory=dict)
    # Tax variances: orders posted with Shopify's tax where the ERP's rate gives another figure (count, sums per
    # currency, per ERP tax, the latest, what to do); empty when there is none.
    tax_variances: dict[str, object] = field(default_factory=dict)
    # The completeness check's open findings: count, when it last ran over the shop, per kind with what to do
    # and the first few (service_layer/completeness_findings.py); empty when it has not run nor found anything.
    completeness: dict[str, object] = field(default_factory=dict)
    # Stock: issues by cause with what to do, and the drift the last reconciliation left open.
    stock: dict[str, object] = field(default_factory=dict)
    # Deliveries kept but not understood (unreadable bodies, unknown topics), each with what to do.
    kept_not_understood: list[dict[str, object]] = field(default_factory=list)
    # Requests refused at the endpoint, by reason (bad_signature, too_old, body_too_large...).
    refused_requests: dict[str, int] = field(default_factory=dict)
    # Orders known only as work still to do, each in its one state (received_not_synced, or
    # waiting_on_transient_cause with the cause and since when); order work apart from periodic jobs.
    waiting_orders: list[dict[str, object]] = field(default_factory=list)
    order_work: dict[str, int] = field(default_factory=dict)
    # "Shopify = ERP to the cent for N of N documents": posted orders whose totals agree, of those posted.
    documents_equal: dict[str, int] = field(default_factory=dict)
    shop: str | None = None  # None: every shop
    shops: list[StatusReport] = field(default_factory=list)  # each shop's own report (empty in a shop's own)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def exception_groups(entries: list[LedgerEntry], examples: int) -> list[ExceptionGroup]:
    """The parked orders among `entries` by cause, largest group first, with what to do and a few examples."""
    by_cause: dict[Cause, list[LedgerEntry]] = defaultdict(list)
    for entry in entries:
        if entry.state == OrderState.EXCEPTION and entry.cause is not None:
            by_cause[entry.cause].append(entry)
    return [
        ExceptionGroup(
            cause=str(cause),
            count=len(group),
            what_to_do=WHAT_TO_DO[cause],
            examples=[{"order": e.name, "shop": e.shop, "detail": e.detail or ""} for e in group[:examples]],
        )
        for cause, group in sorted(by_cause.items(), key=lambda item: -len(item[1]))
    ]


def _oldest_stuck(oldest: LedgerEntry | None, now: datetime, waiting: dict[str, object] | None) -> StuckItem | None:
    """The oldest order not finished: an open ledger entry, or an order whose sync has waited longer."""
    entry = (
        None
        if oldest is None
        else StuckItem(oldest.name, str(oldest.state), (now - oldest.state_since).total_seconds(), oldest.shop)
    )
    if waiting is None:
        return entry
    age = float(str(waiting["age_seconds"]))
    if entry is not None and entry.age_seconds >= age:
        return entry
    return StuckItem(str(waiting["order"]), str(waiting["state"]), age, str(waiting["shop"]))


def _posted_totals(entries: list[LedgerEntry]) -> tuple[dict[str, dict[str, str]], list[dict[str, str]]]:
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: {"shopify": Decimal(0), "erp": Decimal(0)})
    mismatches = []
    for e in entries:
        if e.state != OrderState.POSTED or e.shopify_total is None or e.erp_total is None:
            continue
        sums[e.shopify_total.currency]["shopify"] += e.shopify_total.amount
        sums[e.erp_total.currency]["erp"] += e.erp_total.amount
        if e.shopify_total.rounded() != e.erp_total.rounded():
            mismatches.append(
                {"order": e.name, "shop": e.shop, "shopify": str(e.shopify_total), "erp": str(e.erp_total)}
            )
    totals = {cur: {side: str(amount) for side, amount in pair.items()} for cur, pair in sums.items()}
    return totals, mismatches


def _charged_in_other_currencies(entries: list[LedgerEntry]) -> dict[str, str]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for e in entries:
        if e.state == OrderState.POSTED and e.presentment_total is not None:
            sums[e.presentment_total.currency] += e.presentment_total.amount
    return {currency: str(amount) for currency, amount in sorted(sums.items())}


def build_status(
    store: Store, clock: Clock, examples: int = 3, *, shops: Sequence[str] = (), shop: str | None = None
) -> StatusReport:
    """Everything `trueup status` shows, computed from the store: for `shop` alone if given, else for every shop,
    with each of `shops` (the configured shops) on its own in `shops`."""
    now = clock.now()
    sections = [_report(store, now, examples, one) for one in shops if shop in (None, one)]
    return replace(_report(store, now, examples, shop), shops=sections)


def _report(store: Store, now: datetime, examples: int, shop: str | None) -> StatusReport:
    intake = store.intake_stats(shop)
    posted = store.ledger_entries(OrderState.POSTED, shop=shop)
    totals, mismatches = _posted_totals(posted)
    last = intake.last_received_at
    waiting = waiting_orders(store, now, shop)
    counts = {str(state): count for state, count in store.ledger_counts(shop).items() if count}
    return StatusReport(
        generated_at=now.isoformat(),
        orders_by_state=states_with_waiting(counts, waiting),
        waiting_orders=waiting,
        order_work=order_work(store, shop),
        documents_equal=documents_equal(posted),
        exceptions=exception_groups(store.ledger_entries(OrderState.EXCEPTION, shop=shop), examples),
        oldest_stuck=_oldest_stuck(store.oldest_open_entry(shop), now, oldest_waiting(waiting)),
        seconds_since_last_webhook=(now - last).total_seconds() if last else None,
        pending_jobs=store.pending_jobs(shop),
        deliveries=intake.deliveries,
        duplicate_deliveries=intake.duplicates,
        unknown_topics=intake.unknown_topics,
        posted_totals=totals,
        total_mismatches=mismatches,
        charged_in_other_currencies=_charged_in_other_currencies(posted),
        unfulfilled_shipments=unfulfilled_shipments(store, examples, shop=shop),
        held_orders=held_orders(store, now, shop=shop),
        cancelled_orders=cancelled_orders(store, examples, shop=shop),
        refunds=refunds_summary(store, examples, shop=shop),
        payouts=payouts_summary(store, examples, shop=shop),
        tax_variances=tax_variances_summary(store, examples, shop=shop),
        completeness=completeness_summary(store, examples, shop=shop),
        stock=stock_summary(store, now, examples, shop=shop),
        shop=shop,
        kept_not_understood=kept_not_understood(intake),
        refused_requests=dict(sorted(intake.refused.items())),
    )
