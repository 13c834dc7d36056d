"""A worker process that only asks for a shop's token (for the tests of one renewal across processes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def token_in_another_process(url: str, key: str, app: tuple[str, str, str, str], now: datetime, barrier: Any) -> str:
    """Wait for the other workers, then ask for the token (as a worker's first request would)."""
    from trueup.adapters.shopify.access_tokens import RenewedToken, client_credentials_form
    from trueup.adapters.shopify.oauth import AppCredentials
    from trueup.adapters.storage.tokens_sql import SqlTokenVault

    vault = SqlTokenVault(url, key)
    tokens = RenewedToken(AppCredentials(*app), vault, client_credentials_form, lambda: now)
    barrier.wait(timeout=60)
    try:
        return tokens.current()
    finally:
        vault.close()
