"""The console's counts per shop without reading the ledger's rows: an index of (shop, state, cause), which the
overview's and /metrics' counts by state and by cause read alone.

Revision ID: 0011_console_speed
Revises: 0010_payouts
"""

from __future__ import annotations

from alembic import op

revision = "0011_console_speed"
down_revision = "0010_payouts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ledger_by_shop_state", "ledger", ["shop", "state", "cause"])


def downgrade() -> None:
    op.drop_index("ledger_by_shop_state", "ledger")
