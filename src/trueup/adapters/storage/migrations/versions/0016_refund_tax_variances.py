"""Tax variances of refunds' credit notes kept beside the sales': the key takes the ERP document, and a flag
tells a credit note's rows from the sale's.

Revision ID: 0016_refund_tax_variances
Revises: 0015_order_emails
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from trueup.adapters.storage.columns import UtcDateTime

revision = "0016_refund_tax_variances"
down_revision = "0015_order_emails"
branch_labels = None
depends_on = None

KEY_BEFORE = ["shop", "order_id", "tax"]
KEY_AFTER = ["shop", "order_id", "document", "tax"]
COLUMNS = ["shop", "order_id", "document", "tax", "order_name", "rate", "shopify", "erp", "currency", "recorded_at"]


def _rekey(key: list[str]) -> None:
    """PostgreSQL's key dropped and made again; SQLite cannot alter a key: its table is made again with the new
    key and the rows copied (the credit note flag is added or dropped apart)."""
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("tax_variances_pkey", "tax_variances", type_="primary")
        op.create_primary_key("tax_variances_pkey", "tax_variances", key)
        return
    columns = [
        sa.Column(name, sa.String(3 if name == "currency" else 64 if name in ("shopify", "erp") else 255))
        for name in COLUMNS
        if name != "recorded_at"
    ]
    for column in columns:
        column.nullable = False
    flag: list[sa.Column[bool]] = [sa.Column("credit_note", sa.Boolean(), nullable=False, server_default=sa.false())]
    has_flag = "credit_note" in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("tax_variances")}
    op.create_table(
        "tax_variances_rekeyed",
        *columns,
        sa.Column("recorded_at", UtcDateTime, nullable=False),
        *(flag if has_flag else []),
        sa.PrimaryKeyConstraint(*key),
    )
    names = ", ".join(COLUMNS + (["credit_note"] if has_flag else []))
    op.execute(sa.text(f"INSERT INTO tax_variances_rekeyed ({names}) SELECT {names} FROM tax_variances"))
    op.drop_table("tax_variances")
    op.rename_table("tax_variances_rekeyed", "tax_variances")


def upgrade() -> None:
    with op.batch_alter_table("tax_variances") as batch:
        batch.add_column(sa.Column("credit_note", sa.Boolean(), nullable=False, server_default=sa.false()))
    _rekey(KEY_AFTER)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM tax_variances WHERE credit_note"))
    _rekey(KEY_BEFORE)
    with op.batch_alter_table("tax_variances") as batch:
        batch.drop_column("credit_note")
