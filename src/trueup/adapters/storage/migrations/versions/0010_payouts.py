"""Payouts: each Shopify Payments payout trueup has seen, its figures by kind and the ERP entries it became.

Revision ID: 0010_payouts
Revises: 0010_console
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from trueup.adapters.storage.columns import UtcDateTime

revision = "0010_payouts"
down_revision = "0010_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payouts",
        sa.Column("shop", sa.String(255), primary_key=True),
        sa.Column("payout_id", sa.String(255), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("issued_at", UtcDateTime, nullable=False),
        sa.Column("net", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("totals", sa.JSON, nullable=False),
        sa.Column("transactions", sa.Integer, nullable=False),
        sa.Column("entry_id", sa.String(255)),
        sa.Column("returned_entry_id", sa.String(255)),
        sa.Column("cause", sa.String(64)),
        sa.Column("detail", sa.Text),
        sa.Column("needs", sa.JSON, nullable=False),
        sa.Column("first_seen_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_index("payouts_by_issued_at", "payouts", ["issued_at"])
    op.create_index("payouts_by_state", "payouts", ["state", "shop"])


def downgrade() -> None:
    op.drop_index("payouts_by_state", "payouts")
    op.drop_index("payouts_by_issued_at", "payouts")
    op.drop_table("payouts")
