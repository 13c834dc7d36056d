"""Inventory: orders' demand the ERP does not know yet, the levels trueup last set in Shopify, the drift a
reconciliation found (and since when), and what the inventory flow cannot do by itself (by cause).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from trueup.adapters.storage.columns import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stock_demand",
        sa.Column("shop", sa.String(255), primary_key=True),
        sa.Column("order_id", sa.String(255), primary_key=True),
        sa.Column("sku", sa.String(255), primary_key=True),
        sa.Column("warehouse", sa.String(100), primary_key=True),  # "" until the order's warehouse is known
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_table(  # SKUs whose demand changed since the last stock sync: recomputed by the next one
        "stock_dirty",
        sa.Column("shop", sa.String(255), primary_key=True),
        sa.Column("sku", sa.String(255), primary_key=True),
        sa.Column("marked_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "stock_levels_set",
        sa.Column("shop", sa.String(255), primary_key=True),
        sa.Column("sku", sa.String(255), primary_key=True),
        sa.Column("location_id", sa.String(255), primary_key=True),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("set_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "stock_drift",
        sa.Column("shop", sa.String(255), primary_key=True),
        sa.Column("sku", sa.String(255), primary_key=True),
        sa.Column("location_id", sa.String(255), primary_key=True),
        sa.Column("shopify", sa.Integer, nullable=False),
        sa.Column("target", sa.Integer, nullable=False),
        sa.Column("since", UtcDateTime, nullable=False),
    )
    op.create_table(
        "stock_issues",
        sa.Column("shop", sa.String(255), primary_key=True),
        sa.Column("cause", sa.String(64), primary_key=True),
        sa.Column("sku", sa.String(255), primary_key=True),
        sa.Column("location", sa.String(255), primary_key=True),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("first_seen_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("stock_issues", "stock_drift", "stock_levels_set", "stock_dirty", "stock_demand"):
        op.drop_table(table)
