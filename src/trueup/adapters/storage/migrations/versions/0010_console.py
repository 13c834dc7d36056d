"""The operations console: its users, their sessions, the audit of what people did, the alerts' states; and the
indexes its order page and search read (deliveries and fulfilments by order, orders by name).

Revision ID: 0010_console
Revises: 0010_credentials
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from trueup.adapters.storage.columns import Identity, UtcDateTime

revision = "0010_console"
down_revision = "0010_credentials"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
    )
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("last_seen_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "console_audit",
        sa.Column("id", Identity, primary_key=True, autoincrement=True),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("username", sa.String(255), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(255), nullable=False),
        sa.Column("orders", sa.JSON, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("remote", sa.String(64), nullable=False),
    )
    op.create_table(
        "alert_states",
        sa.Column("rule", sa.String(64), primary_key=True),
        sa.Column("subject", sa.String(255), primary_key=True),
        sa.Column("firing", sa.Boolean, nullable=False),
        sa.Column("since", UtcDateTime, nullable=False),
        sa.Column("notified_at", UtcDateTime),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("console_sessions_by_user", "console_sessions", ["username"])
    op.create_index("console_audit_by_action", "console_audit", ["action", "at"])
    op.create_index("console_audit_by_user", "console_audit", ["username", "id"])
    op.create_index("deliveries_by_order", "deliveries", ["order_id"])
    op.create_index("ledger_by_name", "ledger", ["name"])
    op.create_index("fulfilments_by_order", "fulfilments", ["shop", "order_id"])


def downgrade() -> None:
    op.drop_index("fulfilments_by_order", "fulfilments")
    op.drop_index("ledger_by_name", "ledger")
    op.drop_index("deliveries_by_order", "deliveries")
    for table in ("alert_states", "console_audit", "console_sessions", "console_users"):
        op.drop_table(table)
