"""`trueup rehearse`: a Black Friday rehearsal on the local stack, and what it proves.

The sandbox trades a profile of orders (ramping to a peak and holding) while faults are injected when asked:
duplicated, reordered and dropped webhooks, Admin API errors, an ERP outage. The backlog is sampled every
second. Once trading is over the faults are switched off (a dropped webhook is caught by the poll) and the
rehearsal waits for every order to settle, then counts, from Shopify, the ERP and the ledger themselves:
orders lost (paid in Shopify, not one sale in the ERP), duplicated (one order, two sales), oversold (stock
below zero in Shopify), the money difference (the ERP's sales less credit notes against Shopify's totals),
the latency from an order's creation to its sale, exceptions by cause, the faults the sandbox injected, and
Shopify's API budget as trueup's workers used it (the minutes they stored; they are stopped once everything
has settled, so that they store the last one).
What the ERP books of a sale is its invoices' total: they carry Shopify's tax to the cent (the sale itself
keeps Tryton's own tax computation, which may differ by a rounding cent).
"""

from __future__ import annotations

import html
import json
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from trueup.domain.api_usage import ApiUsage, minute_of
from trueup.domain.errors import TransientError
from trueup.domain.ledger import OrderState
from trueup.local_stack.stack import EPOCH, LocalStack

FAULTS = {
    "webhook_duplicate_rate": 0.05,
    "webhook_reorder_rate": 0.05,
    "webhook_reorder_hold_seconds": 3.0,
    "webhook_drop_rate": 0.03,
    "api_5xx_rate": 0.02,
}


@dataclass
class Sample:
    seconds: float  # since trading started
    backlog: int  # jobs waiting or running
    posted: int


@dataclass
class Rehearsal:
    """What one rehearsal asks for."""

    orders: int
    seed: int = 1
    profile: str = "black_friday"
    speed: float = 1.0
    faults: bool = False
    erp_outage_seconds: float = 0.0
    settle_timeout: float = 900.0
    scale: float | None = None  # asked as a multiple of an ordinary day's order rate
    follow_ups: bool = False  # edits, address changes, cancellations and refunds after the orders
    samples: list[Sample] = field(default_factory=list)
    resident_peak: dict[str, int] = field(default_factory=dict)  # process name -> the most bytes resident seen


def run(stack: LocalStack, rehearsal: Rehearsal, progress: Any = lambda _: None) -> dict[str, Any]:
    """Trade, sample, settle and count on a started `stack`; the report."""
    if rehearsal.erp_outage_seconds and stack.tryton is None:
        raise ValueError("an ERP outage stops the stack's own Tryton: not possible with an external ERP")
    if rehearsal.faults:
        stack.set_faults(**FAULTS)
    since = minute_of(datetime.now(UTC))  # the API use is stored by whole minutes
    started = time.monotonic()
    done = threading.Event()
    sampler = threading.Thread(target=_sample, args=(stack, rehearsal, started, done), daemon=True)
    sampler.start()
    outage = _outage(stack, rehearsal.erp_outage_seconds) if rehearsal.erp_outage_seconds else None
    try:
        progress(f"trading {rehearsal.orders} orders ({rehearsal.profile})")
        traded = stack.trade(
            rehearsal.orders,
            rehearsal.seed,
            follow_ups=rehearsal.follow_ups,
            profile=rehearsal.profile,
            speed=rehearsal.speed,
        )
        if outage is not None:
            outage.join()
        stack.set_faults(**dict.fromkeys(FAULTS, 0.0))
        progress("waiting for every order to settle")
        settled = stack.wait_settled(rehearsal.settle_timeout)
    finally:
        done.set()
        sampler.join()
    took = time.monotonic() - started
    stack.stop_workers()  # each stores its last minute of API use
    return {**_report(stack, rehearsal, traded, settled, took), "api": _api(stack, since, traded)}


def _sample(stack: LocalStack, rehearsal: Rehearsal, started: float, done: threading.Event) -> None:
    store = stack.store()
    processes = [*stack.workers, *([stack.service] if stack.service is not None else [])]
    try:
        while not done.wait(1.0):
            for process in processes:
                resident = process.resident_bytes()
                if resident is not None:
                    peak = rehearsal.resident_peak
                    peak[process.name] = max(resident, peak.get(process.name, 0))
            try:
                backlog = store.pending_jobs() + store.running_jobs()
                posted = store.ledger_counts().get(OrderState.POSTED, 0)
            except TransientError:  # a busy store: the next second's sample will do
                continue
            rehearsal.samples.append(Sample(round(time.monotonic() - started, 1), backlog, posted))
    finally:
        store.close()


def _outage(stack: LocalStack, seconds: float) -> threading.Thread:
    """The ERP stopped a few seconds into trading, for `seconds`, then started again."""

    tryton = stack.tryton
    assert tryton is not None, "checked by run"

    def outage() -> None:
        time.sleep(3.0)
        tryton.stop()
        time.sleep(seconds)
        tryton.start()

    thread = threading.Thread(target=outage, daemon=True)
    thread.start()
    return thread


def _report(
    stack: LocalStack, rehearsal: Rehearsal, traded: dict[str, Any], settled: bool, took: float
) -> dict[str, Any]:
    shop_orders = _sandbox(stack, "/sandbox/orders")["orders"]
    summaries = {s.order_id: s for s in stack.shopify().order_summaries_since(EPOCH)}
    paid = {oid: s for oid, s in summaries.items() if s.postable}
    sales = stack.erp_sales(only_this_shop=True)
    references = Counter(sale["reference"].rsplit(":", 1)[-1] for sale in sales)
    by_number = {sale["reference"].rsplit(":", 1)[-1]: sale for sale in sales}
    store = stack.store()
    try:
        entries = {oid: store.ledger_entry(stack.shop_domain, oid) for oid in summaries}
        exceptions = {str(cause): count for cause, count in store.exception_counts().items()}
        credited = _credited(stack, store)
    finally:
        store.close()
    numbers = {oid: oid.rsplit("/", 1)[-1] for oid in summaries}
    lost = [s.name for oid, s in paid.items() if numbers[oid] not in by_number]
    duplicated = [number for number, count in references.items() if count > 1]
    booked = stack.erp_booked_totals(only_this_shop=True)
    differences: list[dict[str, str]] = []  # each order whose ERP total is not Shopify's, named
    for oid, summary in paid.items():
        sale = by_number.get(numbers[oid])
        if sale is not None:
            erp = booked[sale["reference"]] - credited.get(oid, Decimal(0))
            if erp != summary.total.amount:
                differences.append({"order": summary.name, "shopify": str(summary.total.amount), "erp": str(erp)})
    difference = sum((abs(Decimal(d["erp"]) - Decimal(d["shopify"])) for d in differences), Decimal(0))
    created = {f"gid://shopify/Order/{o['id']}": _instant(o["created_at"]) for o in shop_orders}
    latencies = sorted(
        (entry.state_since - created[oid]).total_seconds()
        for oid, entry in entries.items()
        if entry is not None and entry.state == OrderState.POSTED and oid in created
    )
    oversold = [
        row["sku"]
        for row in _sandbox(stack, "/sandbox/inventory")["inventoryLevels"]
        if row["quantities"].get("available", 0) < 0
    ]
    return {
        "profile": rehearsal.profile,
        "speed": rehearsal.speed,
        "scale": rehearsal.scale,
        "follow_ups": traded.get("follow_ups_done", 0),
        "orders_traded": traded.get("orders_placed", rehearsal.orders),
        "paid_orders": len(paid),
        "erp_sales": len(sales),
        "settled": settled,
        "seconds": round(took, 1),
        "lost": len(lost),
        "lost_orders": lost,
        "duplicated": len(duplicated),
        "oversold": len(oversold),
        "oversold_skus": sorted(set(oversold)),
        "money_difference": str(difference.quantize(Decimal("0.01"))),
        "money_differences": differences,
        "latency_seconds": percentiles(latencies),
        "exceptions_by_cause": exceptions,
        "faults_injected": _sandbox(stack, "/sandbox/faults/injected") if rehearsal.faults else {},
        "erp_outage_seconds": rehearsal.erp_outage_seconds,
        "peak_backlog": max((s.backlog for s in rehearsal.samples), default=0),
        "resident_mb_peak": {name: round(b / 2**20, 1) for name, b in sorted(rehearsal.resident_peak.items())},
        "intake_ms": intake_times(_sandbox(stack, "/sandbox/webhooks/deliveries")["deliveries"]),
        "backlog": [[s.seconds, s.backlog, s.posted] for s in rehearsal.samples],
    }


def _api(stack: LocalStack, since: datetime, traded: dict[str, Any]) -> dict[str, Any]:
    """Shopify's Admin API as trueup's workers used it from `since` (whole minutes): calls, the cost points
    Shopify charged, the lowest the shop's bucket fell and its size, THROTTLED answers; and, to hold them to,
    every THROTTLED answer the sandbox gave: to the workers, to the trading (which stands for the shop's other
    apps) and to the rehearsal's own checks."""
    store = stack.store()
    try:
        usage = store.api_usage(since, stack.shop_domain)
    finally:
        store.close()
    checks = stack.shopify().usage.take_usage()
    return {
        **api_budget(usage),
        "throttled_trading": int(traded.get("throttled", 0)),
        "throttled_checks": sum(u.throttled for u in checks),
        "throttled_answered": _sandbox(stack, "/sandbox/api/throttled")["throttled"],
    }


def api_budget(usage: list[ApiUsage]) -> dict[str, Any]:
    """The minutes of API use as one: calls, cost used (points charged) and requested, THROTTLED answers, the
    lowest available budget seen and the bucket's size, and the most of the bucket in use at once, in percent."""
    lows = [u.lowest_available for u in usage if u.lowest_available is not None]
    sizes = [u.maximum_available for u in usage if u.maximum_available]
    lowest = min(lows) if lows else None
    size = max(sizes) if sizes else None
    peak = round(min(max(1 - max(lowest, 0.0) / size, 0.0), 1.0) * 100) if lowest is not None and size else None
    return {
        "minutes": len({u.minute for u in usage}),
        "calls": sum(u.calls for u in usage),
        "cost_used": sum(u.actual_cost for u in usage),
        "cost_requested": sum(u.requested_cost for u in usage),
        "throttled": sum(u.throttled for u in usage),
        "lowest_available": lowest,
        "maximum_available": size,
        "peak_used_percent": peak,
        "per_minute": [
            {
                "minute": u.minute.isoformat(),
                "calls": u.calls,
                "cost_used": u.actual_cost,
                "lowest_available": u.lowest_available,
                "throttled": u.throttled,
            }
            for u in sorted(usage, key=lambda u: u.minute)
        ],
    }


def intake_times(deliveries: list[dict[str, Any]]) -> dict[str, Any]:
    """How long trueup's intake took to answer the sandbox's webhook deliveries, in milliseconds, as the sandbox
    timed them (p50, p95, p99 and the slowest, over every attempt that was answered)."""
    times = sorted(
        attempt["seconds"] * 1000
        for delivery in deliveries
        for attempt in delivery.get("attempts", [])
        if attempt.get("status_code") is not None and attempt.get("seconds") is not None
    )
    return {**percentiles(times), "max": round(times[-1], 2) if times else None, "answered": len(times)}


def _credited(stack: LocalStack, store: Any) -> dict[str, Decimal]:
    order_of = {r.refund_id.rsplit("/", 1)[-1]: r.order_id for r in store.refund_records(shop=stack.shop_domain)}
    credited: dict[str, Decimal] = {}
    for note in stack.erp_credit_notes(only_this_shop=True):
        order_id = order_of.get(note["reference"].rsplit(":", 1)[-1])
        if order_id is not None:
            credited[order_id] = credited.get(order_id, Decimal(0)) - Decimal(str(note["total_amount"]))
    return credited


def _sandbox(stack: LocalStack, path: str) -> dict[str, Any]:
    response = httpx.get(f"{stack.sandbox_url}{path}", timeout=30)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def percentiles(values: list[float]) -> dict[str, float | None]:
    """p50, p95 and p99 of `values` (all the one value when there is only one; None when there is none)."""
    if len(values) < 2:
        only = round(values[0], 2) if values else None
        return {"p50": only, "p95": only, "p99": only}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": round(cuts[49], 2), "p95": round(cuts[94], 2), "p99": round(cuts[98], 2)}


def html_chart(report: dict[str, Any]) -> str:
    """A self-contained HTML page: the backlog and the orders posted over time (inline SVG), and the counts."""
    points = report["backlog"] or [[0, 0, 0]]
    width, height = 720, 240
    end = max(p[0] for p in points) or 1
    top = max(max(p[1] for p in points), max(p[2] for p in points), 1)

    def line(index: int) -> str:
        return " ".join(f"{p[0] / end * width:.1f},{height - p[index] / top * height:.1f}" for p in points)

    facts = {
        key: report[key]
        for key in ("profile", "paid_orders", "erp_sales", "lost", "duplicated", "oversold", "money_difference")
    }
    api = report.get("api") or {}
    facts |= {
        f"API {key.replace('_', ' ')}": api.get(key)
        for key in ("cost_used", "lowest_available", "maximum_available", "peak_used_percent", "throttled")
    }
    facts |= {f"resident MB at peak, {name}": mb for name, mb in (report.get("resident_mb_peak") or {}).items()}
    facts |= {f"intake ms {key}": value for key, value in (report.get("intake_ms") or {}).items()}
    rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in facts.items())
    latency = html.escape(json.dumps(report["latency_seconds"]))
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>trueup rehearsal</title>
<style>body{{font-family:sans-serif;margin:2em}} th{{text-align:left;padding-right:1em}}</style></head>
<body><h1>trueup rehearsal</h1>
<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img"
 aria-label="backlog (red) and orders posted (blue) over {end:.0f} seconds" style="border:1px solid #ccc">
<polyline fill="none" stroke="#c0392b" stroke-width="2" points="{line(1)}"/>
<polyline fill="none" stroke="#2c7bb6" stroke-width="2" points="{line(2)}"/>
</svg>
<p>Red: jobs waiting or running (peak {report["peak_backlog"]}). Blue: orders posted. Over {end:.0f} s; top {top}.</p>
{_budget_bars(report.get("api") or {})}
<p>Latency from an order's creation to its sale in the ERP, seconds: {latency}</p>
<table>{rows}</table>
</body></html>
"""


def _budget_bars(api: dict[str, Any]) -> str:
    """Shopify's API budget minute by minute (inline SVG): cost used (grey bars) and, where Shopify answered
    THROTTLED, a red mark; "" without a stored minute."""
    minutes = api.get("per_minute") or []
    if not minutes:
        return ""
    width, height = 720, 120
    step = width / len(minutes)
    top = max(max(m["cost_used"] for m in minutes), 1)
    bars = "".join(
        f'<rect x="{i * step:.1f}" y="{height - m["cost_used"] / top * height:.1f}" width="{step * 0.8:.1f}" '
        f'height="{m["cost_used"] / top * height:.1f}" fill="{"#c0392b" if m["throttled"] else "#999"}"/>'
        for i, m in enumerate(minutes)
    )
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Shopify API cost used per minute" style="border:1px solid #ccc">{bars}</svg>\n'
        f"<p>Shopify API cost used per minute (top {top} points; red: a minute with THROTTLED answers). "
        f"Lowest available budget seen: {html.escape(str(api.get('lowest_available')))} of "
        f"{html.escape(str(api.get('maximum_available')))}; THROTTLED: {api.get('throttled')}.</p>"
    )
