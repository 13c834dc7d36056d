"""Per order, a keyed hash (HMAC-SHA256) of the customer's normalised e-mail, for the console's search by e-mail;
the e-mail itself is not kept.

Revision ID: 0015_order_emails
Revises: 0014_tax_variances
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_order_emails"
down_revision = "0014_tax_variances"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_emails",
        sa.Column("shop", sa.String(255), primary_key=True),
        sa.Column("order_id", sa.String(255), primary_key=True),
        sa.Column("email_hash", sa.String(64), nullable=False),
    )
    op.create_index("order_emails_by_hash", "order_emails", ["email_hash"])


def downgrade() -> None:
    op.drop_index("order_emails_by_hash", "order_emails")
    op.drop_table("order_emails")
