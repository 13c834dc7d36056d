"""trueup's tables and indexes, in SQLAlchemy Core: the whole schema. It is created by the Alembic migrations,
and tests/integration/storage/test_migrations.py holds the two to exactly the same schema."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from trueup.adapters.storage.columns import Identity, UtcDateTime

metadata = MetaData()

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Identity, primary_key=True, autoincrement=True),
    Column("webhook_id", String(255), nullable=False, unique=True),
    Column("shop", String(255), nullable=False),
    Column("topic", String(100), nullable=False),
    Column("event_id", String(255)),
    Column("api_version", String(20)),
    Column("triggered_at", String(64)),
    Column("order_id", String(255)),
    Column("known_topic", Boolean, nullable=False),
    Column("problem", String(100)),
    Column("headers", JSON, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", Identity, primary_key=True, autoincrement=True),
    Column("kind", String(100), nullable=False),
    Column("key", String(512), nullable=False),
    Column("shop", String(255), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("state", String(10), nullable=False),  # todo | doing | done
    Column("attempts", Integer, nullable=False),
    Column("run_at", UtcDateTime, nullable=False),
    Column("locked_by", String(255)),
    Column("lease_until", UtcDateTime),
    Column("last_error", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

ledger = Table(
    "ledger",
    metadata,
    Column("shop", String(255), primary_key=True),
    Column("order_id", String(255), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("state", String(32), nullable=False),
    Column("first_seen_at", UtcDateTime, nullable=False),
    Column("state_since", UtcDateTime, nullable=False),
    Column("shopify_total_amount", String(64)),
    Column("shopify_total_currency", String(3)),
    Column("erp_total_amount", String(64)),
    Column("erp_total_currency", String(3)),
    Column("erp_sale_id", String(255)),  # opaque: the ERP's own id of the sale
    Column("erp_number", String(255)),
    Column("cause", String(64)),
    Column("detail", Text),
    Column("needs", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("shopify_updated_at", UtcDateTime),
    Column("presentment_total_amount", String(64)),
    Column("presentment_total_currency", String(3)),
    Column("held_until", UtcDateTime),
    Column("accepted_changes", Text),
)

cursors = Table(
    "cursors",
    metadata,
    Column("shop", String(255), primary_key=True),
    Column("name", String(100), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

counters = Table(
    "counters",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# --- refunds (migration 0005): each Shopify refund and the ERP credit note that credits it ---------------
refunds = Table(
    "refunds",
    metadata,
    Column("shop", String(255), primary_key=True),
    Column("refund_id", String(255), primary_key=True),
    Column("order_id", String(255), nullable=False),
    Column("order_name", String(255), nullable=False),
    Column("ordinal", Integer, nullable=False),
    Column("state", String(32), nullable=False),
    Column("amount", String(64)),
    Column("currency", String(3)),
    Column("credit_note_number", String(255)),
    Column("cause", String(64)),
    Column("detail", Text),
    Column("needs", JSON, nullable=False),
    Column("first_seen_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# --- inventory (migration 0006) -------------------------------------------------------------------
stock_demand = Table(
    "stock_demand",
    metadata,
    Column("shop", String(255), primary_key=True),
    Column("order_id", String(255), primary_key=True),
    Column("sku", String(255), primary_key=True),
    Column("warehouse", String(100), primary_key=True),
    Column("quantity", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

stock_dirty = Table(
    "stock_dirty",
    metadata,
    Column("shop", String(255), primary_key=True),
    Column("sku", String(255), primary_key=True),
    Column("marked_at", UtcDateTime, nullable=False),
)

stock_levels_set = Table(
    "stock_levels_set",
    metadata,
    Column("shop", String(255), primary_key=True),
    Column("sku", String(255), primary_key=True),
    Column("location_id", String(255), primary_key=True),
    Column("quantity", Integer, nullable=False),
    Column("set_at", UtcDateTime, nullable=False),
)

stock_drift = Table(
    "stock_drift",
    metadata,
    Column("shop", String(255), primary_key=True),
    Column("sku", String(255), primary_key=True),
    Column("location_id", String(255), primary_key=True),
    Column("shopify", Integer, nullable=False),
    Column("target", Integer, nullable=False),
    Column("since", UtcDateTime, nullable=False),
)

stock_issues = Table(
    "stock_issues",
    metadata,
    Column("shop", String(255), primary_key=True),
    Column("cause", String(64), primary_key=True),
    Column("sku", String(255), primary_key=True),
    Column("location", String(255), primary_key=True),
    Column("detail", Text, nullable=False),
    Column("first_seen_at", UtcDateTime, nullable=False),
)

# What trueup did with each ERP shipment (migration 0008): the guard against two fulfilments for one
# shipment, and the failures `trueup status` shows until they are fixed.
fulfilments = Table(
    "fulfilments",
    metadata,
    Column("shop", String(255), primary_key=True),
    Column("shipment_id", String(255), primary_key=True),
    Column("order_id", String(255), nullable=False),
    Column("sale_reference", String(255), nullable=False),
    Column("state", String(16), nullable=False),
    Column("shipment", JSON, nullable=False),  # lines, warehouse, carrier and tracking as the ERP gave them
    Column("fulfillment_id", String(255)),
    Column("fulfilments_before", Integer, nullable=False),
    Column("tracking_company", String(255)),
    Column("tracking_number", String(255)),
    Column("tracking_url", Text),
    Column("cause", String(64)),
    Column("detail", Text),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Each shop's Admin API token (client credentials or authorization code), encrypted with the configured key,
# and the lease under which one process at a time renews it.
shop_tokens = Table(
    "shop_tokens",
    metadata,
    Column("shop", String(255), primary_key=True),
    Column("access_token", LargeBinary),  # Fernet token of the access token
    Column("expires_at", UtcDateTime),
    Column("refresh_token", LargeBinary),  # Fernet token of the refresh token
    Column("refresh_expires_at", UtcDateTime),
    Column("scopes", Text, nullable=False),
    Column("lease_owner", String(255)),
    Column("lease_until", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
)


# --- payouts (migration 0010_payouts): each Shopify Payments payout and the ERP entries it became ----------
payouts = Table(
    "payouts",
    metadata,
    Column("shop", String(255), primary_key=True),
    Column("payout_id", String(255), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("net", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("state", String(16), nullable=False),
    Column("totals", JSON, nullable=False),
    Column("transactions", Integer, nullable=False),
    Column("entry_id", String(255)),
    Column("returned_entry_id", String(255)),
    Column("cause", String(64)),
    Column("detail", Text),
    Column("needs", JSON, nullable=False),
    Column("first_seen_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)


# --- tax variances (migration 0014_tax_variances): an order's ERP tax whose rate disagrees with Shopify's charge ---
tax_variances = Table(
    "tax_variances",
    metadata,
    Column("shop", String(255), primary_key=True),
    Column("order_id", String(255), primary_key=True),
    Column("document", String(255), primary_key=True),  # the sale's, or a refund's credit note's (0016)
    Column("tax", String(255), primary_key=True),  # the ERP tax
    Column("order_name", String(255), nullable=False),
    Column("credit_note", Boolean, nullable=False),
    Column("rate", String(255), nullable=False),  # Shopify's tax line(s) mapped to the ERP tax
    Column("shopify", String(64), nullable=False),  # exact decimal text
    Column("erp", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)


# --- the completeness check's open findings (migration 0017_completeness_findings): per order or payout ----------
completeness_findings = Table(
    "completeness_findings",
    metadata,
    Column("shop", String(255), primary_key=True),
    Column("order_name", String(255), primary_key=True),  # the Shopify order's name, or "payout <id>"
    Column("kind", String(64), primary_key=True),  # domain/completeness.FindingKind
    Column("document", String(255), primary_key=True),  # the ERP document concerned (number or reference)
    Column("detail", Text, nullable=False),  # documents, SKUs and amounts; never the customer
    Column("found_at", UtcDateTime, nullable=False),  # when a check first found it
)


# --- the operations console (migration 0010_console): people, sessions, the audit, alert states ---------
console_users = Table(
    "console_users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("disabled", Boolean, nullable=False),
)

console_sessions = Table(
    "console_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the cookie's random token
    Column("username", String(64), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
)

console_audit = Table(
    "console_audit",
    metadata,
    Column("id", Identity, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("username", String(255), nullable=False),
    Column("action", String(32), nullable=False),
    Column("outcome", String(255), nullable=False),
    Column("orders", JSON, nullable=False),
    Column("detail", Text, nullable=False),
    Column("remote", String(64), nullable=False),
)

# Each alert rule's state per subject (a shop, a cause, an order): firing or not since when, last notice sent.
alert_states = Table(
    "alert_states",
    metadata,
    Column("rule", String(64), primary_key=True),
    Column("subject", String(255), primary_key=True),
    Column("firing", Boolean, nullable=False),
    Column("since", UtcDateTime, nullable=False),
    Column("notified_at", UtcDateTime),
    Column("detail", Text, nullable=False),
)


# --- indexes (as the migrations make them) ------------------------------------------------------------
_WAITING, _RUNNING = text("state = 'todo'"), text("state = 'doing'")
Index("deliveries_event_once", deliveries.c.event_id, deliveries.c.topic, deliveries.c.shop, unique=True)
Index("deliveries_received_at", deliveries.c.received_at)
Index("deliveries_unknown_topic", deliveries.c.known_topic, deliveries.c.topic)
# Never two jobs running per key, never two waiting per key and kind (the queue's guarantees).
Index("jobs_one_running_per_key", jobs.c.key, unique=True, sqlite_where=_RUNNING, postgresql_where=_RUNNING)
Index(
    "jobs_one_waiting_per_key_kind",
    jobs.c.key,
    jobs.c.kind,
    unique=True,
    sqlite_where=_WAITING,
    postgresql_where=_WAITING,
)
Index("jobs_by_key", jobs.c.key, jobs.c.id)
Index("jobs_waiting", jobs.c.id, sqlite_where=_WAITING, postgresql_where=_WAITING)
Index("jobs_leased", jobs.c.lease_until, sqlite_where=_RUNNING, postgresql_where=_RUNNING)
Index("ledger_by_state", ledger.c.state, ledger.c.state_since)
Index("refunds_by_order", refunds.c.shop, refunds.c.order_id)
Index("refunds_by_state", refunds.c.state, refunds.c.shop)
Index("fulfilments_by_state", fulfilments.c.state, fulfilments.c.shop)
Index("payouts_by_issued_at", payouts.c.issued_at)
Index("payouts_by_state", payouts.c.state, payouts.c.shop)
Index("console_sessions_by_user", console_sessions.c.username)
Index("console_audit_by_action", console_audit.c.action, console_audit.c.at)
Index("console_audit_by_user", console_audit.c.username, console_audit.c.id)
# What the console's order page and search read.
Index("deliveries_by_order", deliveries.c.order_id)
Index("ledger_by_name", ledger.c.name)
Index("fulfilments_by_order", fulfilments.c.shop, fulfilments.c.order_id)
# The console's counts per shop read this index alone (migration 0011_console_speed).
Index("ledger_by_shop_state", ledger.c.shop, ledger.c.state, ledger.c.cause)
# The deliveries kept but not understood, counted per shop by the console's overview (migration 0013).
_WITH_PROBLEM = text("problem IS NOT NULL")
Index(
    "deliveries_with_problem",
    deliveries.c.shop,
    deliveries.c.problem,
    sqlite_where=_WITH_PROBLEM,
    postgresql_where=_WITH_PROBLEM,
)

privacy_requests = Table(
    "privacy_requests",
    metadata,
    Column("webhook_id", String(255), primary_key=True),
    Column("shop", String(255), nullable=False),
    Column("kind", String(100), nullable=False),
    Column("customer_id", String(255)),
    Column("orders", JSON, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("done_at", UtcDateTime, nullable=False),
    Column("records", JSON, nullable=False),
)


# --- Shopify's Admin API per shop and minute (migration 0012_api_usage), written by the workers once a minute
api_usage = Table(
    "api_usage",
    metadata,
    Column("minute", UtcDateTime, primary_key=True),  # first: the activity page and the purge read by minute
    Column("shop", String(255), primary_key=True),
    Column("calls", Integer, nullable=False),
    Column("throttled", Integer, nullable=False),
    Column("requested_cost", BigInteger, nullable=False),
    Column("actual_cost", BigInteger, nullable=False),
    Column("lowest_available", Float),
    Column("maximum_available", Float),
    Column("restore_rate", Float),
)


# --- per order, a keyed hash of the customer's e-mail (migration 0015_order_emails): search by e-mail -----
order_emails = Table(
    "order_emails",
    metadata,
    Column("shop", String(255), primary_key=True),
    Column("order_id", String(255), primary_key=True),
    Column("email_hash", String(64), nullable=False),  # hex HMAC-SHA256 of the normalised e-mail
)
Index("order_emails_by_hash", order_emails.c.email_hash)
