"""Passwords hashed with argon2id (argon2-cffi, its recommended parameters unless told otherwise)."""

from __future__ import annotations

import argon2
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2Hasher:
    """The PasswordHasher port on argon2id. Tests pass a lower `time_cost` and `memory_cost` (KiB)."""

    def __init__(self, time_cost: int | None = None, memory_cost: int | None = None) -> None:
        defaults = argon2.PasswordHasher()
        self._kdf = argon2.PasswordHasher(
            time_cost=time_cost or defaults.time_cost, memory_cost=memory_cost or defaults.memory_cost
        )

    def hash(self, password: str) -> str:
        return self._kdf.hash(password)

    def verify(self, encoded: str, password: str) -> bool:
        try:
            return self._kdf.verify(encoded, password)
        except (VerificationError, InvalidHashError):
            return False
