"""trueup's tables, in SQLAlchemy Core. The schema itself is created by the Alembic migrations."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
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
    Column("erp_sale_id", BigInteger),
    Column("erp_number", String(255)),
    Column("cause", String(64)),
    Column("detail", Text),
    Column("needs", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("shopify_updated_at", UtcDateTime),
    Column("presentment_total_amount", String(64)),
    Column("presentment_total_currency", String(3)),
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
