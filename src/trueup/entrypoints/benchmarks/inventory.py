"""Stock to Shopify at scale, against the sandbox on the Standard plan (a separate process).

Three figures:
- full reconciliation: read every level in bulk, compare with what it should be, write only the differences
  (coalesced, 250 per call): seconds, calls by operation, levels read, differences written;
- sustained stock updates: the writer kept busy for `seconds`; updates applied per second once the bucket is
  down to the reserve, against the plan's ceiling (restore rate ÷ points charged per call × 250), THROTTLED;
  meanwhile an order read every half second at order priority, and how long it waited;
- hand-over latency: from a change handed to the writer to Shopify holding it (idle budget), p50/p95.

With `order_processes` > 0, that many other OS processes make order-side calls meanwhile (`fetch_order`, and
every fifth call `order_summaries_since`), each with its own client and cost budget, as separate trueup
workers sharing the shop would: their THROTTLED answers, waits for the bucket and latencies are reported per
process (`order_process_main`, started as `python -c`, talks to this one over its stdin and stdout).

The client is trueup's own (ShopifyAdminClient, its cost budget, the coalescing writer); the counts come from
Shopify's answers (`extensions.cost`), seen through an httpx response hook.
"""

from __future__ import annotations

import dataclasses
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import httpx

from trueup.adapters.shopify.admin import ShopifyAdminClient
from trueup.adapters.shopify.cost_budget import (
    DEFAULT_ORDER_CALLS_AT_ONCE,
    CostBudget,
    Priority,
    current_priority,
)
from trueup.domain.errors import TransientError
from trueup.domain.inventory import InventoryLevel, StockWrite
from trueup.local_stack.processes import ManagedProcess, free_port, trueup_command
from trueup.service_layer.stock_writes import MAX_PER_CALL, StockWriteQueue, flush

TOKEN = "shpat_bench_inventory"  # noqa: S105 - a local sandbox's token
SHOP = "large-catalogue.myshopify.com"
SET_QUANTITIES = "TrueupInventorySetQuantities"
# Stock calls in flight at once: enough to use the restore rate whatever the round trip.
WRITERS = 3
CALLS_PER_FLUSH = 30


@dataclass
class Answers:
    """What Shopify answered, counted from its replies (thread-safe)."""

    calls: Counter[str] = field(default_factory=Counter)
    throttled: int = 0
    throttled_by_operation: Counter[str] = field(default_factory=Counter)
    charged: Counter[str] = field(default_factory=Counter)  # actual cost by operation
    # (time, currently available, maximum available, restore rate)
    readings: list[tuple[float, float, float, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hook(self, response: httpx.Response) -> None:
        if not response.request.url.path.endswith("/graphql.json"):
            return
        response.read()
        name = str(json.loads(response.request.content or b"{}").get("operationName") or "?")
        try:
            body = json.loads(response.content)
        except ValueError:
            return
        cost = (body.get("extensions") or {}).get("cost") or {}
        status = cost.get("throttleStatus") or {}
        codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors") or [] if isinstance(e, dict)]
        with self.lock:
            self.calls[name] += 1
            self.throttled += codes.count("THROTTLED") + (response.status_code == 429)
            if "THROTTLED" in codes or response.status_code == 429:
                self.throttled_by_operation[name] += 1
            self.charged[name] += int(cost.get("actualQueryCost") or 0)
            if status:
                self.readings.append(
                    (
                        time.monotonic(),
                        float(status["currentlyAvailable"]),
                        float(status["maximumAvailable"]),
                        float(status["restoreRate"]),
                    )
                )

    def snapshot(self) -> tuple[Counter[str], int]:
        with self.lock:
            return Counter(self.calls), self.throttled


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0


def _client(url: str, http: httpx.Client, budget: CostBudget) -> ShopifyAdminClient:
    client = ShopifyAdminClient(SHOP, TOKEN, base_url=url, http=http, budget=budget)
    client.inventory.bulk_poll_seconds = 0.2  # the sandbox reads a bulk query a slice per request: poll often
    return client


def reconcile(client: ShopifyAdminClient, drift: float, rng: random.Random) -> tuple[dict[str, Any], list[Any]]:
    """A full reconciliation: every level in bulk, `drift` of them wrong, only those written."""
    started = time.monotonic()
    locations = [loc.location_id for loc in client.locations() if loc.is_active]
    levels = client.inventory_levels(locations)
    read_seconds = time.monotonic() - started
    # What the ERP says: Shopify's level, except for the drifted share (a receipt, a count, a sale).
    targets = {
        (lv.inventory_item_id, lv.location_id): (lv.available + rng.randint(1, 20) if rng.random() < drift else None)
        for lv in levels
    }
    queue = StockWriteQueue()
    for level in levels:
        target = targets[(level.inventory_item_id, level.location_id)]
        if target is not None:
            queue.put(StockWrite(level.sku, level.inventory_item_id, level.location_id, target, level.available))
    differences = len(queue)
    report = flush(client, queue, f"reconcile-{int(started)}")
    levels = after_writes(levels, report.applied)
    return {
        "levels_read": len(levels),
        "differences_written": len(report.applied),
        "differences_found": differences,
        "stale": len(report.stale),
        "read_seconds": round(read_seconds, 2),
        "seconds": round(time.monotonic() - started, 2),
    }, levels


def sustain(
    client: ShopifyAdminClient, levels: list[InventoryLevel], seconds: float, answers: Answers
) -> dict[str, Any]:
    """Keep the writer busy for `seconds` with changes to every level, round after round."""
    current = {(lv.inventory_item_id, lv.location_id): lv for lv in levels}
    known = {pair: lv.available for pair, lv in current.items()}
    queue = StockWriteQueue()
    applied: list[tuple[float, int]] = []  # (time, writes applied by the call)
    rounds = 0
    began = time.monotonic()
    deadline = began + seconds
    while time.monotonic() < deadline:
        if len(queue) < CALLS_PER_FLUSH * MAX_PER_CALL:  # the next round of changes from the ERP
            rounds += 1
            for pair, level in current.items():
                queue.put(StockWrite(level.sku, pair[0], pair[1], known[pair] + 1 + rounds % 5, known[pair]))
        report = flush(
            client, queue, f"sustain-{rounds}-{len(applied)}", max_calls=CALLS_PER_FLUSH, concurrency=WRITERS
        )
        for write in report.applied:
            known[(write.inventory_item_id, write.location_id)] = write.quantity
        if report.stale:  # Shopify moved meanwhile: re-read those, as the inventory sync does
            locations = sorted({w.location_id for w in report.stale})
            for level in client.inventory_levels(locations, sorted({w.sku for w in report.stale})):
                known[(level.inventory_item_id, level.location_id)] = level.available
        applied.append((time.monotonic(), len(report.applied)))
    return _sustained_rate(began, applied, answers, rounds)


def _sustained_rate(began: float, applied: list[tuple[float, int]], answers: Answers, rounds: int) -> dict[str, Any]:
    with answers.lock:
        readings = list(answers.readings)
        calls, charged = answers.calls[SET_QUANTITIES], answers.charged[SET_QUANTITIES]
    maximum = readings[-1][2] if readings else 0.0
    restore = readings[-1][3] if readings else 0.0
    points_per_call = charged / calls if calls else 0.0
    ceiling = restore / points_per_call * MAX_PER_CALL if points_per_call else 0.0
    during = [r for r in readings if r[0] >= began]
    result: dict[str, Any] = {
        "rounds_of_changes": rounds,
        "flushes": len(applied),
        "updates_applied": sum(n for _, n in applied),
        "points_charged_per_call": round(points_per_call, 2),
        "restore_rate": restore,
        "ceiling_updates_per_second": round(ceiling, 1),
        "bucket": maximum,
        "bucket_held_at_least": min((r[1] for r in during), default=0.0),
    }
    if not during or not applied or not points_per_call:
        return result
    # The whole run, less what the bucket held at the start and no longer held at the end (the burst): the
    # updates the refill paid for, per second.
    seconds = applied[-1][0] - began
    from_burst = max(during[0][1] - during[-1][1], 0.0) / points_per_call * MAX_PER_CALL
    rate = (sum(n for _, n in applied) - from_burst) / seconds
    result.update(
        seconds=round(seconds, 1),
        updates_from_the_burst=round(from_burst),
        updates_per_second=round(rate, 1),
        ratio_to_ceiling=round(rate / ceiling, 3) if ceiling else None,
    )
    return result


def watch_orders(client: ShopifyAdminClient, stop: threading.Event, waits: list[float]) -> None:
    """An order read every half second at order priority (as webhooks would bring), timed end to end."""
    while not stop.is_set():
        started = time.monotonic()
        try:
            client.fetch_order("gid://shopify/Order/1")
        except TransientError:
            waits.append(float("inf"))
        else:
            waits.append(time.monotonic() - started)
        stop.wait(0.5)


def order_calls(
    client: ShopifyAdminClient, stop: threading.Event, reads_per_second: float, answers: Answers
) -> dict[str, Any]:
    """Order-side calls at `reads_per_second` until `stop`, as a busy shop's webhooks and polls bring them.

    A call Shopify throttles goes the retry path (the TransientError's wait, then the same call again, as the
    job queue would retry it): its latency includes that wait, and it is counted as throttled, then served.
    """
    latencies: list[float] = []
    throttled_then_served = failed = 0
    since = datetime.now(UTC) - timedelta(minutes=5)
    interval = 1.0 / reads_per_second
    n = 0
    next_at = time.monotonic()
    while not stop.is_set():
        n += 1
        started = time.monotonic()
        for attempt in range(3):
            try:
                if n % 5 == 0:
                    list(client.order_summaries_since(since))
                else:
                    client.fetch_order(f"gid://shopify/Order/{n}")
            except TransientError as exc:
                if attempt == 2:
                    failed += 1
                    break
                time.sleep(min(exc.retry_after or 1.0, 10.0))
            else:
                throttled_then_served += attempt > 0
                latencies.append(time.monotonic() - started)
                break
        next_at += interval
        stop.wait(max(next_at - time.monotonic(), 0.0))
    calls, throttled = answers.snapshot()
    return {
        "order_calls": len(latencies) + failed,
        "p50_ms": round(_percentile(latencies, 0.5) * 1000, 1),
        "p95_ms": round(_percentile(latencies, 0.95) * 1000, 1),
        "max_ms": round(max(latencies, default=0.0) * 1000, 1),
        "throttled_answers": throttled,
        "throttled_by_operation": dict(answers.throttled_by_operation),
        "throttled_then_served_on_retry": throttled_then_served,
        "failed_after_retries": failed,
        "requests": sum(calls.values()),
        "points_charged": sum(answers.charged.values()),
    }


def order_process_main(url: str, reads_per_second: float) -> None:
    """One order-side process: its own client and budget on the shop. Reads `go` then `stop` on stdin and
    prints its figures as one JSON line."""
    from trueup.entrypoints.logging_setup import configure_logging

    configure_logging("WARNING")
    answers = Answers()
    budget_waits: list[float] = []

    def budget_sleep(seconds: float) -> None:  # every call here is at order priority
        budget_waits.append(seconds)
        time.sleep(seconds)

    http = httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0), event_hooks={"response": [answers.hook]})
    client = _client(url, http, CostBudget(sleep=budget_sleep))
    try:
        client.fetch_order("gid://shopify/Order/0")  # the first reading of the bucket, before the run
        with answers.lock:
            answers.calls.clear()
            answers.charged.clear()
            answers.throttled = 0
            answers.throttled_by_operation.clear()
        budget_waits.clear()
        print("ready", flush=True)
        sys.stdin.readline()  # go
        stop = threading.Event()

        def stop_on_stdin() -> None:
            sys.stdin.readline()
            stop.set()

        threading.Thread(target=stop_on_stdin, daemon=True).start()
        figures = order_calls(client, stop, reads_per_second, answers)
        figures["calls_that_waited_for_the_bucket"] = len(budget_waits)
        figures["seconds_waited_for_the_bucket"] = round(sum(budget_waits), 3)
        print(json.dumps(figures), flush=True)
    finally:
        http.close()


class OrderProcesses:
    """`count` order-side processes against the sandbox at `url`, started and ready, then let go together."""

    def __init__(self, url: str, count: int, reads_per_second: float) -> None:
        code = f"from {__name__} import order_process_main; order_process_main({url!r}, {reads_per_second!r})"
        self._children = [
            subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            for _ in range(count)
        ]
        for child in self._children:
            if _line(child.stdout) != "ready":
                self.kill()
                raise RuntimeError("an order process did not start (see its output above)")

    def go(self) -> None:
        self._send("go")

    def stop(self) -> list[dict[str, Any]]:
        self._send("stop")
        figures = []
        for n, child in enumerate(self._children, start=1):
            out, _ = child.communicate(timeout=60)
            figures.append({"process": n, **json.loads(out.strip().splitlines()[-1])})
        return figures

    def kill(self) -> None:
        for child in self._children:
            if child.poll() is None:
                child.kill()
                child.wait()

    def _send(self, word: str) -> None:
        for child in self._children:
            assert child.stdin is not None
            child.stdin.write(word + "\n")
            child.stdin.flush()


def _line(stream: IO[str] | None) -> str:
    return stream.readline().strip() if stream is not None else ""


def after_writes(levels: list[InventoryLevel], applied: list[StockWrite]) -> list[InventoryLevel]:
    """`levels` as Shopify holds them once `applied` went through."""
    written = {(w.inventory_item_id, w.location_id): w.quantity for w in applied}
    return [
        dataclasses.replace(lv, available=written.get((lv.inventory_item_id, lv.location_id), lv.available))
        for lv in levels
    ]


def hand_over_latency(
    client: ShopifyAdminClient, levels: list[InventoryLevel], samples: int
) -> tuple[dict[str, Any], list[InventoryLevel]]:
    """From a change handed to the writer (idle budget) to Shopify holding it, one change at a time."""
    latencies = []
    applied: list[StockWrite] = []
    for n, level in enumerate(levels[:samples]):
        started = time.monotonic()
        queue = StockWriteQueue()
        queue.put(
            StockWrite(level.sku, level.inventory_item_id, level.location_id, level.available + 3, level.available)
        )
        applied.extend(flush(client, queue, f"latency-{n}").applied)
        latencies.append(time.monotonic() - started)
    figures = {
        "samples": len(latencies),
        "p50_ms": round(_percentile(latencies, 0.5) * 1000, 1),
        "p95_ms": round(_percentile(latencies, 0.95) * 1000, 1),
    }
    return figures, after_writes(levels, applied)


def run(
    variants: int = 5000,
    locations: int = 3,
    seconds: float = 60.0,
    drift: float = 0.05,
    order_processes: int = 0,
    order_reads_per_second: float = 2.0,
    order_calls_at_once: int = DEFAULT_ORDER_CALLS_AT_ONCE,
) -> dict[str, Any]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        argv = trueup_command(
            "sandbox",
            "serve",
            "--port",
            str(port),
            "--plan",
            "standard",
            "--access-token",
            TOKEN,
            "--variants",
            str(variants),
            "--locations",
            str(locations),
        )
        server = ManagedProcess("sandbox", argv, Path(tmp) / "sandbox.log").start()
        try:
            server.wait_for_port(port, timeout=300)
            return _measure(
                url, variants, locations, seconds, drift, order_processes, order_reads_per_second, order_calls_at_once
            )
        finally:
            server.stop()


def _measure(
    url: str,
    variants: int,
    locations: int,
    seconds: float,
    drift: float,
    order_processes: int = 0,
    order_reads_per_second: float = 2.0,
    order_calls_at_once: int = DEFAULT_ORDER_CALLS_AT_ONCE,
) -> dict[str, Any]:
    answers = Answers()
    budget_waits: list[tuple[Priority, float]] = []

    def budget_sleep(seconds: float) -> None:  # the budget's waits, by the priority of the call that waited
        budget_waits.append((current_priority(), seconds))
        time.sleep(seconds)

    budget = CostBudget(sleep=budget_sleep, order_calls_at_once=order_calls_at_once)
    http = httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0), event_hooks={"response": [answers.hook]})
    orders_http = httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0), event_hooks={"response": [answers.hook]})
    client = _client(url, http, budget)
    orders_client = _client(url, orders_http, budget)  # another thread of the same shop: the same budget
    results: dict[str, Any] = {"plan": "standard", "variants": variants, "locations": locations}
    try:
        reconciliation, levels = reconcile(client, drift, random.Random(1))
        calls, throttled = answers.snapshot()
        results["full_reconciliation"] = {**reconciliation, "calls": dict(calls), "throttled": throttled}
        results["hand_over_latency_idle"], levels = hand_over_latency(client, levels, 20)
        time.sleep(20)  # let the bucket refill: every run starts the sustained phase from a full bucket
        waits: list[float] = []
        stop = threading.Event()
        others = OrderProcesses(url, order_processes, order_reads_per_second) if order_processes else None
        watcher = threading.Thread(target=watch_orders, args=(orders_client, stop, waits), daemon=True)
        watcher.start()
        before, throttled_before = answers.snapshot()
        budget_waits.clear()
        try:
            if others is not None:
                others.go()
            sustained = sustain(client, levels, seconds, answers)
        finally:
            stop.set()
            watcher.join(timeout=10)
            other_figures = others.stop() if others is not None else []
            if others is not None:
                others.kill()
        after, throttled_after = answers.snapshot()
        sustained["throttled"] = throttled_after - throttled_before
        sustained["throttled_in_this_process_by_operation"] = dict(answers.throttled_by_operation)
        sustained["set_calls"] = after[SET_QUANTITIES] - before[SET_QUANTITIES]
        sustained["order_reads_meanwhile"] = {
            "count": len(waits),
            "p50_ms": round(_percentile(waits, 0.5) * 1000, 1),
            "p95_ms": round(_percentile(waits, 0.95) * 1000, 1),
            "max_ms": round(max(waits, default=0.0) * 1000, 1),
        }
        order_waits = [seconds for priority, seconds in budget_waits if priority is Priority.ORDERS]
        sustained["order_calls_that_waited_for_the_bucket"] = len(order_waits)
        sustained["order_seconds_waited_for_the_bucket"] = round(sum(order_waits), 3)
        if other_figures:
            sustained["order_processes"] = {
                "reads_per_second_each": order_reads_per_second,
                "writer_reserve_holds_order_calls": order_calls_at_once,
                "each": other_figures,
            }
            sustained["throttled_in_any_process"] = sustained["throttled"] + sum(
                f["throttled_answers"] for f in other_figures
            )
        results["sustained_updates"] = sustained
        results["throttled_total"] = answers.throttled
        return results
    finally:
        http.close()
        orders_http.close()
