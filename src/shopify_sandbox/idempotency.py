"""Shopify's `@idempotent(key:)`: the first result of a key is kept and returned again, nothing applied twice."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Remembered:
    fingerprint: str
    result: Any


class IdempotencyStore:
    """Results by (mutation, key), with a fingerprint of the arguments to catch a key reused for other input."""

    def __init__(self) -> None:
        self._results: dict[tuple[str, str], Remembered] = {}

    @staticmethod
    def fingerprint(arguments: dict[str, Any]) -> str:
        canonical = json.dumps(arguments, sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def recall(self, mutation: str, key: str) -> Remembered | None:
        return self._results.get((mutation, key))

    def remember(self, mutation: str, key: str, arguments: dict[str, Any], result: Any) -> None:
        self._results[(mutation, key)] = Remembered(self.fingerprint(arguments), result)
