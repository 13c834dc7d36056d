"""RenewedToken on the fake vault: renewed once by whoever holds the lease, the others wait and take it from
the store; a lease never given back is waited out, then a transient error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.fakes.token_vault import InMemoryTokenVault
from trueup.adapters.shopify.access_tokens import RenewedToken, client_credentials_form
from trueup.adapters.shopify.oauth import AppCredentials
from trueup.domain.credentials import ShopToken
from trueup.domain.errors import TransientError

SHOP = "demo.myshopify.com"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
APP = AppCredentials(SHOP, "client-id", "client-secret")


def token_endpoint(granted: list[str]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        token = f"shpat_{len(granted) + 1}"
        granted.append(token)
        return httpx.Response(200, json={"access_token": token, "scope": "read_orders", "expires_in": 86399})

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_a_token_is_asked_once_and_kept_until_near_its_expiry() -> None:
    granted: list[str] = []
    vault = InMemoryTokenVault()
    clock = [NOW]
    tokens = RenewedToken(APP, vault, client_credentials_form, lambda: clock[0], http=token_endpoint(granted))
    assert tokens.current() == tokens.current() == "shpat_1"
    clock[0] += timedelta(seconds=86399 - 301)
    assert tokens.current() == "shpat_1"
    clock[0] += timedelta(seconds=2)  # within five minutes of the expiry
    assert tokens.current() == "shpat_2"
    assert vault.saves == 2


def test_a_worker_waiting_for_anothers_renewal_takes_the_token_it_stored() -> None:
    granted: list[str] = []
    vault = InMemoryTokenVault()
    assert vault.take_refresh_lease(SHOP, "the-other-worker", NOW, 30)

    def other_worker_finishes(_seconds: float) -> None:
        vault.save_token(SHOP, ShopToken("shpat_from_the_other", NOW + timedelta(days=1)))
        vault.release_refresh_lease(SHOP, "the-other-worker")

    tokens = RenewedToken(
        APP, vault, client_credentials_form, lambda: NOW, http=token_endpoint(granted), sleep=other_worker_finishes
    )
    assert tokens.current() == "shpat_from_the_other"
    assert granted == []


def test_a_lease_never_given_back_is_waited_out_then_transient() -> None:
    vault = InMemoryTokenVault()
    assert vault.take_refresh_lease(SHOP, "a-stuck-worker", NOW, 3600)
    waits: list[float] = []
    tokens = RenewedToken(APP, vault, client_credentials_form, lambda: NOW, lease_seconds=1, sleep=waits.append)
    with pytest.raises(TransientError, match="being renewed elsewhere"):
        tokens.current()
    assert sum(waits) == pytest.approx(2.0)
