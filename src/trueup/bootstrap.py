"""The one composition root: configuration in, wired services out. Nothing connects at import time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import structlog

from trueup.adapters.notify.email import SmtpNotifier
from trueup.adapters.notify.webhook import WebhookNotifier
from trueup.adapters.passwords import Argon2Hasher
from trueup.adapters.shopify.access_tokens import (
    AccessTokens,
    RenewedToken,
    StaticToken,
    client_credentials_form,
    refresh_form,
)
from trueup.adapters.shopify.admin import ShopifyAdminClient
from trueup.adapters.shopify.oauth import AppCredentials, InstallableShop
from trueup.adapters.storage.console_store import SqlConsoleStore
from trueup.adapters.storage.migrate import upgrade
from trueup.adapters.storage.sql_store import SqlStore
from trueup.adapters.storage.tokens_sql import SqlTokenVault
from trueup.adapters.tryton.back_office import TrytonBackOffice
from trueup.adapters.tryton.database import TrytonDatabase
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.adapters.tryton.payout_books import TrytonPayoutBooks
from trueup.config import AuthorizationCode, ClientCredentials, ShopConfig, StaticCredentials, TrueupConfig
from trueup.domain.bundles import KitComponent
from trueup.domain.buyers import GuestRule
from trueup.domain.email_index import derived_key
from trueup.domain.errors import BadInput, TransientError
from trueup.domain.inventory import Buffer, BufferKind, BufferRules, location_gid
from trueup.domain.party_fields import parse_mappings
from trueup.domain.payments import PaymentAccounts
from trueup.domain.payouts import PayoutAccounts
from trueup.domain.post_purchase import CutOff, PostPurchasePolicy
from trueup.domain.posting import PostingPolicy
from trueup.domain.shop_setup import Features, needed_scopes, webhook_address
from trueup.domain.stock_sharing import Sharing, WarehouseSharing
from trueup.service_layer.alerting import AlertRules
from trueup.service_layer.completeness_findings import CompletenessFindings
from trueup.service_layer.inventory import StockContext, StockPolicy, check_locations
from trueup.service_layer.order_context import OrderContext
from trueup.service_layer.overview import FindingSource
from trueup.service_layer.payments import OrderPayments
from trueup.service_layer.payout_findings import PayoutFindings
from trueup.service_layer.payouts import PayoutContext
from trueup.service_layer.people import People, SessionRules
from trueup.service_layer.ports import Accounting, ApiUsageSource, BackOffice, Notifier, Store
from trueup.service_layer.sales_batches import BatchedSalesOrders
from trueup.service_layer.shop_connection import ShopTarget
from trueup.service_layer.stock_groups import group_context, grouped
from trueup.service_layer.worker import WorkerSettings

log = structlog.get_logger(__name__)


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


def build_console_store(config: TrueupConfig) -> SqlConsoleStore:
    """The console's records and the history it reads, on the same database (migrated by `build_store`)."""
    return SqlConsoleStore(config.storage_url())


def build_people(config: TrueupConfig, records: SqlConsoleStore) -> People:
    """Signing in to the console, with `[console]`'s session lifetime and sign-in attempts."""
    console = config.console
    rules = SessionRules(
        lifetime=timedelta(hours=console.session_hours),
        idle=timedelta(minutes=console.idle_minutes),
        attempts=console.login_attempts,
    )
    return People(records, Argon2Hasher(), SystemClock(), rules)


def build_notifiers(config: TrueupConfig) -> list[Notifier]:
    """The alert digests' destinations of `[alerts]`: e-mail, a webhook, both or none."""
    alerts = config.alerts
    notifiers: list[Notifier] = []
    if alerts.smtp is not None:
        smtp = alerts.smtp
        password = (
            smtp.password.read("alerts.smtp.password", config.base_dir).get_secret_value() if smtp.password else None
        )
        notifiers.append(
            SmtpNotifier(
                smtp.host,
                smtp.port,
                smtp.sender,
                smtp.recipients,
                security=smtp.security,
                username=smtp.username,
                password=password,
            )
        )
    if alerts.webhook_url is not None:
        notifiers.append(
            WebhookNotifier(alerts.webhook_url.read("alerts.webhook_url", config.base_dir).get_secret_value())
        )
    return notifiers


def finding_sources(store: Store) -> list[FindingSource]:
    """The reconciliations whose findings the console's overview and the alerts show (a shop with any is not
    green): payouts → booked, and the completeness check's open findings."""
    return [PayoutFindings(store), CompletenessFindings(store)]


def alert_rules(config: TrueupConfig) -> AlertRules:
    """The thresholds of `[alerts]`."""
    fields = {name for name in AlertRules.__dataclass_fields__}
    return AlertRules(**{key: value for key, value in config.alerts.model_dump().items() if key in fields})


def _tryton_client(config: TrueupConfig) -> TrytonClient:
    bo = config.back_office
    return TrytonClient(
        bo.url,
        bo.database,
        bo.username,
        bo.password.read("back_office.password", config.base_dir).get_secret_value(),
        timeout=bo.timeout_seconds,
    )


def _tryton(config: TrueupConfig) -> BackOffice:
    return TrytonBackOffice(_tryton_client(config))


def _tryton_accounting(config: TrueupConfig) -> Accounting:
    return TrytonPayoutBooks(TrytonDatabase(_tryton_client(config)))


# back_office.kind → how to build it. A new back-office adds its kind here (docs/architecture.md).
BACK_OFFICE_KINDS: dict[str, Callable[[TrueupConfig], BackOffice]] = {"tryton": _tryton}
ACCOUNTING_KINDS: dict[str, Callable[[TrueupConfig], Accounting]] = {"tryton": _tryton_accounting}


def build_back_office(config: TrueupConfig) -> BackOffice:
    """The back-office `back_office.kind` names; BadInput naming the kinds trueup knows for any other."""
    kind = config.back_office.kind
    build = BACK_OFFICE_KINDS.get(kind)
    if build is None:
        known = ", ".join(sorted(BACK_OFFICE_KINDS))
        raise BadInput(f"back_office.kind = {kind!r} is not a back-office trueup knows (known kinds: {known})")
    return build(config)


def batched_sales_orders(config: TrueupConfig, back_office: BackOffice) -> BatchedSalesOrders:
    """`back_office` with the new sales orders of a worker's threads posted together ([worker] sales_batch_max)."""
    return BatchedSalesOrders(back_office, max_batch=config.worker.sales_batch_max)


def build_accounting(config: TrueupConfig) -> Accounting:
    """The back-office's Accounting role (the kind must be a back-office trueup knows)."""
    build = ACCOUNTING_KINDS.get(config.back_office.kind)
    if build is None:
        raise BadInput(f"back_office.kind = {config.back_office.kind!r} keeps no books trueup can write to")
    return build(config)


def payout_accounts(config: TrueupConfig) -> PayoutAccounts:
    """`[payments]` as the domain's account roles."""
    p = config.payments
    clearing = {(key.split(":")[0], key.split(":")[1]): code for key, code in p.clearing.items()}
    return PayoutAccounts(
        bank=dict(p.bank),
        clearing=clearing,
        fee_expense=p.fee_expense,
        exchange_difference=p.exchange_difference,
        returned_payouts=p.returned_payouts,
        transaction_types=dict(p.transaction_types),
    )


def check_payment_accounts(config: TrueupConfig, accounting: Accounting) -> None:
    """At start-up, with `[payments]` enabled: every account and the journal it names are in the ERP; BadInput
    naming each one missing. An ERP that cannot be reached now is logged, and each payout checks again."""
    if not config.payments.enabled:
        return
    accounts = payout_accounts(config)
    try:
        missing = accounting.missing_accounts(accounts.codes() | {config.payments.gift_cards}, config.payments.journal)
    except TransientError as error:
        log.warning("payment_accounts_not_checked", error=str(error))
        return
    if missing:
        raise BadInput("[payments]: the ERP lacks what the configuration names: " + "; ".join(missing))


def build_payout_contexts(
    config: TrueupConfig, store: SqlStore, contexts: Mapping[str, OrderContext], accounting: Accounting | None = None
) -> dict[str, PayoutContext]:
    """What booking each shop's payouts needs, with `[payments]` enabled (none otherwise)."""
    if not config.payments.enabled:
        return {}
    books = accounting or build_accounting(config)
    p = config.payments
    return {
        shop: PayoutContext(
            shop,
            ctx.shopify.payments,  # type: ignore[attr-defined]  # the Admin API client's Shopify Payments reader
            books,
            store,
            SystemClock(),
            payout_accounts(config),
            p.journal,
            lookback=timedelta(days=p.lookback_days),
            first_lookback=timedelta(days=p.first_lookback_days),
            overdue_business_days=p.overdue_business_days,
        )
        for shop, ctx in contexts.items()
    }


def build_shopify(shop: ShopConfig, config: TrueupConfig, vault: SqlTokenVault | None = None) -> ShopifyAdminClient:
    return ShopifyAdminClient(
        shop.domain,
        access_tokens(shop, config, vault),
        api_version=shop.api_version,
        base_url=shop.api_url,
        metafields=[mapping.source for mapping in parse_mappings(config.metafields)],
    )


def posting_policy(shop: ShopConfig, config: TrueupConfig) -> PostingPolicy:
    return PostingPolicy(
        taxes=dict(config.taxes),
        warehouse=shop.warehouse,
        tax_rounding_tolerance=config.tax_rounding_tolerance,
        park_on_tax_variance=config.park_on_tax_variance,
        shipping_sku=config.shipping_sku,
        payment_terms=dict(config.payment_terms),
        guest_rule=GuestRule(config.guest_checkout),
        bundles=configured_bundles(config),
        party_metafields=parse_mappings(config.metafields),
        locations=dict(shop.locations),
    )


def post_purchase_policy(config: TrueupConfig) -> PostPurchasePolicy:
    """The cut-off and hold window of `[post_purchase]`."""
    settings = config.post_purchase
    return PostPurchasePolicy(cut_off=CutOff(settings.cut_off), hold_minutes=settings.hold_minutes)


def configured_bundles(config: TrueupConfig) -> dict[str, tuple[KitComponent, ...]]:
    """The bundles of `[bundles]` as kit definitions; list-price weights are read from the ERP when posting."""
    return {
        sku: tuple(KitComponent(c.sku, c.quantity, list_price=Decimal(0), weight=c.weight) for c in bundle.components)
        for sku, bundle in config.bundles.items()
    }


def order_payments(config: TrueupConfig, accounting: Accounting | None = None) -> OrderPayments | None:
    """Where orders' payments are booked, with `[payments]` enabled (None otherwise)."""
    if not config.payments.enabled:
        return None
    p = config.payments
    clearing = {(key.split(":")[0], key.split(":")[1]): code for key, code in p.clearing.items()}
    return OrderPayments(accounting or build_accounting(config), PaymentAccounts(clearing, p.gift_cards), p.journal)


def build_contexts(
    config: TrueupConfig, store: SqlStore, back_office: BackOffice | None = None, accounting: Accounting | None = None
) -> dict[str, OrderContext]:
    """What each shop's order sync needs; the back-office (and the books) are shared by all shops."""
    shared = back_office or build_back_office(config)
    payments = order_payments(config, accounting)
    clock = SystemClock()
    vault = build_token_vault(config)
    keys = email_index_keys(config)
    return {
        shop.domain: OrderContext(
            build_shopify(shop, config, vault),
            shared,
            store,
            clock,
            posting_policy(shop, config),
            post_purchase=post_purchase_policy(config),
            track_demand=config.inventory.enabled,
            payments=payments,
            email_key=keys[shop.domain],
        )
        for shop in config.shops
    }


def api_usage_sources(contexts: Mapping[str, OrderContext]) -> list[ApiUsageSource]:
    """Where each shop's Shopify API use is counted (the Admin API clients' meters), for the workers to store."""
    return [ctx.shopify.usage for ctx in contexts.values() if isinstance(ctx.shopify, ShopifyAdminClient)]


def email_index_keys(config: TrueupConfig) -> dict[str, bytes]:
    """Each shop's key of the customer e-mail index: `[console] email_index_key` for every shop, or else one
    derived from the shop's webhook secret (docs/console.md, "Finding an order by e-mail")."""
    configured = config.console.email_index_key
    if configured is not None:
        key = configured.read("console.email_index_key", config.base_dir).get_secret_value().encode("utf-8")
        if len(key) < 32:
            raise BadInput("console.email_index_key is too short: use a random secret of at least 32 characters")
        return {shop.domain: key for shop in config.shops}
    return {shop: derived_key(secret) for shop, secret in webhook_secrets(config).items()}


def webhook_secrets(config: TrueupConfig) -> dict[str, str]:
    def key(shop: ShopConfig) -> str:  # the key named in an error: api_secret, or the client secret standing for it
        return f"shops[{shop.domain}]." + ("api_secret" if shop.api_secret is not None else "credentials.client_secret")

    return {
        shop.domain: shop.webhook_secret().read(key(shop), config.base_dir).get_secret_value() for shop in config.shops
    }


def worker_settings(config: TrueupConfig) -> WorkerSettings:
    w = config.worker
    return WorkerSettings(
        lease_seconds=w.lease_seconds,
        poll_interval_seconds=w.poll_interval_seconds,
        poll_overlap_seconds=w.poll_overlap_seconds,
        first_lookback_seconds=w.first_lookback_seconds,
        replay_interval_seconds=w.replay_interval_seconds,
        verify_interval_seconds=w.verify_interval_seconds,
        verify_lookback_seconds=w.verify_lookback_seconds,
        done_jobs_retention_days=w.done_jobs_retention_days,
        deliveries_retention_days=w.deliveries_retention_days,
        delivery_bodies_retention_days=w.delivery_bodies_retention_days,
        api_usage_retention_days=w.api_usage_retention_days,
        purge_interval_seconds=w.purge_interval_seconds,
        fulfil_interval_seconds=w.fulfil_interval_seconds,
        notify_customer=w.notify_customer,
        tracking_urls=dict(config.tracking_urls),
        fulfil_first_lookback_seconds=w.fulfil_first_lookback_seconds,
        stock=stock_policies(config),
        stock_sync_interval_seconds=config.inventory.sync_interval_seconds,
        stock_reconcile_interval_seconds=config.inventory.reconcile_interval_seconds,
        payout_poll_interval_seconds=config.payments.poll_interval_seconds,
    )


# --- inventory ------------------------------------------------------------------------------------------
def stock_policies(config: TrueupConfig) -> dict[str, StockPolicy]:
    """Each shop's stock policy when `[inventory]` is enabled (none otherwise); every shop must then map at
    least one Shopify location to an ERP warehouse."""
    inventory = config.inventory
    if not inventory.enabled:
        return {}
    unmapped = [shop.domain for shop in config.shops if not shop.locations]
    if unmapped:
        raise BadInput(
            f"[inventory] is enabled but shops {', '.join(unmapped)} map no location: give each "
            '[[shops]] locations = {"<Shopify location id>" = "<ERP warehouse code>"}'
        )
    buffers = BufferRules(
        default=_buffer(inventory.buffer),
        per_sku={sku: _buffer(value) for sku, value in inventory.sku_buffers.items()},
        per_location={location_gid(loc): _buffer(value) for loc, value in inventory.location_buffers.items()},
    )
    bundles = configured_bundles(config)
    sharing = warehouse_sharing(config)
    return grouped(
        {
            shop.domain: StockPolicy(
                {location_gid(loc): warehouse for loc, warehouse in shop.locations.items()},
                buffers,
                bundles,
                posting_warehouse=shop.warehouse,
                sharing=sharing,
            )
            for shop in config.shops
        }
    )


def warehouse_sharing(config: TrueupConfig) -> dict[str, WarehouseSharing]:
    """`[inventory.warehouses]`: how each warehouse's stock is offered to its shops (weights by shop domain)."""
    domains = {shop.domain for shop in config.shops}
    sharing = {}
    for warehouse, rule in config.inventory.warehouses.items():
        strangers = sorted(set(rule.weights) - domains)
        if strangers:
            raise BadInput(
                f"inventory.warehouses.{warehouse}.weights names shops not configured: {', '.join(strangers)}"
            )
        sharing[warehouse] = WarehouseSharing(Sharing(rule.sharing), dict(rule.weights))
    return sharing


def _buffer(value: int | str) -> Buffer:
    if isinstance(value, str):
        return Buffer(Decimal(value.removesuffix("%")), BufferKind.PERCENT)
    return Buffer(Decimal(value))


def check_stock_locations(contexts: Mapping[str, OrderContext], settings: WorkerSettings) -> None:
    """At start-up: every configured location exists in its shop and is active (BadInput names those that
    are not). A shop that cannot be reached now is logged and checked by its next reconciliation."""
    for shop, policy in settings.stock.items():
        try:
            check_locations(contexts[shop].shopify, policy)
        except TransientError as error:
            log.warning("locations_not_checked", shop=shop, error=str(error))


# --- Shopify credentials ---------------------------------------------------------------------------------
def build_token_vault(config: TrueupConfig) -> SqlTokenVault | None:
    """The encrypted token store, when a shop's credentials need one (`[token_store]`)."""
    if config.token_store is None:
        return None
    key = config.token_store.key.read("token_store.key", config.base_dir).get_secret_value()
    return SqlTokenVault(config.storage_url(), key)


def app_credentials(shop: ShopConfig, config: TrueupConfig) -> AppCredentials:
    """The client id and secret of the shop's app (credentials of kind client_credentials or authorization_code)."""
    credentials = shop.credentials
    assert not isinstance(credentials, StaticCredentials)
    secret = credentials.client_secret.read(f"shops[{shop.domain}].credentials.client_secret", config.base_dir)
    return AppCredentials(shop.domain, credentials.client_id, secret.get_secret_value(), shop.api_url)


def access_tokens(shop: ShopConfig, config: TrueupConfig, vault: SqlTokenVault | None = None) -> AccessTokens:
    """Where the shop's requests get their token: the static one, or one renewed from Shopify's token endpoint."""
    credentials = shop.credentials
    if isinstance(credentials, StaticCredentials):
        assert shop.access_token is not None
        return StaticToken(
            shop.access_token.read(f"shops[{shop.domain}].access_token", config.base_dir).get_secret_value()
        )
    vault = vault or build_token_vault(config)
    assert vault is not None  # the configuration requires [token_store] for these kinds
    form = client_credentials_form if isinstance(credentials, ClientCredentials) else refresh_form(shop.domain)
    return RenewedToken(app_credentials(shop, config), vault, form, SystemClock().now)


def shop_target(shop: ShopConfig, config: TrueupConfig) -> ShopTarget:
    """What `trueup shop check` / `connect` expect of `shop` with this configuration."""
    features = Features(
        inventory=config.inventory.enabled,
        locations_mapped=bool(shop.locations),
        payouts=config.payments.enabled,
    )
    public_url = config.server.public_url
    return ShopTarget(
        shop.domain,
        shop.api_version,
        features,
        tuple(location_gid(location) for location in shop.locations),
        webhook_address(public_url) if public_url else None,
    )


def installable_shops(config: TrueupConfig) -> dict[str, InstallableShop]:
    """The shops installed by authorization code, with the scopes their install asks for."""
    return {
        shop.domain: InstallableShop(
            app_credentials(shop, config),
            tuple(need.scope for need in needed_scopes(shop_target(shop, config).features)),
        )
        for shop in config.shops
        if isinstance(shop.credentials, AuthorizationCode)
    }


def stock_contexts(config: TrueupConfig, store: SqlStore) -> dict[str, StockContext]:
    """Each shop's stock context (with the shops sharing its warehouses: a reconciliation covers them all); empty
    when `[inventory]` is not enabled."""
    policies = stock_policies(config)
    if not policies:
        return {}
    orders = build_contexts(config, store)
    shopify = {domain: ctx.shopify for domain, ctx in orders.items()}
    return {
        domain: group_context(domain, policies, shopify, ctx.back_office, store, ctx.clock)
        for domain, ctx in orders.items()
    }
