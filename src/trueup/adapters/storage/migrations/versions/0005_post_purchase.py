"""Post-purchase: refunds and their credit memos, and order changes applied after posting.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from trueup.adapters.storage.columns import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per Shopify refund: where it stands (waiting for its sale, credited, covered by a cancellation,
    # parked) and the ERP credit note that credits it.
    op.create_table(
        "refunds",
        sa.Column("shop", sa.String(255), primary_key=True),
        sa.Column("refund_id", sa.String(255), primary_key=True),
        sa.Column("order_id", sa.String(255), nullable=False),
        sa.Column("order_name", sa.String(255), nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("amount", sa.String(64)),
        sa.Column("currency", sa.String(3)),
        sa.Column("credit_note_number", sa.String(255)),
        sa.Column("cause", sa.String(64)),
        sa.Column("detail", sa.Text),
        sa.Column("needs", sa.JSON, nullable=False),
        sa.Column("first_seen_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_index("refunds_by_order", "refunds", ["shop", "order_id"])
    op.create_index("refunds_by_state", "refunds", ["state", "shop"])


def downgrade() -> None:
    op.drop_index("refunds_by_state", table_name="refunds")
    op.drop_index("refunds_by_order", table_name="refunds")
    op.drop_table("refunds")
