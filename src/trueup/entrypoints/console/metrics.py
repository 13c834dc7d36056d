"""`/metrics` in Prometheus's text format: where orders stand, what is parked, the queue, the last webhook,
read from the store at each scrape (so any number of console processes agree)."""

from __future__ import annotations

import hmac
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from trueup.entrypoints.console.deps import ConsoleDeps


class StoreCollector(Collector):
    def __init__(self, deps: ConsoleDeps) -> None:
        self._deps = deps

    def collect(self) -> Iterator[Metric]:
        store, now = self._deps.store, self._deps.clock.now()
        orders = GaugeMetricFamily("trueup_orders", "Orders in the ledger by shop and state", labels=["shop", "state"])
        parked = GaugeMetricFamily("trueup_exceptions", "Parked orders by shop and cause", labels=["shop", "cause"])
        drift = GaugeMetricFamily("trueup_stock_drift", "Stock levels found wrong and still open", labels=["shop"])
        for shop in self._deps.shops:
            for state, count in store.ledger_counts(shop).items():
                orders.add_metric([shop, str(state)], count)
            for cause, count in store.exception_counts(shop).items():
                parked.add_metric([shop, str(cause)], count)
            drift.add_metric([shop], len(store.open_drift(shop)))
        yield from (orders, parked, drift)
        yield GaugeMetricFamily("trueup_jobs_waiting", "Jobs waiting to run", value=store.pending_jobs())
        yield GaugeMetricFamily("trueup_jobs_retrying", "Jobs waiting after a failed run", value=store.retrying_jobs())
        silence = GaugeMetricFamily(
            "trueup_seconds_since_last_webhook", "Seconds since the shop's latest stored delivery", labels=["shop"]
        )
        for shop, at in self._deps.history.last_received_by_shop(self._deps.shops).items():
            silence.add_metric([shop], (now - at).total_seconds())
        yield silence


def metrics_endpoint(deps: ConsoleDeps, token: str | None):
    """The handler of /metrics: a bearer token (when configured) or a signed-in session (checked by the caller
    when the token is absent or wrong)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(deps))

    async def metrics(_: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    def bearer_ok(request: Request) -> bool:
        given = request.headers.get("authorization", "")
        return token is not None and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())

    return metrics, bearer_ok
