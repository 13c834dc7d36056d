"""Alembic environment: migrations run on the connection `trueup.adapters.storage.migrate` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from trueup.adapters.storage.tables import metadata

# Any number arbitrary but fixed: serialises concurrent upgrades of one PostgreSQL database.
_PG_MIGRATION_LOCK = 7_202_611


def run_migrations() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})"))
        context.run_migrations()


run_migrations()
