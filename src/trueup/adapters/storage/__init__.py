"""trueup's durable state in SQL (SQLite or PostgreSQL): `SqlStore` and the migrations that build it."""

from trueup.adapters.storage.migrate import upgrade
from trueup.adapters.storage.sql_store import SqlStore

__all__ = ["SqlStore", "upgrade"]
