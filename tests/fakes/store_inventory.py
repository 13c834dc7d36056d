"""The inventory part of InMemoryStore (a mixin), held to SqlStore's semantics by
tests/contract/test_store_inventory_contract.py."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from trueup.domain.inventory import Drift, LevelSet, StockIssue, StockWrite


class InventoryRecordsInMemory:
    _lock: threading.RLock
    _clock: Callable[[], datetime]

    def _inventory(self) -> dict[str, dict[Any, Any]]:
        if not hasattr(self, "_inventory_state"):
            self._inventory_state: dict[str, dict[Any, Any]] = {
                "demand": {},
                "dirty": {},
                "set": {},
                "drift": {},
                "issues": {},
            }
        return self._inventory_state

    def set_order_demand(self, shop: str, order_id: str, demand: Mapping[tuple[str, str], int]) -> set[str]:
        with self._lock:
            before = self._inventory()["demand"].get((shop, order_id), {})
            after = {key: q for key, q in demand.items() if q > 0}
            self._inventory()["demand"][(shop, order_id)] = after
            changed = {key[0] for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
            now = self._clock()
            self._inventory()["dirty"].update({(shop, sku): now for sku in changed})
            return changed

    def stock_dirty(self, shop: str) -> dict[str, datetime]:
        with self._lock:
            return {sku: at for (s, sku), at in self._inventory()["dirty"].items() if s == shop}

    def clear_stock_dirty(self, shop: str, marks: Mapping[str, datetime]) -> None:
        with self._lock:
            dirty = self._inventory()["dirty"]
            for sku, marked_at in marks.items():
                if (shop, sku) in dirty and dirty[(shop, sku)] <= marked_at:
                    del dirty[(shop, sku)]

    def unposted_demand(self, shop: str) -> dict[tuple[str, str], int]:
        with self._lock:
            total: dict[tuple[str, str], int] = defaultdict(int)
            for (owner, _), demand in self._inventory()["demand"].items():
                if owner == shop:
                    for key, quantity in demand.items():
                        total[key] += quantity
            return dict(total)

    def record_levels_set(self, shop: str, writes: Sequence[StockWrite]) -> None:
        with self._lock:
            now = self._clock()
            for w in writes:
                self._inventory()["set"][(shop, w.sku, w.location_id)] = LevelSet(w.sku, w.location_id, w.quantity, now)

    def levels_set(self, shop: str, sku: str | None = None) -> list[LevelSet]:
        with self._lock:
            rows = [v for (s, k, _), v in self._inventory()["set"].items() if s == shop and sku in (None, k)]
            return sorted(rows, key=lambda level: (level.sku, level.location_id))

    def replace_drift(self, shop: str, drift: Sequence[Drift]) -> None:
        with self._lock:
            self._inventory()["drift"][shop] = list(drift)

    def open_drift(self, shop: str | None = None) -> list[Drift]:
        with self._lock:
            rows = [d for s, drift in self._inventory()["drift"].items() if shop in (None, s) for d in drift]
            return sorted(rows, key=lambda d: (d.sku, d.location_id))

    def replace_stock_issues(self, shop: str, issues: Sequence[StockIssue]) -> None:
        with self._lock:
            known = self._inventory()["issues"].get(shop, {})
            now = self._clock()
            self._inventory()["issues"][shop] = {
                (i.cause, i.sku, i.location): (i, known.get((i.cause, i.sku, i.location), (i, now))[1]) for i in issues
            }

    def stock_issues(self, shop: str | None = None) -> list[tuple[StockIssue, datetime]]:
        with self._lock:
            rows = [
                (key, value)
                for s, issues in self._inventory()["issues"].items()
                if shop in (None, s)
                for key, value in issues.items()
            ]
            return [value for _, value in sorted(rows, key=lambda row: row[0])]
