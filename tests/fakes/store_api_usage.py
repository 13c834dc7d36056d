"""The Shopify API use per shop and minute of InMemoryStore (a mixin), held to SqlStore's semantics by
tests/contract/test_store_api_usage_contract.py."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime

from trueup.domain.api_usage import ApiUsage


class ApiUsageRecordsInMemory:
    _lock: threading.RLock

    def _usage(self) -> dict[tuple[datetime, str], ApiUsage]:
        if not hasattr(self, "_api_usage"):
            self._api_usage: dict[tuple[datetime, str], ApiUsage] = {}
        return self._api_usage

    def add_api_usage(self, samples: Sequence[ApiUsage]) -> None:
        with self._lock:
            for sample in samples:
                key = (sample.minute, sample.shop)
                kept = self._usage().get(key)
                self._usage()[key] = kept.merged(sample) if kept else sample

    def api_usage(self, since: datetime, shop: str | None = None) -> list[ApiUsage]:
        with self._lock:
            return [
                usage
                for key, usage in sorted(self._usage().items())
                if usage.minute >= since and (shop is None or usage.shop == shop)
            ]

    def purge_api_usage(self, before: datetime) -> int:
        with self._lock:
            old = [key for key in self._usage() if key[0] < before]
            for key in old:
                del self._usage()[key]
            return len(old)
