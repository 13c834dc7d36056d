"""Shopify API use per shop and minute in SQL: one upsert per sample that adds to the minute's row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, case, delete, select
from sqlalchemy.engine import Row

from trueup.adapters.storage import dialects
from trueup.adapters.storage.engine import reading, translate_driver_errors, writing
from trueup.adapters.storage.tables import api_usage
from trueup.domain.api_usage import ApiUsage

_SUMMED = ("calls", "throttled", "requested_cost", "actual_cost")


def _kept(column: str, new: Any, *, lowest: bool) -> Any:
    """The lower (or higher) of the kept and the new value, either of which may be NULL (no reading)."""
    old = api_usage.c[column]
    better = new < old if lowest else new > old
    return case((old.is_(None), new), (new.is_(None), old), (better, new), else_=old)


def add(connection: Connection, samples: Sequence[ApiUsage]) -> None:
    statement = dialects.insert(connection, api_usage)
    new = statement.excluded
    changes = {name: api_usage.c[name] + new[name] for name in _SUMMED}
    changes["lowest_available"] = _kept("lowest_available", new.lowest_available, lowest=True)
    changes["maximum_available"] = _kept("maximum_available", new.maximum_available, lowest=False)
    changes["restore_rate"] = _kept("restore_rate", new.restore_rate, lowest=False)
    rows = [
        {
            "minute": s.minute,
            "shop": s.shop,
            "calls": s.calls,
            "throttled": s.throttled,
            "requested_cost": s.requested_cost,
            "actual_cost": s.actual_cost,
            "lowest_available": s.lowest_available,
            "maximum_available": s.maximum_available,
            "restore_rate": s.restore_rate,
        }
        for s in samples
    ]
    if rows:
        connection.execute(statement.on_conflict_do_update(index_elements=["minute", "shop"], set_=changes), rows)


def _usage_from(row: Row[Any]) -> ApiUsage:
    return ApiUsage(
        row.shop,
        row.minute,
        row.calls,
        row.throttled,
        row.requested_cost,
        row.actual_cost,
        row.lowest_available,
        row.maximum_available,
        row.restore_rate,
    )


def listed(connection: Connection, since: datetime, shop: str | None) -> list[ApiUsage]:
    query = select(api_usage).where(api_usage.c.minute >= since)
    if shop is not None:
        query = query.where(api_usage.c.shop == shop)
    return [_usage_from(row) for row in connection.execute(query.order_by(api_usage.c.minute, api_usage.c.shop))]


class ApiUsageRecordsSql:
    """The API-use part of SqlStore (a mixin); each method one transaction."""

    _engine: Engine

    @translate_driver_errors
    def add_api_usage(self, samples: Sequence[ApiUsage]) -> None:
        with writing(self._engine) as connection:
            add(connection, samples)

    @translate_driver_errors
    def api_usage(self, since: datetime, shop: str | None = None) -> list[ApiUsage]:
        with reading(self._engine) as connection:
            return listed(connection, since, shop)

    @translate_driver_errors
    def purge_api_usage(self, before: datetime) -> int:
        with writing(self._engine) as connection:
            return connection.execute(delete(api_usage).where(api_usage.c.minute < before)).rowcount
