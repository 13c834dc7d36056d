"""Fulfilment: what trueup did with each ERP shipment.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled by the work it is named after


def downgrade() -> None:
    pass
