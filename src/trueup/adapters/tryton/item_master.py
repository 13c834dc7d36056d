"""Tryton's item master as trueup reads it: which SKUs it has (active salable products by code), their list
prices, and its kits (kits.py)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from trueup.adapters.tryton.database import TrytonDatabase
from trueup.adapters.tryton.kits import read_kit_components
from trueup.domain.bundles import KitComponent


class TrytonItemMaster:
    def __init__(self, db: TrytonDatabase) -> None:
        self._db = db

    def unknown_skus(self, skus: Iterable[str]) -> set[str]:
        """The SKUs no salable Tryton product has as its code."""
        wanted = set(skus)
        return wanted - set(self._db.product_rows(wanted))

    def kit_components(self, skus: Iterable[str]) -> dict[str, list[KitComponent]]:
        """The components of the kits among `skus` (product_kit), with their list prices (see kits.py)."""
        return read_kit_components(self._db, skus)

    def list_prices(self, skus: Iterable[str]) -> dict[str, Decimal]:
        """The list prices Tryton uses for those of `skus` it has (by product code)."""
        wanted = sorted(set(skus))
        if not wanted:
            return {}
        rows = self._db.call(
            "product.product", "search_read", [("code", "in", wanted)], 0, None, None, ["code", "list_price_used"]
        )
        return {row["code"]: Decimal(row["list_price_used"] or 0) for row in rows}
