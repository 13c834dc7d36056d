"""trueup's configuration: one TOML file, validated with errors that name the key and what is wrong.

Secrets never sit in the file: each is read from an environment variable (`*_env`) or a file
(`*_file`), and is held as a `SecretStr`, which prints as '**********'.
"""

from __future__ import annotations

import os
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from trueup.domain.errors import BadInput
from trueup.domain.party_fields import parse_mappings
from trueup.domain.posting import SHIPPING_SKU

DOMAIN_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}\.myshopify\.com$"  # a DNS label: 63 characters at most


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SecretRef(_Strict):
    """Where a secret comes from: an environment variable or a file (its first line)."""

    env: str | None = None
    file: Path | None = None

    @model_validator(mode="after")
    def _one_source(self) -> SecretRef:
        if (self.env is None) == (self.file is None):
            raise ValueError("give exactly one of 'env' (a variable name) or 'file' (a path)")
        return self

    def read(self, where: str, base_dir: Path = Path(".")) -> SecretStr:
        """The secret; BadInput naming `where` (e.g. the shop's key) when it is unset, unreadable or blank."""
        if self.env is not None:
            value = os.environ.get(self.env, "").strip()
            if not value:
                raise BadInput(f"{where}: environment variable {self.env} is not set or is blank")
            return SecretStr(value)
        assert self.file is not None
        path = base_dir / self.file
        try:
            _check_private(path, where)
            value = path.read_text().strip()
        except OSError as error:
            raise BadInput(f"{where}: cannot read secret file {self.file}: {error.strerror}") from error
        except UnicodeDecodeError:
            raise BadInput(f"{where}: secret file {self.file} is not text") from None
        if not value:
            raise BadInput(f"{where}: secret file {self.file} is empty")
        return SecretStr(value)


def _check_private(path: Path, where: str) -> None:
    """BadInput when other users may read or change the secret file (its mode must be 0600 or 0400)."""
    mode = path.stat().st_mode
    if mode & 0o077:
        raise BadInput(
            f"{where}: secret file {path.name} can be read or changed by other users "
            f"(mode {mode & 0o777:04o}); run: chmod 600 {path}"
        )


def write_secret_file(path: Path, value: str) -> None:
    """Write `value` to a secret file only its owner can read (created 0600, and tightened if it existed)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(value + "\n")


# --- Shopify credentials: how trueup gets each shop's Admin API token (docs/going-live.md) -------------------
class StaticCredentials(_Strict):
    """The token of an admin-created custom app (made before 2026), in `[[shops]] access_token`."""

    kind: Literal["static"] = "static"


class ClientCredentials(_Strict):
    """A Dev Dashboard app of the shop's own organisation: tokens from the client credentials grant."""

    kind: Literal["client_credentials"]
    client_id: Annotated[str, Field(min_length=1)]
    client_secret: SecretRef


class AuthorizationCode(_Strict):
    """An app installed on other merchants' shops: installed at `/shopify/install?shop=...` on the public URL,
    then expiring offline tokens renewed with their rotating refresh token."""

    kind: Literal["authorization_code"]
    client_id: Annotated[str, Field(min_length=1)]
    client_secret: SecretRef


Credentials = Annotated[StaticCredentials | ClientCredentials | AuthorizationCode, Field(discriminator="kind")]


class TokenStoreConfig(_Strict):
    """The key that encrypts stored Shopify tokens (a random secret of at least 32 characters)."""

    key: SecretRef


class ShopConfig(_Strict):
    domain: Annotated[str, Field(pattern=DOMAIN_PATTERN)]
    # The static token (credentials kind "static", the default); the other kinds get theirs from Shopify.
    access_token: SecretRef | None = None
    # The secret webhooks are signed with; by default the app's client secret (the other kinds).
    api_secret: SecretRef | None = None
    credentials: Credentials = StaticCredentials()
    api_version: Literal["2026-07", "2026-10"] = "2026-10"
    # Where the Admin API is served; by default https://<domain>. The sandbox gives http://127.0.0.1:PORT.
    api_url: str | None = None
    # Shopify location id (numeric or gid) -> ERP warehouse code.
    locations: dict[str, str] = Field(default_factory=dict)
    warehouse: str | None = None  # the ERP warehouse orders ship from when no location mapping applies
    # The shop's time zone (Shopify's Shop.ianaTimezone): the month view's days and months are the shop's.
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. America/New_York)") from None
        return value

    @model_validator(mode="after")
    def _credentials_complete(self) -> ShopConfig:
        static = isinstance(self.credentials, StaticCredentials)
        if static and self.access_token is None:
            raise ValueError("give access_token (or credentials of another kind)")
        if not static and self.access_token is not None:
            raise ValueError(f"access_token is not used with credentials kind {self.credentials.kind!r}: remove it")
        if static and self.api_secret is None:
            raise ValueError("give api_secret (the secret Shopify signs webhooks with)")
        return self

    def webhook_secret(self) -> SecretRef:
        """Where the secret that signs this shop's webhooks comes from."""
        if self.api_secret is not None:
            return self.api_secret
        assert not isinstance(self.credentials, StaticCredentials)
        return self.credentials.client_secret


class BackOfficeConfig(_Strict):
    # Which back-office adapter (bootstrap.BACK_OFFICE_KINDS); the keys below are Tryton's.
    kind: Annotated[str, Field(min_length=1)] = "tryton"
    url: str = "http://127.0.0.1:8000"
    database: str
    username: str = "admin"
    password: SecretRef
    timeout_seconds: Annotated[float, Field(gt=0)] = 30.0


class StorageConfig(_Strict):
    url: str = "sqlite:///trueup.db"
    # The database's password, from a secret (never in `url`, where it would sit in the file).
    password: SecretRef | None = None


# Shopify retries a failed delivery for 4 hours, sending the original X-Shopify-Triggered-At each time.
SHOPIFY_RETRY_SECONDS = 4 * 3600


class ServerConfig(_Strict):
    """`trueup serve`: where it listens and what a request may cost before its signature is checked
    (docs/going-live.md, "The public endpoint")."""

    # Where Shopify reaches trueup (https, behind TLS): webhooks go to <public_url>/webhooks/shopify, installs
    # come back to <public_url>/shopify/callback. Used by `trueup shop connect` and the install routes.
    public_url: Annotated[str, Field(pattern=r"^https?://[^/\s]+(/[^\s]*)?$")] | None = None
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8080
    max_body_bytes: Annotated[int, Field(gt=0)] = 2_000_000
    body_read_seconds: Annotated[float, Field(gt=0, le=300)] = 10.0  # the whole body, once the headers are in
    header_read_seconds: Annotated[float, Field(gt=0, le=300)] = 10.0  # from the connection (or last answer)
    max_header_bytes: Annotated[int, Field(ge=4096, le=1_048_576)] = 32_768
    max_connections: Annotated[int, Field(ge=1)] = 1000  # past this, requests are answered 503
    max_buffered_bytes: Annotated[int, Field(gt=0)] = 32 * 1024 * 1024  # bodies being read, all together
    # A delivery triggered longer ago than this is refused (a replay); 0 turns the check off.
    max_delivery_age_seconds: Annotated[float, Field(ge=0)] = 6 * 3600.0

    @model_validator(mode="after")
    def _window_covers_retries(self) -> ServerConfig:
        if 0 < self.max_delivery_age_seconds < SHOPIFY_RETRY_SECONDS:
            raise ValueError(
                f"max_delivery_age_seconds must be 0 (off) or at least {SHOPIFY_RETRY_SECONDS}: "
                "Shopify retries for 4 hours with the original X-Shopify-Triggered-At"
            )
        if self.max_buffered_bytes < self.max_body_bytes:
            raise ValueError("max_buffered_bytes must be at least max_body_bytes")
        return self


class ConsoleConfig(_Strict):
    """The operations console (`trueup console`, a process of its own on the same store; docs/console.md)."""

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8090
    session_hours: Annotated[float, Field(gt=0, le=168)] = 12.0  # sign in again after this, however active
    idle_minutes: Annotated[float, Field(gt=0)] = 30.0  # a session unused this long ends
    login_attempts: Annotated[int, Field(ge=1)] = 5  # failed sign-ins per name in 15 minutes
    niceness: Annotated[int, Field(ge=0, le=19)] = 10  # lower CPU priority than intake and workers (Unix nice)
    # Single sign-on behind a reverse proxy that authenticates people and passes their name in this header
    # (e.g. "X-Forwarded-User"); empty: off. Only requests from `trusted_proxies` may carry it.
    trusted_user_header: str = ""
    trusted_proxies: list[str] = Field(default_factory=lambda: ["127.0.0.1"])
    # A bearer token for Prometheus to read /metrics without a session (absent: /metrics needs a session).
    metrics_token: SecretRef | None = None
    # The key of the customer e-mail index (HMAC-SHA256 of each order's normalised e-mail), a random secret of at
    # least 32 characters; absent: each shop's key is derived from its webhook secret (docs/console.md).
    email_index_key: SecretRef | None = None


class SmtpConfig(_Strict):
    host: str
    port: Annotated[int, Field(ge=1, le=65535)] = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    sender: str  # the From address
    recipients: list[str] = Field(min_length=1)
    username: str | None = None
    password: SecretRef | None = None


class AlertsConfig(_Strict):
    """Alerts by e-mail and to a Slack-compatible webhook (`trueup alerts`; docs/console.md)."""

    interval_seconds: Annotated[float, Field(gt=0)] = 30.0  # how often the rules are checked
    digest_seconds: Annotated[float, Field(ge=0)] = 60.0  # notices wait this long to go out as one digest
    smtp: SmtpConfig | None = None
    webhook_url: SecretRef | None = None  # e.g. a Slack incoming webhook (a secret: it lets anyone post)
    stuck_minutes: Annotated[float, Field(gt=0)] = 30.0
    spike_count: Annotated[int, Field(ge=1)] = 20
    spike_minutes: Annotated[float, Field(gt=0)] = 10.0
    backlog_checks: Annotated[int, Field(ge=1)] = 5
    backlog_minimum: Annotated[int, Field(ge=0)] = 100
    unreachable_minutes: Annotated[float, Field(gt=0)] = 10.0
    throttled_minutes: Annotated[float, Field(gt=0)] = 10.0
    drift_units: Annotated[int, Field(ge=0)] = 10
    silence_factor: Annotated[float, Field(ge=1)] = 1.5
    silence_floor_minutes: Annotated[float, Field(gt=0)] = 10.0
    silence_min_active_minutes: Annotated[int, Field(ge=1)] = 3
    silence_history_days: Annotated[int, Field(ge=1, le=30)] = 28


class WorkerConfig(_Strict):
    lease_seconds: Annotated[float, Field(gt=0)] = 10.0  # renewed every quarter of it while a job runs
    # Jobs run side by side in one worker process; with more than one, their new sales orders are posted to
    # the ERP together, up to `sales_batch_max` per round trip (service_layer/sales_batches.py).
    threads: Annotated[int, Field(ge=1, le=64)] = 1
    sales_batch_max: Annotated[int, Field(ge=1, le=100)] = 10
    poll_interval_seconds: Annotated[float, Field(gt=0)] = 60.0
    poll_overlap_seconds: Annotated[float, Field(ge=0)] = 300.0
    first_lookback_seconds: Annotated[float, Field(ge=0)] = 86400.0
    replay_interval_seconds: Annotated[float, Field(gt=0)] = 30.0
    verify_interval_seconds: Annotated[float, Field(gt=0)] = 3600.0  # the completeness check's sweep
    verify_lookback_seconds: Annotated[float, Field(gt=0)] = 172800.0  # over orders first seen this recently
    done_jobs_retention_days: Annotated[float, Field(gt=0)] = 7.0
    deliveries_retention_days: Annotated[float, Field(ge=2)] = 30.0  # Shopify retries for up to 48 h
    # A delivery's body (customer data) is kept this long, for people to read (the console's order page); the
    # delivery itself stays `deliveries_retention_days`, to recognise repeats. Privacy requests keep theirs.
    delivery_bodies_retention_days: Annotated[float, Field(gt=0)] = 7.0
    api_usage_retention_days: Annotated[float, Field(gt=0)] = 7.0  # Shopify API use per shop and minute
    purge_interval_seconds: Annotated[float, Field(gt=0)] = 3600.0
    fulfil_interval_seconds: Annotated[float, Field(gt=0)] = 30.0
    notify_customer: bool = True  # Shopify e-mails the customer when trueup creates a fulfilment
    # The first fulfilment run reads the ERP's shipments despatched this long before it, not its whole history.
    fulfil_first_lookback_seconds: Annotated[float, Field(ge=0)] = 86400.0


class PostPurchaseConfig(_Strict):
    """Changes after posting: the warehouse stage from which Shopify-side edits, address changes and cancels
    become exceptions for a person instead of being applied, and the hold window of new orders."""

    cut_off: Literal["picked", "packed", "shipped"] = "picked"
    # A new paid order waits this long before it goes to the ERP, its fulfilment held in Shopify meanwhile
    # (0: no window). A week at most: Shopify's held orders are there for a person to see, not to forget.
    hold_minutes: Annotated[int, Field(ge=0, le=10080)] = 0


# A safety buffer: whole units (2) or a percentage of what could be promised ("10%").
BufferValue = Annotated[int, Field(ge=0)] | Annotated[str, Field(pattern=r"^(100|\d{1,2})(\.\d+)?%$")]


class WarehouseSharingConfig(_Strict):
    """How one ERP warehouse's stock is offered to the shops selling from it (see docs/inventory.md)."""

    sharing: Literal["split", "pool"] = "split"
    weights: dict[str, Annotated[Decimal, Field(ge=0)]] = Field(default_factory=dict)  # by shop domain; else 1


class InventoryConfig(_Strict):
    """Stock from the ERP/WMS to Shopify, per location mapped in `[[shops]] locations` (see docs/inventory.md)."""

    enabled: bool = False
    buffer: BufferValue = 0  # the default buffer
    sku_buffers: dict[str, BufferValue] = Field(default_factory=dict)  # by SKU (before a location's)
    location_buffers: dict[str, BufferValue] = Field(default_factory=dict)  # by Shopify location id
    sync_interval_seconds: Annotated[float, Field(gt=0)] = 2.0  # ERP stock changes are read this often
    reconcile_interval_seconds: Annotated[float, Field(gt=0)] = 3600.0  # every mapped level compared
    warehouses: dict[str, WarehouseSharingConfig] = Field(default_factory=dict)  # by ERP warehouse code


class BundleComponentConfig(_Strict):
    """One component of a single-SKU bundle defined in configuration."""

    sku: Annotated[str, Field(min_length=1)]
    quantity: Annotated[Decimal, Field(gt=0)] = Decimal(1)  # units per bundle sold
    # Per unit of the component, instead of its ERP list price (only with spread = "weights").
    weight: Annotated[Decimal, Field(ge=0)] | None = None


class BundleConfig(_Strict):
    """A bundle sold under one SKU: the warehouse gets its components, and the price, discount and tax Shopify
    charged are spread over them by weight, to the cent. Complements the ERP's kit definitions, and overrides
    the ERP's kit for the same SKU."""

    components: list[BundleComponentConfig] = Field(min_length=1)
    # "list_price": weights are the ERP's list prices × quantities; "weights": each component's `weight`.
    spread: Literal["list_price", "weights"] = "list_price"

    @model_validator(mode="after")
    def _weights_match_the_spread(self) -> BundleConfig:
        weighted = [c.sku for c in self.components if c.weight is not None]
        if self.spread == "weights" and len(weighted) != len(self.components):
            raise ValueError('with spread = "weights", give every component a weight')
        if self.spread == "list_price" and weighted:
            raise ValueError(f'weights are only used with spread = "weights" (given for {", ".join(weighted)})')
        return self


_CURRENCY = r"^[A-Z]{3}$"
ACCOUNT_CODE = Annotated[str, Field(min_length=1)]
CLEARING = "clearing"  # in `transaction_types`: the gateway's clearing account in the payout's currency


class PaymentsConfig(_Strict):
    """Payments and Shopify Payments payouts in the ERP's books (docs/payouts.md): ERP account codes by role.
    The defaults are the demo business's chart. Every code is looked up in the ERP at start; one missing is
    an error that names it."""

    enabled: bool = False
    journal: ACCOUNT_CODE = "SHOPIFY"  # the ERP journal (by code) payout entries are booked on
    # Payout currency -> the bank account the payouts reach.
    bank: dict[Annotated[str, Field(pattern=_CURRENCY)], ACCOUNT_CODE] = Field(
        default_factory=lambda: {"USD": "5121-USD", "CAD": "5121-CAD", "EUR": "5121-EUR"}
    )
    # "<gateway>:<currency>" (gateway as Shopify names it: shopify_payments, paypal, manual) -> clearing account.
    clearing: dict[Annotated[str, Field(pattern=r"^[a-z0-9_]+:[A-Z]{3}$")], ACCOUNT_CODE] = Field(
        default_factory=lambda: {
            "shopify_payments:USD": "5117-SP-USD",
            "shopify_payments:CAD": "5117-SP-CAD",
            "shopify_payments:EUR": "5117-SP-EUR",
            "paypal:USD": "5117-PP-USD",
            "manual:USD": "5117-MAN-USD",
        }
    )
    gift_cards: ACCOUNT_CODE = "4191"  # gift cards sold and not yet redeemed (a liability)
    fee_expense: ACCOUNT_CODE = "6278"  # Shopify Payments' fees, chargeback fees included
    exchange_difference: ACCOUNT_CODE = "6666"  # a foreign payout's conversion to the company's currency
    returned_payouts: ACCOUNT_CODE = "4673"  # payouts failed or cancelled: owed again by Shopify
    # Shopify balance transaction type -> account code, or "clearing". A payout holding a type not listed
    # here is an exception (unmapped_payment_account) naming the type; nothing of it is booked.
    transaction_types: dict[Annotated[str, Field(pattern=r"^[A-Z_]+$")], ACCOUNT_CODE] = Field(
        default_factory=lambda: {
            "CHARGE": CLEARING,
            "REFUND": CLEARING,
            "REFUND_FAILURE": CLEARING,
            "ADJUSTMENT": "6581",
            "DISPUTE_WITHDRAWAL": "4671",
            "DISPUTE_REVERSAL": "4671",
            "RESERVED_FUNDS": "4672",
            "RESERVED_FUNDS_REVERSAL": "4672",
            "RESERVED_FUNDS_WITHDRAWAL": "4672",
            "TRANSFER_FAILURE": "4673",
            "TRANSFER_CANCEL": "4673",
        }
    )
    poll_interval_seconds: Annotated[float, Field(gt=0)] = 3600.0  # payouts are read this often
    # Each poll reads again the payouts issued this long before the cursor (a late FAILED is caught).
    lookback_days: Annotated[int, Field(ge=1, le=90)] = 14
    first_lookback_days: Annotated[int, Field(ge=0)] = 35  # the first poll's start, before now
    # A Shopify Payments capture in no payout after this many business days is shown (trueup payouts, status).
    overdue_business_days: Annotated[int, Field(ge=1, le=60)] = 5


class TrueupConfig(_Strict):
    shops: list[ShopConfig] = Field(min_length=1)
    back_office: BackOfficeConfig
    storage: StorageConfig = StorageConfig()
    server: ServerConfig = ServerConfig()
    worker: WorkerConfig = WorkerConfig()
    console: ConsoleConfig = ConsoleConfig()
    alerts: AlertsConfig = AlertsConfig()
    post_purchase: PostPurchaseConfig = PostPurchaseConfig()
    inventory: InventoryConfig = InventoryConfig()
    payments: PaymentsConfig = PaymentsConfig()
    token_store: TokenStoreConfig | None = None  # needed by shops whose credentials are not static
    # Shopify tax line ("<title> <rate %>", e.g. "VAT 20") -> ERP tax code.
    taxes: dict[str, str] = Field(default_factory=dict)
    # The largest gap between the ERP's own tax and Shopify's (shop currency) that is rounding; a larger one is
    # a tax variance reported to finance (the documents carry Shopify's tax either way).
    tax_rounding_tolerance: Annotated[Decimal, Field(ge=0, le=1)] = Decimal("0.05")
    # Park such an order as tax_mismatch instead of posting it with Shopify's tax.
    park_on_tax_variance: bool = False
    # The item master's product (by SKU/code) that shipping is booked on, on sales and credit notes.
    shipping_sku: Annotated[str, Field(min_length=1)] = SHIPPING_SKU
    # Shopify payment terms name ("Net 30") -> ERP payment term name; a company order with unmapped terms
    # is parked (unmapped_payment_term) rather than posted on the ERP's default terms.
    payment_terms: dict[str, str] = Field(default_factory=dict)
    # Where guest checkouts post: "by_email" (one party per e-mail address) or "shared" (one guest party).
    guest_checkout: Literal["by_email", "shared"] = "by_email"
    # Single-SKU bundles by SKU ([bundles."GIFT-SET"]); the ERP's kits serve for the SKUs not named here.
    bundles: dict[Annotated[str, Field(min_length=1)], BundleConfig] = Field(default_factory=dict)
    # Shopify metafield "<customer|company>.<namespace>.<key>" -> ERP party field ("party.identifier",
    # "party.identifier:<type>", "party.customer_payment_term"); see trueup.domain.party_fields.
    metafields: dict[str, str] = Field(default_factory=dict)
    # Carrier name (as the ERP names it) -> its tracking page, "{number}" standing for the tracking number,
    # e.g. "DHL" = "https://www.dhl.com/track?id={number}": the URL Shopify shows when the ERP gives none.
    tracking_urls: dict[str, Annotated[str, Field(pattern=r"^https?://.*\{number\}")]] = Field(default_factory=dict)
    # Plain http to a Shopify, ERP or public URL that is not on this machine: refused unless this is set, for
    # local work only (tokens and passwords would cross the network in the clear).
    allow_plain_http: bool = False
    _base_dir: Path = PrivateAttr(default=Path("."))

    @property
    def base_dir(self) -> Path:
        """The folder of the configuration file: relative paths in it start there."""
        return self._base_dir

    def storage_url(self) -> str:
        """The storage URL, with a relative SQLite path taken from the configuration's folder and the password
        from `storage.password`. Holds the password: never log or print it."""
        url = self.storage.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
            return prefix + str((self._base_dir / url[len(prefix) :]).resolve())
        if self.storage.password is None:
            return url
        password = self.storage.password.read("storage.password", self._base_dir).get_secret_value()
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise BadInput("storage.url is not a database URL") from None
        return parsed.set(password=password).render_as_string(hide_password=False)

    @field_validator("metafields")
    @classmethod
    def _known_metafields(cls, value: dict[str, str]) -> dict[str, str]:
        parse_mappings(value)  # its ValueError names the mapping in error
        return value

    @model_validator(mode="after")
    def _token_store_when_needed(self) -> TrueupConfig:
        renewed = [s.domain for s in self.shops if not isinstance(s.credentials, StaticCredentials)]
        if renewed and self.token_store is None:
            raise ValueError(
                f"shops {', '.join(renewed)} get their tokens from Shopify: give [token_store] key = "
                '{env = "..."} (a random secret of at least 32 characters) to encrypt them at rest'
            )
        return self

    @model_validator(mode="after")
    def _https_beyond_this_machine(self) -> TrueupConfig:
        if self.allow_plain_http:
            return self
        urls = {f"shops[{shop.domain}].api_url": shop.api_url for shop in self.shops}
        urls["back_office.url"] = self.back_office.url
        urls["server.public_url"] = self.server.public_url
        plain = [key for key, url in urls.items() if url is not None and _plain_http_elsewhere(url)]
        if plain:
            raise ValueError(
                f"{', '.join(plain)}: plain http to another machine; use https "
                "(or set allow_plain_http = true for local work)"
            )
        return self

    @model_validator(mode="after")
    def _unique_shops(self) -> TrueupConfig:
        domains = [shop.domain for shop in self.shops]
        if len(set(domains)) != len(domains):
            raise ValueError("each shop domain may appear once")
        return self

    def shop(self, domain: str) -> ShopConfig:
        for shop in self.shops:
            if shop.domain == domain:
                return shop
        raise KeyError(domain)


LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _plain_http_elsewhere(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme.lower() == "http" and (parts.hostname or "") not in LOCAL_HOSTS


def _describe(error: ValidationError, path: Path) -> str:
    lines = [f"{path}: invalid configuration"]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        # The offending value is never echoed: it may be a secret or a customer's data.
        lines.append(f"  {key}: {item['msg']}")
    return "\n".join(lines)


def load_config(path: Path) -> TrueupConfig:
    """Read and validate the TOML file at `path`; relative paths in it are taken from its folder."""
    try:
        raw = tomllib.loads(path.read_text())
    except OSError as error:
        raise BadInput(f"{path}: cannot read the configuration: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise BadInput(f"{path}: not valid TOML: {error}") from error
    try:
        config = TrueupConfig.model_validate(raw)
    except ValidationError as error:
        raise BadInput(_describe(error, path)) from None
    config._base_dir = path.resolve().parent
    return config
