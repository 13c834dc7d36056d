"""Shopify's Admin API per shop and minute: calls, cost points requested and charged, THROTTLED answers and the
lowest the cost bucket fell, written by the workers once a minute for the console's activity page and alerts.

Revision ID: 0012_api_usage
Revises: 0010_intake
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from trueup.adapters.storage.columns import UtcDateTime

revision = "0012_api_usage"
down_revision = "0010_intake"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_usage",
        sa.Column("minute", UtcDateTime, primary_key=True),
        sa.Column("shop", sa.String(255), primary_key=True),
        sa.Column("calls", sa.Integer, nullable=False),
        sa.Column("throttled", sa.Integer, nullable=False),
        sa.Column("requested_cost", sa.BigInteger, nullable=False),
        sa.Column("actual_cost", sa.BigInteger, nullable=False),
        sa.Column("lowest_available", sa.Float),
        sa.Column("maximum_available", sa.Float),
        sa.Column("restore_rate", sa.Float),
    )


def downgrade() -> None:
    op.drop_table("api_usage")
