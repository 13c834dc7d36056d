"""ERP ids are opaque text: the ledger's `erp_sale_id` was an integer (Tryton's record id), which another
back-office's ids (a 3PL's, NetSuite's "SO-123") would not fit. Tryton's ids are kept as their digits, which the
Tryton adapter reads back as the same records.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger") as batch:
        batch.alter_column(
            "erp_sale_id",
            type_=sa.String(255),
            existing_type=sa.BigInteger,
            postgresql_using="erp_sale_id::text",
        )


def downgrade() -> None:
    """Back to integers: an id that is not one (none from Tryton) is cleared, its sale found again by reference."""
    ledger = sa.table("ledger", sa.column("erp_sale_id", sa.String(255)))
    bind = op.get_bind()
    ids = bind.execute(sa.select(ledger.c.erp_sale_id).where(ledger.c.erp_sale_id.is_not(None))).scalars()
    for value in {v for v in ids if not v.isdigit()}:
        op.execute(ledger.update().where(ledger.c.erp_sale_id == value).values(erp_sale_id=None))
    with op.batch_alter_table("ledger") as batch:
        batch.alter_column(
            "erp_sale_id",
            type_=sa.BigInteger,
            existing_type=sa.String(255),
            postgresql_using="erp_sale_id::bigint",
        )
