"""The console's overview: per shop, what came in and what reached the ERP, and a light that is green only
when the reconciliation says so (never because processes are up)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from trueup.domain.fulfilment import FulfilmentState
from trueup.domain.ledger import OrderState
from trueup.domain.refunds import RefundState
from trueup.service_layer.intake_status import kept_not_understood
from trueup.service_layer.ports import History, Store
from trueup.service_layer.tax_variances import tax_variances_summary

# Orders still on their way (received, waiting for payment) are not a problem until they are this old.
IN_FLIGHT_GRACE = timedelta(minutes=15)
_REACHED_ERP = (OrderState.POSTED, OrderState.CANCELLED)
_SETTLED_REFUNDS = (RefundState.CREDITED, RefundState.COVERED_BY_CANCELLATION, RefundState.NOTHING_TO_CREDIT)


class FindingSource(Protocol):
    """Another reconciliation's findings for the overview (payouts → booked, the completeness check), shown as
    a panel of their own once it exists; a shop with findings is not green."""

    title: str

    def findings(self, shop: str) -> list[dict[str, str]] | None:
        """The open findings for `shop` (each with at least "what"), or None when this check has not run."""


@dataclass(frozen=True)
class Flow:
    """One flow of a shop: how many came in, how many reached the ERP (or Shopify), how many are stuck."""

    name: str  # "orders", "refunds", "shipments"
    received: int
    done: int
    stuck: int


@dataclass(frozen=True)
class ShopOverview:
    shop: str
    light: str  # green | amber | red
    why: list[str]  # what keeps the light from green
    flows: list[Flow]
    open_drift: int
    stock_issues: int
    backlog: int  # the shop's jobs waiting
    last_webhook_at: str | None
    oldest_stuck: dict[str, Any] | None
    findings: dict[str, list[dict[str, str]] | None] = field(default_factory=dict)
    # Deliveries kept but not understood: problem, count, what to do (intake_status.py). They do not change the
    # light: the order each names is caught up by polling, and the completeness check finds any that is not.
    kept_not_understood: list[dict[str, object]] = field(default_factory=list)
    # Orders posted with Shopify's tax where the ERP's rate gives another figure: for finance, shown apart from
    # the light (such orders are in the ERP as Shopify charged them); empty when there is none.
    tax_variances: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Overview:
    generated_at: str
    backlog: int  # jobs waiting, all shops
    retrying: int
    shops: list[ShopOverview]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _orders(store: Store, shop: str) -> Flow:
    counts = store.ledger_counts(shop)
    done = sum(counts.get(state, 0) for state in _REACHED_ERP)
    return Flow("orders", sum(counts.values()), done, counts.get(OrderState.EXCEPTION, 0))


def _refunds(store: Store, shop: str) -> Flow:
    counts = store.refund_counts(shop)
    done = sum(counts.get(state, 0) for state in _SETTLED_REFUNDS)
    return Flow("refunds", sum(counts.values()), done, counts.get(RefundState.EXCEPTION, 0))


def _shipments(history: History, shop: str) -> Flow:
    counts = history.fulfilment_counts(shop)
    done, stuck = counts.get(FulfilmentState.FULFILLED, 0), counts.get(FulfilmentState.FAILED, 0)
    return Flow("shipments", sum(counts.values()), done, stuck)


def _light(
    flows: list[Flow], drift: int, issues: int, stuck_age: float | None, findings: dict[str, Any]
) -> tuple[str, list[str]]:
    """Red for anything parked, drifted or found; amber for an order open longer than the grace; else green."""
    why = [f"{flow.stuck} {flow.name} parked" for flow in flows if flow.stuck]
    if drift:
        why.append(f"{drift} stock levels drifted")
    if issues:
        why.append(f"{issues} stock issues")
    why += [f"{len(found)} {title} findings" for title, found in findings.items() if found]
    if why:
        return "red", why
    if stuck_age is not None and stuck_age > IN_FLIGHT_GRACE.total_seconds():
        return "amber", [f"an order has waited {stuck_age / 60:.0f} min"]
    return "green", []


def shop_overview(
    store: Store,
    history: History,
    shop: str,
    now: datetime,
    last_webhook: datetime | None,
    sources: Sequence[FindingSource] = (),
) -> ShopOverview:
    """One shop's overview (see `overview`)."""
    flows = [_orders(store, shop), _refunds(store, shop), _shipments(history, shop)]
    drift = len(store.open_drift(shop))
    issues = len(store.stock_issues(shop))
    oldest = store.oldest_open_entry(shop)
    age = (now - oldest.state_since).total_seconds() if oldest else None
    findings = {source.title: source.findings(shop) for source in sources}
    light, why = _light(flows, drift, issues, age, findings)
    return ShopOverview(
        shop=shop,
        light=light,
        why=why,
        flows=flows,
        open_drift=drift,
        stock_issues=issues,
        backlog=store.pending_jobs(shop),
        last_webhook_at=last_webhook.isoformat() if last_webhook else None,
        oldest_stuck={"order": oldest.name, "state": str(oldest.state), "age_seconds": age} if oldest else None,
        findings=findings,
        kept_not_understood=kept_not_understood(store.not_understood(shop)),
        tax_variances=tax_variances_summary(store, shop=shop),
    )


def overview(
    store: Store, history: History, shops: Sequence[str], now: datetime, sources: Sequence[FindingSource] = ()
) -> Overview:
    """Per shop: orders received → posted, refunds → credited, shipments → fulfilled, stock drift, the last
    webhook, the oldest stuck order, other checks' findings, the deliveries kept but not understood with what
    to do, tax variances; and the queue's backlog."""
    last = history.last_received_by_shop(shops)
    return Overview(
        generated_at=now.isoformat(),
        backlog=store.pending_jobs(),
        retrying=store.retrying_jobs(),
        shops=[shop_overview(store, history, shop, now, last.get(shop), sources) for shop in shops],
    )
