"""`trueup console`: the operations console on uvicorn, a process of its own beside `trueup serve`.

Its own process so that rendering pages (and a person's heavy filter) never takes CPU, memory or the event
loop from the intake, whose 2xx is a promise to Shopify within 5 s; both read and write the same store."""

from __future__ import annotations

import os
from typing import Any

import uvicorn
from starlette.applications import Starlette

from trueup import bootstrap
from trueup.adapters.storage.sql_store import SqlStore
from trueup.config import TrueupConfig
from trueup.entrypoints.console.app import create_console_app
from trueup.entrypoints.console.auth import Gate
from trueup.entrypoints.console.deps import ConsoleDeps
from trueup.service_layer.inventory import StockContext
from trueup.service_layer.inventory_explain import explain_sku

CONSOLE_NICENESS = 10


def lower_priority(niceness: int) -> None:
    """Give the CPU to intake and workers first: on a busy machine the console's pages wait, not Shopify's
    deliveries (Unix `nice`; 0 leaves the priority as it is)."""
    if niceness > 0 and hasattr(os, "nice"):
        os.nice(niceness)


class LiveStockExplainer:
    """`trueup inventory show SKU` for the stock page: the shops' stock contexts are made on first use, so the
    console starts (and its other pages work) while Shopify or the ERP cannot be reached."""

    def __init__(self, config: TrueupConfig, store: SqlStore) -> None:
        self._config, self._store = config, store
        self._contexts: dict[str, StockContext] | None = None

    def __call__(self, sku: str) -> dict[str, list[dict[str, Any]]]:
        if self._contexts is None:
            self._contexts = bootstrap.stock_contexts(self._config, self._store)
        return {shop: [row.to_json() for row in explain_sku(ctx, sku)] for shop, ctx in self._contexts.items()}


def build_console_app(config: TrueupConfig) -> Starlette:
    store = bootstrap.build_store(config)
    records = bootstrap.build_console_store(config)
    people = bootstrap.build_people(config, records)
    shops = [shop.domain for shop in config.shops]
    explainer = LiveStockExplainer(config, store) if config.inventory.enabled else None
    deps = ConsoleDeps(
        store,
        records,
        people,
        bootstrap.SystemClock(),
        shops,
        sources=bootstrap.finding_sources(store),
        explain_sku=explainer,
        alerts=records,
        email_keys=bootstrap.email_index_keys(config),
    )
    console = config.console
    gate = Gate(
        people,
        session_seconds=int(console.session_hours * 3600),
        trusted_user_header=console.trusted_user_header,
        trusted_proxies=frozenset(console.trusted_proxies),
    )
    token = console.metrics_token.read("console.metrics_token", config.base_dir) if console.metrics_token else None
    return create_console_app(deps, gate, token.get_secret_value() if token else None)


def run_console(config: TrueupConfig) -> None:
    lower_priority(config.console.niceness)
    uvicorn.run(
        build_console_app(config),
        host=config.console.host,
        port=config.console.port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=10,
    )
