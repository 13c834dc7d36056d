"""The completeness check's open findings, per shop and order (or payout), so the console, the alerts and
`trueup status` show them: replaced by each check of the order, erased with the shop.

Revision ID: 0017_completeness_findings
Revises: 0016_refund_tax_variances
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from trueup.adapters.storage.columns import UtcDateTime

revision = "0017_completeness_findings"
down_revision = "0016_refund_tax_variances"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "completeness_findings",
        sa.Column("shop", sa.String(255), primary_key=True),
        sa.Column("order_name", sa.String(255), primary_key=True),
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("document", sa.String(255), primary_key=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("found_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("completeness_findings")
