"""Shopify credentials: each shop's expiring access token and refresh token, encrypted, with a refresh lease.

Revision ID: 0010_credentials
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from trueup.adapters.storage.columns import UtcDateTime

revision = "0010_credentials"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shop_tokens",
        sa.Column("shop", sa.String(255), primary_key=True),
        sa.Column("access_token", sa.LargeBinary),
        sa.Column("expires_at", UtcDateTime),
        sa.Column("refresh_token", sa.LargeBinary),
        sa.Column("refresh_expires_at", UtcDateTime),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("lease_owner", sa.String(255)),
        sa.Column("lease_until", UtcDateTime),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("shop_tokens")
