"""Where each request's access token comes from: a static token, or one renewed before it expires and when
Shopify answers 401, one renewal at a time across threads, workers and machines (the store's refresh lease).

The renewed token is shared through the store: a process that finds a fresh token there (another one
renewed it) takes it instead of asking Shopify again.
"""

from __future__ import annotations

import math
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

import httpx
import structlog

from trueup.adapters.shopify.oauth import AppCredentials, request_token
from trueup.domain.credentials import ShopToken
from trueup.domain.errors import BadInput, TransientError
from trueup.service_layer.ports import TokenVault

log = structlog.get_logger(__name__)

LEASE_SECONDS = 30.0  # longer than a token request may take (its timeout)
POLL_SECONDS = 0.2


class AccessTokens(Protocol):
    def current(self) -> str:
        """The token to send now."""

    def renew(self, rejected: str) -> str | None:
        """A token to try after Shopify refused `rejected` (401), or None when there is no other."""


class StaticToken:
    """A token that is what it is (an admin-created custom app's): a 401 means it is wrong."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "StaticToken(***)"

    def current(self) -> str:
        return self._token

    def renew(self, rejected: str) -> str | None:
        return None


def client_credentials_form(_stored: ShopToken | None) -> dict[str, str]:
    """The client credentials grant asks nothing of the token it replaces."""
    return {"grant_type": "client_credentials"}


def refresh_form(shop: str) -> Callable[[ShopToken | None], dict[str, str]]:
    """The refresh grant: the stored refresh token, which must exist (the shop was installed)."""

    def form(stored: ShopToken | None) -> dict[str, str]:
        if stored is None or stored.refresh_token is None:
            raise BadInput(
                f"{shop} has no token yet: install the app (/shopify/install?shop={shop} on trueup's public URL)"
            )
        return {"grant_type": "refresh_token", "refresh_token": stored.refresh_token}

    return form


class RenewedToken:
    """A token obtained from Shopify's token endpoint and kept in the store, renewed `RENEW_MARGIN` before it
    expires and after a 401."""

    def __init__(
        self,
        app: AppCredentials,
        vault: TokenVault,
        form: Callable[[ShopToken | None], dict[str, str]],
        now: Callable[[], datetime],
        *,
        owner: str | None = None,
        http: httpx.Client | None = None,
        lease_seconds: float = LEASE_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._app, self._vault, self._form, self._now = app, vault, form, now
        self._owner = owner or f"{socket.gethostname()}-{os.getpid()}-{id(self):x}"
        self._http = http
        self._lease_seconds = lease_seconds
        self._sleep = sleep
        self._cached: ShopToken | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RenewedToken(shop={self._app.shop!r})"

    def current(self) -> str:
        with self._lock:
            token = self._cached
            if token is None or not token.usable(self._now()):
                token = self._fresh(stale=None)
            return token.access_token

    def renew(self, rejected: str) -> str | None:
        with self._lock:
            return self._fresh(stale=rejected).access_token

    def _good(self, token: ShopToken | None, stale: str | None) -> bool:
        return token is not None and token.usable(self._now()) and token.access_token != stale

    def _fresh(self, stale: str | None) -> ShopToken:
        shop = self._app.shop
        polls = math.ceil(2 * self._lease_seconds / POLL_SECONDS)  # twice a lease: a stuck holder's lapses meanwhile
        while True:
            stored = self._vault.load_token(shop)
            if self._good(stored, stale):
                assert stored is not None
                self._cached = stored
                return stored
            if self._vault.take_refresh_lease(shop, self._owner, self._now(), self._lease_seconds):
                try:
                    return self._renew_holding_lease(stale)
                finally:
                    self._vault.release_refresh_lease(shop, self._owner)
            if polls == 0:
                raise TransientError(f"the token of {shop} is being renewed elsewhere; trying again later")
            self._sleep(POLL_SECONDS)
            polls -= 1

    def _renew_holding_lease(self, stale: str | None) -> ShopToken:
        shop = self._app.shop
        stored = self._vault.load_token(shop)  # renewed by another process just before the lease was ours?
        if self._good(stored, stale):
            assert stored is not None
            self._cached = stored
            return stored
        token = request_token(self._app, self._form(stored), self._now(), self._http)
        self._vault.save_token(shop, token)
        log.info("shopify.token_renewed", shop=shop, expires_at=token.expires_at)
        self._cached = token
        return token
