"""The tax variance records of InMemoryStore (a mixin), held to SqlStore's semantics by
tests/contract/test_store_tax_variances_contract.py."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from trueup.domain.tax_variances import TaxVarianceRecord


class TaxVarianceRecordsInMemory:
    _lock: threading.RLock

    def _variances(self) -> dict[tuple[str, str], list[TaxVarianceRecord]]:
        if not hasattr(self, "_tax_variance_records"):
            self._tax_variance_records: dict[tuple[str, str], list[TaxVarianceRecord]] = {}
        return self._tax_variance_records

    def replace_tax_variances(self, shop: str, order_id: str, records: Sequence[TaxVarianceRecord]) -> None:
        by_tax = {r.tax: r for r in records}  # one per ERP tax, as the SQL key allows
        with self._lock:
            if by_tax:
                self._variances()[(shop, order_id)] = list(by_tax.values())
            else:
                self._variances().pop((shop, order_id), None)

    def tax_variances(self, shop: str | None = None, order_id: str | None = None) -> list[TaxVarianceRecord]:
        with self._lock:
            records = [
                r
                for (kept_shop, kept_order), found in self._variances().items()
                if (shop is None or kept_shop == shop) and (order_id is None or kept_order == order_id)
                for r in found
            ]
        return sorted(records, key=lambda r: (r.recorded_at, r.shop, r.order_id, r.tax))
