"""The ledger keeps what the customer was charged in the presentment currency, when it is not the shop's:
the ERP posts in the shop currency, and finance asks what the customer actually saw.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ledger", sa.Column("presentment_total_amount", sa.String(64), nullable=True))
    op.add_column("ledger", sa.Column("presentment_total_currency", sa.String(3), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ledger") as batch:
        batch.drop_column("presentment_total_currency")
        batch.drop_column("presentment_total_amount")
