"""The one composition root: configuration in, wired services out. Nothing connects at import time."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from trueup.adapters.shopify.admin import ShopifyAdminClient
from trueup.adapters.storage.migrate import upgrade
from trueup.adapters.storage.sql_store import SqlStore
from trueup.adapters.tryton.back_office import TrytonBackOffice
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.config import ShopConfig, TrueupConfig
from trueup.domain.bundles import KitComponent
from trueup.domain.buyers import GuestRule
from trueup.domain.party_fields import parse_mappings
from trueup.domain.posting import PostingPolicy
from trueup.service_layer.ports import BackOffice
from trueup.service_layer.sync_order import OrderContext
from trueup.service_layer.worker import WorkerSettings


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def build_store(config: TrueupConfig, migrate: bool = True, durable_commits: bool = True) -> SqlStore:
    """trueup's own state, its schema brought up to date first. Workers pass `durable_commits=False`
    (see `trueup.adapters.storage.engine.make_engine`); intake never does."""
    url = config.storage_url()
    if migrate:
        upgrade(url)
    return SqlStore(url, durable_commits=durable_commits)


def build_back_office(config: TrueupConfig) -> BackOffice:
    bo = config.back_office
    client = TrytonClient(
        bo.url,
        bo.database,
        bo.username,
        bo.password.read("back_office.password", config.base_dir).get_secret_value(),
        timeout=bo.timeout_seconds,
    )
    return TrytonBackOffice(client)


def build_shopify(shop: ShopConfig, config: TrueupConfig) -> ShopifyAdminClient:
    token = shop.access_token.read(f"shops[{shop.domain}].access_token", config.base_dir)
    return ShopifyAdminClient(
        shop.domain,
        token.get_secret_value(),
        api_version=shop.api_version,
        base_url=shop.api_url,
        metafields=[mapping.source for mapping in parse_mappings(config.metafields)],
    )


def posting_policy(shop: ShopConfig, config: TrueupConfig) -> PostingPolicy:
    return PostingPolicy(
        taxes=dict(config.taxes),
        warehouse=shop.warehouse,
        tax_rounding_tolerance=config.tax_rounding_tolerance,
        payment_terms=dict(config.payment_terms),
        guest_rule=GuestRule(config.guest_checkout),
        bundles=configured_bundles(config),
        party_metafields=parse_mappings(config.metafields),
    )


def configured_bundles(config: TrueupConfig) -> dict[str, tuple[KitComponent, ...]]:
    """The bundles of `[bundles]` as kit definitions; list-price weights are read from the ERP when posting."""
    return {
        sku: tuple(KitComponent(c.sku, c.quantity, list_price=Decimal(0), weight=c.weight) for c in bundle.components)
        for sku, bundle in config.bundles.items()
    }


def build_contexts(
    config: TrueupConfig, store: SqlStore, back_office: BackOffice | None = None
) -> dict[str, OrderContext]:
    """What each shop's order sync needs; the back-office is shared by all shops."""
    shared = back_office or build_back_office(config)
    clock = SystemClock()
    return {
        shop.domain: OrderContext(build_shopify(shop, config), shared, store, clock, posting_policy(shop, config))
        for shop in config.shops
    }


def webhook_secrets(config: TrueupConfig) -> dict[str, str]:
    return {
        shop.domain: shop.api_secret.read(f"shops[{shop.domain}].api_secret", config.base_dir).get_secret_value()
        for shop in config.shops
    }


def worker_settings(config: TrueupConfig) -> WorkerSettings:
    w = config.worker
    return WorkerSettings(
        lease_seconds=w.lease_seconds,
        poll_interval_seconds=w.poll_interval_seconds,
        poll_overlap_seconds=w.poll_overlap_seconds,
        first_lookback_seconds=w.first_lookback_seconds,
        replay_interval_seconds=w.replay_interval_seconds,
        done_jobs_retention_days=w.done_jobs_retention_days,
        deliveries_retention_days=w.deliveries_retention_days,
        purge_interval_seconds=w.purge_interval_seconds,
        fulfil_interval_seconds=w.fulfil_interval_seconds,
        notify_customer=w.notify_customer,
    )
