"""The initial schema: deliveries, the job queue, the ledger, cursors and counters.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from trueup.adapters.storage.columns import Identity, UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    _deliveries()
    _jobs()
    _ledger()
    op.create_table(
        "cursors",
        sa.Column("shop", sa.String(255), primary_key=True),
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )


def _deliveries() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", Identity, primary_key=True, autoincrement=True),
        sa.Column("webhook_id", sa.String(255), nullable=False, unique=True),
        sa.Column("shop", sa.String(255), nullable=False),
        sa.Column("topic", sa.String(100), nullable=False),
        sa.Column("event_id", sa.String(255)),
        sa.Column("api_version", sa.String(20)),
        sa.Column("triggered_at", sa.String(64)),
        sa.Column("order_id", sa.String(255)),
        sa.Column("known_topic", sa.Boolean, nullable=False),
        sa.Column("problem", sa.String(100)),
        sa.Column("headers", sa.JSON, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("received_at", UtcDateTime, nullable=False),
    )
    # Shopify may resend one event under a new webhook id: the event id catches that duplicate.
    op.create_index("deliveries_event_once", "deliveries", ["event_id", "topic", "shop"], unique=True)
    op.create_index("deliveries_received_at", "deliveries", ["received_at"])
    op.create_index("deliveries_unknown_topic", "deliveries", ["known_topic", "topic"])


def _jobs() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", Identity, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("shop", sa.String(255), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("run_at", UtcDateTime, nullable=False),
        sa.Column("locked_by", sa.String(255)),
        sa.Column("lease_until", UtcDateTime),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.CheckConstraint("state in ('todo', 'doing', 'done')", name="jobs_state_known"),
    )
    # The lock: never two jobs running for one key. The queueing lock: never two waiting per key and kind.
    # Enforced by the database itself, so two workers racing cannot both win.
    _partial_unique("jobs_one_running_per_key", ["key"], "state = 'doing'")
    _partial_unique("jobs_one_waiting_per_key_kind", ["key", "kind"], "state = 'todo'")
    op.create_index("jobs_runnable", "jobs", ["state", "run_at", "id"])
    op.create_index("jobs_by_key", "jobs", ["key", "id"])


def _partial_unique(name: str, columns: list[str], where: str) -> None:
    condition = sa.text(where)
    op.create_index(name, "jobs", columns, unique=True, sqlite_where=condition, postgresql_where=condition)


def _ledger() -> None:
    op.create_table(
        "ledger",
        sa.Column("shop", sa.String(255), primary_key=True),
        sa.Column("order_id", sa.String(255), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("first_seen_at", UtcDateTime, nullable=False),
        sa.Column("state_since", UtcDateTime, nullable=False),
        sa.Column("shopify_total_amount", sa.String(64)),
        sa.Column("shopify_total_currency", sa.String(3)),
        sa.Column("erp_total_amount", sa.String(64)),
        sa.Column("erp_total_currency", sa.String(3)),
        sa.Column("erp_sale_id", sa.BigInteger),
        sa.Column("erp_number", sa.String(255)),
        sa.Column("cause", sa.String(64)),
        sa.Column("detail", sa.Text),
        sa.Column("needs", sa.JSON, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_index("ledger_by_state", "ledger", ["state", "state_since"])


def downgrade() -> None:
    for table in ("counters", "cursors", "ledger", "jobs", "deliveries"):
        op.drop_table(table)
