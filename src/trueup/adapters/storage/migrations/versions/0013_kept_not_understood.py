"""The deliveries kept but not understood, by shop and problem: a partial index holding only those (few) rows,
which the console's overview counts on every page without reading all the deliveries.

Revision ID: 0013_kept_not_understood
Revises: 0012_api_usage
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_kept_not_understood"
down_revision = "0012_api_usage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with_problem = sa.text("problem IS NOT NULL")
    op.create_index(
        "deliveries_with_problem",
        "deliveries",
        ["shop", "problem"],
        sqlite_where=with_problem,
        postgresql_where=with_problem,
    )


def downgrade() -> None:
    op.drop_index("deliveries_with_problem", "deliveries")
