"""The completeness check's open findings in InMemoryStore (a mixin), held to SqlStore's semantics by
tests/contract/test_store_findings_contract.py."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime

from trueup.domain.completeness import Finding, OpenFinding


class OpenFindingRecordsInMemory:
    _lock: threading.RLock

    def _findings(self) -> dict[tuple[str, str], list[OpenFinding]]:
        if not hasattr(self, "_open_findings"):
            self._open_findings: dict[tuple[str, str], list[OpenFinding]] = {}
        return self._open_findings

    def replace_order_findings(self, shop: str, order: str, findings: Sequence[Finding], now: datetime) -> None:
        with self._lock:
            since = {(o.finding.kind, o.finding.document): o.found_at for o in self._findings().get((shop, order), [])}
            by_key = {  # one per kind and document, as the SQL key allows; a later one wins
                (f.kind, f.document): OpenFinding(
                    Finding(f.kind, shop, order, f.document, f.detail), since.get((f.kind, f.document), now)
                )
                for f in findings
            }
            if by_key:
                self._findings()[(shop, order)] = list(by_key.values())
            else:
                self._findings().pop((shop, order), None)

    def open_findings(self, shop: str | None = None) -> list[OpenFinding]:
        with self._lock:
            found = [o for (kept, _), rows in self._findings().items() if shop in (None, kept) for o in rows]
        return sorted(
            found, key=lambda o: (o.found_at, o.finding.shop, o.finding.order, str(o.finding.kind), o.finding.document)
        )
