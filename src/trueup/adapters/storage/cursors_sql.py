"""Named cursors per shop (e.g. where the reconciliation poll got to)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from trueup.adapters.storage import dialects
from trueup.adapters.storage.tables import cursors


def get(connection: Connection, shop: str, name: str) -> str | None:
    query = select(cursors.c.value).where(cursors.c.shop == shop, cursors.c.name == name)
    return connection.execute(query).scalar()


def put(connection: Connection, shop: str, name: str, value: str, now: datetime) -> None:
    statement = dialects.insert(connection, cursors).values(shop=shop, name=name, value=value, updated_at=now)
    connection.execute(
        statement.on_conflict_do_update(index_elements=["shop", "name"], set_={"value": value, "updated_at": now})
    )
