"""The fulfilment records of InMemoryStore (a mixin), held to SqlStore's semantics by
tests/contract/test_store_fulfilments_contract.py."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from trueup.domain.fulfilment import FulfilmentRecord, FulfilmentState


class FulfilmentRecordsInMemory:
    _lock: threading.RLock

    def _fulfilments(self) -> dict[tuple[str, str], FulfilmentRecord]:
        if not hasattr(self, "_fulfilment_records"):
            self._fulfilment_records: dict[tuple[str, str], FulfilmentRecord] = {}
        return self._fulfilment_records

    def fulfilment_record(self, shop: str, shipment_id: str) -> FulfilmentRecord | None:
        with self._lock:
            return self._fulfilments().get((shop, shipment_id))

    def save_fulfilment_record(self, record: FulfilmentRecord) -> None:
        with self._lock:
            self._fulfilments()[(record.shop, record.shipment_id)] = record

    def fulfilment_records(
        self, shop: str | None = None, states: Iterable[FulfilmentState] | None = None
    ) -> list[FulfilmentRecord]:
        wanted = None if states is None else set(states)
        with self._lock:
            records = [
                r
                for r in self._fulfilments().values()
                if (shop is None or r.shop == shop) and (wanted is None or r.state in wanted)
            ]
        return sorted(records, key=lambda r: (r.updated_at, r.shipment_id))
