"""The one place that knows the two SQL dialects differ: their INSERT ... ON CONFLICT builders."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert(connection: Connection, table: Table) -> Any:
    """An INSERT for `table` that knows `on_conflict_do_nothing` / `on_conflict_do_update` on this dialect."""
    return insert_for(connection.dialect.name, table)


def insert_for(dialect: str, table: Table) -> Any:
    """The same, by dialect name ("postgresql" or "sqlite"), for statements built once and reused."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
