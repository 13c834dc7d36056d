"""The keyed hashes of orders' customer e-mails in InMemoryStore (a mixin), held to SqlStore's semantics by
tests/contract/test_store_order_emails_contract.py."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence


class OrderEmailsInMemory:
    _lock: threading.RLock

    def _emails(self) -> dict[tuple[str, str], str]:
        if not hasattr(self, "_order_emails"):
            self._order_emails: dict[tuple[str, str], str] = {}
        return self._order_emails

    def index_order_email(self, shop: str, order_id: str, email_hash: str) -> None:
        with self._lock:
            self._emails()[(shop, order_id)] = email_hash

    def orders_by_email(self, hashes: Mapping[str, str], limit: int = 50) -> list[tuple[str, str]]:
        with self._lock:
            return sorted(key for key, hashed in self._emails().items() if hashes.get(key[0]) == hashed)[:limit]

    def forget_order_emails(self, shop: str, order_ids: Sequence[str], email_hash: str | None = None) -> int:
        with self._lock:
            gone = [
                key
                for key, hashed in self._emails().items()
                if key[0] == shop and (key[1] in order_ids or (email_hash is not None and hashed == email_hash))
            ]
            for key in gone:
                del self._emails()[key]
            return len(gone)
