"""The inventory part of SqlStore (a mixin, so the store's own module stays small)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import Engine

from trueup.adapters.storage import inventory_sql
from trueup.adapters.storage.engine import reading, translate_driver_errors, writing
from trueup.domain.inventory import Drift, LevelSet, StockIssue, StockWrite


class InventoryRecords:
    """Unposted demand, levels set, open drift and stock issues; each method one transaction."""

    _engine: Engine
    _clock: Callable[[], datetime]

    @translate_driver_errors
    def set_order_demand(self, shop: str, order_id: str, demand: Mapping[tuple[str, str], int]) -> set[str]:
        # Read first: most syncs change nothing (a posted order has none), and a read takes no write lock.
        # One order's syncs never run at once (one job key per order), so nothing changes it in between.
        with reading(self._engine) as connection:
            if inventory_sql.order_demand(connection, shop, order_id) == {k: q for k, q in demand.items() if q > 0}:
                return set()
        with writing(self._engine) as connection:
            return inventory_sql.set_order_demand(connection, shop, order_id, demand, self._clock())

    @translate_driver_errors
    def stock_dirty(self, shop: str) -> dict[str, datetime]:
        with reading(self._engine) as connection:
            return inventory_sql.dirty(connection, shop)

    @translate_driver_errors
    def clear_stock_dirty(self, shop: str, marks: Mapping[str, datetime]) -> None:
        with writing(self._engine) as connection:
            inventory_sql.clear_dirty(connection, shop, marks)

    @translate_driver_errors
    def unposted_demand(self, shop: str) -> dict[tuple[str, str], int]:
        with reading(self._engine) as connection:
            return inventory_sql.unposted_demand(connection, shop)

    @translate_driver_errors
    def record_levels_set(self, shop: str, writes: Sequence[StockWrite]) -> None:
        with writing(self._engine) as connection:
            inventory_sql.record_levels_set(connection, shop, writes, self._clock())

    @translate_driver_errors
    def levels_set(self, shop: str, sku: str | None = None) -> list[LevelSet]:
        with reading(self._engine) as connection:
            return inventory_sql.levels_set(connection, shop, sku)

    @translate_driver_errors
    def replace_drift(self, shop: str, drift: Sequence[Drift]) -> None:
        with writing(self._engine) as connection:
            inventory_sql.replace_drift(connection, shop, drift)

    @translate_driver_errors
    def open_drift(self, shop: str | None = None) -> list[Drift]:
        with reading(self._engine) as connection:
            return inventory_sql.open_drift(connection, shop)

    @translate_driver_errors
    def replace_stock_issues(self, shop: str, issues: Sequence[StockIssue]) -> None:
        with writing(self._engine) as connection:
            inventory_sql.replace_issues(connection, shop, issues, self._clock())

    @translate_driver_errors
    def stock_issues(self, shop: str | None = None) -> list[tuple[StockIssue, datetime]]:
        with reading(self._engine) as connection:
            return inventory_sql.issues(connection, shop)
