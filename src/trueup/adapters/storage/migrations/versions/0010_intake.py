"""Privacy requests honoured: one report per request, with what was found or erased.

Revision ID: 0010_intake
Revises: 0011_console_speed
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from trueup.adapters.storage.columns import UtcDateTime

revision = "0010_intake"
down_revision = "0011_console_speed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_requests",
        sa.Column("webhook_id", sa.String(255), primary_key=True),
        sa.Column("shop", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("customer_id", sa.String(255)),
        sa.Column("orders", sa.JSON, nullable=False),
        sa.Column("received_at", UtcDateTime, nullable=False),
        sa.Column("done_at", UtcDateTime, nullable=False),
        sa.Column("records", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("privacy_requests")
