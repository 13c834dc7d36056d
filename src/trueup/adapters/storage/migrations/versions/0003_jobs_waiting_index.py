"""Partial indexes for claiming: the waiting jobs in id order, so a claim finds the oldest runnable job
without sorting the backlog (it costs the same with ten waiting jobs or a hundred thousand), and the
running jobs by lease. They replace `jobs_runnable`, which led the planners to sort every due job.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    waiting, running = sa.text("state = 'todo'"), sa.text("state = 'doing'")
    op.create_index("jobs_waiting", "jobs", ["id"], sqlite_where=waiting, postgresql_where=waiting)
    op.create_index("jobs_leased", "jobs", ["lease_until"], sqlite_where=running, postgresql_where=running)
    op.drop_index("jobs_runnable", "jobs")


def downgrade() -> None:
    op.create_index("jobs_runnable", "jobs", ["state", "run_at", "id"])
    op.drop_index("jobs_leased", "jobs")
    op.drop_index("jobs_waiting", "jobs")
