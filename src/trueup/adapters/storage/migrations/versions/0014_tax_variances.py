"""Tax variances kept for finance: per order and ERP tax, Shopify's tax and what the ERP's rate computes.

Revision ID: 0014_tax_variances
Revises: 0013_kept_not_understood
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from trueup.adapters.storage.columns import UtcDateTime

revision = "0014_tax_variances"
down_revision = "0013_kept_not_understood"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tax_variances",
        sa.Column("shop", sa.String(255), primary_key=True),
        sa.Column("order_id", sa.String(255), primary_key=True),
        sa.Column("tax", sa.String(255), primary_key=True),
        sa.Column("order_name", sa.String(255), nullable=False),
        sa.Column("document", sa.String(255), nullable=False),
        sa.Column("rate", sa.String(255), nullable=False),
        sa.Column("shopify", sa.String(64), nullable=False),
        sa.Column("erp", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tax_variances")
