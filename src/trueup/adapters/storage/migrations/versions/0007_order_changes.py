"""Order changes after posting: the ledger keeps when a held order's hold window ends, and a change after the
cut-off a person accepted.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from trueup.adapters.storage.columns import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ledger", sa.Column("held_until", UtcDateTime, nullable=True))
    op.add_column("ledger", sa.Column("accepted_changes", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ledger") as batch:
        batch.drop_column("accepted_changes")
        batch.drop_column("held_until")
