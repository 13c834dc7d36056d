"""The tax variance records of InMemoryStore (a mixin), held to SqlStore's semantics by
tests/contract/test_store_tax_variances_contract.py."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace

from trueup.domain.tax_variances import TaxVarianceRecord


class TaxVarianceRecordsInMemory:
    _lock: threading.RLock

    def _variances(self) -> dict[tuple[str, str], list[TaxVarianceRecord]]:
        if not hasattr(self, "_tax_variance_records"):
            self._tax_variance_records: dict[tuple[str, str], list[TaxVarianceRecord]] = {}
        return self._tax_variance_records

    def replace_tax_variances(
        self, shop: str, order_id: str, records: Sequence[TaxVarianceRecord], *, credit_note: str | None = None
    ) -> None:
        if credit_note is not None:
            records = [replace(r, document=credit_note, credit_note=True) for r in records]
        else:
            records = [replace(r, credit_note=False) for r in records]
        by_key = {(r.document, r.tax): r for r in records}  # one per document and ERP tax, as the SQL key allows

        def replaced(kept: TaxVarianceRecord) -> bool:
            return kept.document == credit_note if credit_note is not None else not kept.credit_note

        with self._lock:
            kept = [r for r in self._variances().get((shop, order_id), []) if not replaced(r)]
            if kept or by_key:
                self._variances()[(shop, order_id)] = kept + list(by_key.values())
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
        return sorted(records, key=lambda r: (r.recorded_at, r.shop, r.order_id, r.document, r.tax))
