"""An in-memory TokenVault (the port in trueup.service_layer.ports), held to SqlTokenVault's behaviour by
tests/contract/test_token_vault_contract.py."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from trueup.domain.credentials import ShopToken


class InMemoryTokenVault:
    def __init__(self) -> None:
        self._tokens: dict[str, ShopToken] = {}
        self._leases: dict[str, tuple[str, datetime]] = {}
        self._lock = threading.Lock()
        self.saves = 0

    def load_token(self, shop: str) -> ShopToken | None:
        with self._lock:
            return self._tokens.get(shop)

    def save_token(self, shop: str, token: ShopToken) -> None:
        with self._lock:
            self._tokens[shop] = token
            self.saves += 1

    def take_refresh_lease(self, shop: str, owner: str, now: datetime, seconds: float) -> bool:
        with self._lock:
            held = self._leases.get(shop)
            if held is not None and held[0] != owner and held[1] > now:
                return False
            self._leases[shop] = (owner, now + timedelta(seconds=seconds))
            return True

    def release_refresh_lease(self, shop: str, owner: str) -> None:
        with self._lock:
            if self._leases.get(shop, ("", None))[0] == owner:
                del self._leases[shop]
