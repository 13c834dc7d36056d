"""The payout records of InMemoryStore (a mixin), held to SqlStore's semantics by
tests/contract/test_store_payouts_contract.py."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from trueup.domain.payouts import PayoutRecord, PayoutState


class PayoutRecordsInMemory:
    _lock: threading.RLock

    def _payouts(self) -> dict[tuple[str, str], PayoutRecord]:
        if not hasattr(self, "_payout_records"):
            self._payout_records: dict[tuple[str, str], PayoutRecord] = {}
        return self._payout_records

    def payout_record(self, shop: str, payout_id: str) -> PayoutRecord | None:
        with self._lock:
            return self._payouts().get((shop, payout_id))

    def save_payout_record(self, record: PayoutRecord) -> None:
        with self._lock:
            kept = self._payouts().get((record.shop, record.payout_id))
            first_seen = kept.first_seen_at if kept else record.first_seen_at
            self._payouts()[(record.shop, record.payout_id)] = replace(record, first_seen_at=first_seen)

    def payout_records(
        self,
        shop: str | None = None,
        issued_from: datetime | None = None,
        issued_before: datetime | None = None,
        states: Iterable[PayoutState] | None = None,
    ) -> list[PayoutRecord]:
        wanted = None if states is None else set(states)
        with self._lock:
            records = [
                r
                for r in self._payouts().values()
                if (shop is None or r.shop == shop)
                and (issued_from is None or r.issued_at >= issued_from)
                and (issued_before is None or r.issued_at < issued_before)
                and (wanted is None or r.state in wanted)
            ]
        return sorted(records, key=lambda r: (r.issued_at, r.shop, r.payout_id))
