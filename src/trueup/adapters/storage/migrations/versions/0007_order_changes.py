"""Order changes after posting: holds and the cut-off.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled by the work it is named after


def downgrade() -> None:
    pass
