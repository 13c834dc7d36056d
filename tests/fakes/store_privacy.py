"""The privacy records of InMemoryStore (a mixin), held to SqlStore's semantics by
tests/contract/test_store_privacy_contract.py."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from trueup.domain.ledger import LedgerEntry
from trueup.service_layer.ports import IncomingDelivery, PrivacyReport, StoredDelivery

KEPT_HEADERS = ("x-shopify-topic", "x-shopify-shop-domain")


def _stored(delivery: IncomingDelivery) -> StoredDelivery:
    return StoredDelivery(
        delivery.webhook_id, delivery.shop, delivery.topic, delivery.order_id, delivery.received_at, delivery.body
    )


def _holds(text: str | None, needles: Sequence[str]) -> bool:
    return text is not None and any(needle.lower() in text.lower() for needle in needles)


class PrivacyRecordsInMemory:
    _lock: threading.RLock
    deliveries: list[IncomingDelivery]
    jobs: list[Any]
    _ledger: dict[tuple[str, str], LedgerEntry]
    _cursors: dict[tuple[str, str], str]
    _refunds: dict[tuple[str, str], Any]

    def _reports(self) -> dict[str, PrivacyReport]:
        if not hasattr(self, "_privacy_reports"):
            self._privacy_reports: dict[str, PrivacyReport] = {}
        return self._privacy_reports

    def stored_deliveries(self, shop: str) -> list[StoredDelivery]:
        with self._lock:
            return [_stored(d) for d in self.deliveries if d.shop == shop]

    def stored_delivery(self, webhook_id: str) -> StoredDelivery | None:
        with self._lock:
            return next((_stored(d) for d in self.deliveries if d.webhook_id == webhook_id), None)

    def replace_delivery_bodies(self, webhook_ids: Sequence[str], body: bytes) -> int:
        wanted, replaced = set(webhook_ids), 0
        with self._lock:
            for index, delivery in enumerate(self.deliveries):
                if delivery.webhook_id in wanted:
                    headers = {k: v for k, v in delivery.headers.items() if k in KEPT_HEADERS}
                    self.deliveries[index] = replace(delivery, body=body, headers=headers)
                    replaced += 1
        return replaced

    def redact_free_text(self, shop: str, needles: Sequence[str], replacement: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self._lock:
            for name, records in self._free_text_records().items():
                for key, record in list(records.items()):
                    if record.shop == shop and _holds(record.detail, needles):
                        records[key] = replace(record, detail=replacement)
                        counts[name] = counts.get(name, 0) + 1
            for job in self.jobs:
                if job.shop == shop and _holds(job.last_error, needles):
                    job.last_error = replacement
                    counts["jobs"] = counts.get("jobs", 0) + 1
        return counts

    def free_text_about(self, shop: str, needles: Sequence[str]) -> list[tuple[str, str]]:
        with self._lock:
            found = [
                (name, record.detail)
                for name, records in self._free_text_records().items()
                for record in records.values()
                if record.shop == shop and _holds(record.detail, needles)
            ]
            return found + [
                ("jobs", j.last_error) for j in self.jobs if j.shop == shop and _holds(j.last_error, needles)
            ]

    def _free_text_records(self) -> dict[str, dict[Any, Any]]:
        records: dict[str, dict[Any, Any]] = {"ledger": self._ledger, "refunds": self._refunds}
        for name, attribute in (("fulfilments", "_fulfilment_records"), ("payouts", "_payout_records")):
            if hasattr(self, attribute):
                records[name] = getattr(self, attribute)
        return records

    def erase_shop(self, shop: str) -> dict[str, int]:
        counts: dict[str, int] = {}

        def count(name: str, erased: int) -> None:
            if erased:
                counts[name] = erased

        with self._lock:
            kept = [d for d in self.deliveries if d.shop != shop]
            count("deliveries", len(self.deliveries) - len(kept))
            self.deliveries = kept
            jobs = [j for j in self.jobs if j.shop != shop or j.state == "doing"]
            count("jobs", len(self.jobs) - len(jobs))
            self.jobs = jobs
            for name, records in {**self._free_text_records(), "cursors": self._cursors}.items():
                keys = [key for key in records if key[0] == shop]
                for key in keys:
                    del records[key]
                count(name, len(keys))
            usage = getattr(self, "_api_usage", {})  # keyed (minute, shop)
            minutes = [key for key in usage if key[1] == shop]
            for key in minutes:
                del usage[key]
            count("api_usage", len(minutes))
            emails = getattr(self, "_order_emails", {})
            indexed = [key for key in emails if key[0] == shop]
            for key in indexed:
                del emails[key]
            count("order_emails", len(indexed))
            variances = getattr(self, "_tax_variance_records", {})  # TaxVarianceRecordsInMemory's: a row per tax
            orders = [key for key in variances if key[0] == shop]
            count("tax_variances", sum(len(variances.pop(key)) for key in orders))
            findings = getattr(self, "_open_findings", {})  # OpenFindingRecordsInMemory's: a row per finding
            checked = [key for key in findings if key[0] == shop]
            count("completeness_findings", sum(len(findings.pop(key)) for key in checked))
        return counts

    def save_privacy_report(self, report: PrivacyReport) -> None:
        with self._lock:
            self._reports()[report.webhook_id] = report

    def privacy_reports(self, shop: str | None = None) -> list[PrivacyReport]:
        with self._lock:
            found = [r for r in self._reports().values() if shop is None or r.shop == shop]
        return sorted(sorted(found, key=lambda r: r.webhook_id), key=lambda r: r.done_at, reverse=True)
