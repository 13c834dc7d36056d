"""An app installed on a merchant's shop through `trueup serve`'s `/shopify/install` and `/shopify/callback`,
against the sandbox's authorize and token endpoints over HTTP: state and HMAC checked, an expiring offline
token and its refresh token kept (encrypted), then used."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest

from shopify_sandbox.oauth import SandboxApp
from tests.support.sandbox import SHOP, RunningSandbox, running_sandbox
from trueup import bootstrap
from trueup.config import TrueupConfig, load_config
from trueup.entrypoints.http_service import build_http_app
from trueup.entrypoints.install_routes import STATE_COOKIE

PUBLIC_URL = "https://trueup.example.com"
AGENCY = SandboxApp(
    "agency-app",
    "agency-secret",
    frozenset({"read_orders", "read_customers", "write_merchant_managed_fulfillment_orders"}),
    own_organisation=False,
)

CONFIG = """
[storage]
url = "sqlite:///state.db"

[back_office]
database = "trueup"
password = {{ env = "UNUSED_PASSWORD" }}

[server]
public_url = "{public_url}"

[token_store]
key = {{ env = "TEST_TOKEN_KEY" }}

[[shops]]
domain = "{shop}"
api_url = "{api_url}"

[shops.credentials]
kind = "authorization_code"
client_id = "{client_id}"
client_secret = {{ env = "TEST_CLIENT_SECRET" }}
"""


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with running_sandbox(apps=(AGENCY,)) as running:
        # trueup serve reads the machine's clock (the callback's timestamp is checked against it): the sandbox's
        # manual clock is brought to the same instant, and only the sandbox's moves afterwards.
        running.advance((datetime.now(UTC) - running.now()).total_seconds())
        yield running


@pytest.fixture
def config(tmp_path: Path, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> TrueupConfig:
    monkeypatch.setenv("TEST_TOKEN_KEY", "a-random-key-for-the-tests-0123456789")
    monkeypatch.setenv("TEST_CLIENT_SECRET", AGENCY.client_secret)
    path = tmp_path / "trueup.toml"
    path.write_text(CONFIG.format(public_url=PUBLIC_URL, shop=SHOP, api_url=sandbox.url, client_id=AGENCY.client_id))
    return load_config(path)


class Browser:
    """The merchant's browser on trueup's app, in-process (httpx's ASGI transport), keeping its cookies."""

    def __init__(self, app: Any) -> None:
        self._runner = asyncio.Runner()
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_URL)
        self.cookies = self._client.cookies

    def get(self, url: str, **options: Any) -> httpx.Response:
        return self._runner.run(self._client.get(url, **options))

    def close(self) -> None:
        self._runner.run(self._client.aclose())
        self._runner.close()


@pytest.fixture
def trueup(config: TrueupConfig) -> Iterator[Browser]:
    browser = Browser(build_http_app(config))
    yield browser
    browser.close()


def start_install(trueup: Browser, sandbox: RunningSandbox) -> dict[str, str]:
    """Open /shopify/install, let the sandbox approve it; the callback's query Shopify sends back."""
    started = trueup.get("/shopify/install", params={"shop": SHOP}, follow_redirects=False)
    assert started.status_code == 302
    authorize = httpx.URL(started.headers["location"])
    assert str(authorize).startswith(f"{sandbox.url}/admin/oauth/authorize")
    assert authorize.params["redirect_uri"] == f"{PUBLIC_URL}/shopify/callback"
    assert set(authorize.params["scope"].split(",")) == AGENCY.scopes
    approved = httpx.get(str(authorize))
    assert approved.status_code == 302
    back = urlsplit(approved.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == f"{PUBLIC_URL}/shopify/callback"
    return dict(parse_qsl(back.query))


def test_an_install_keeps_an_expiring_token_and_its_refresh_token_then_works(
    trueup: Browser, sandbox: RunningSandbox, config: TrueupConfig
) -> None:
    query = start_install(trueup, sandbox)
    done = trueup.get("/shopify/callback", params=query)
    assert done.status_code == 200, done.text
    assert "installed" in done.text
    vault = bootstrap.build_token_vault(config)
    assert vault is not None
    token = vault.load_token(SHOP)
    assert token is not None
    assert token.refresh_token is not None
    assert token.expires_at is not None
    assert token.scopes == AGENCY.scopes
    assert token.access_token not in done.text
    client = bootstrap.build_shopify(config.shops[0], config, vault)
    sandbox.advance(3600)  # the first token lapses at Shopify (trueup's clock has not moved: a 401, then a refresh)
    assert client.granted_scopes() >= AGENCY.scopes
    renewed = vault.load_token(SHOP)
    assert renewed is not None
    assert renewed.refresh_token != token.refresh_token
    client.close()
    vault.close()


def test_a_callback_with_another_state_or_a_tampered_query_is_refused(trueup: Browser, sandbox: RunningSandbox) -> None:
    query = start_install(trueup, sandbox)
    tampered = {**query, "shop": SHOP, "code": query["code"] + "0"}
    assert trueup.get("/shopify/callback", params=tampered).status_code == 401
    other_state = {**query, "state": "not-the-state"}
    other_state.pop("hmac")
    message = "&".join(f"{k}={other_state[k]}" for k in sorted(other_state))
    other_state["hmac"] = hmac.new(AGENCY.client_secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    assert trueup.get("/shopify/callback", params=other_state).status_code == 403
    trueup.cookies.clear()
    assert trueup.get("/shopify/callback", params=query).status_code == 403  # no state cookie: not started here


def test_a_code_used_once_is_refused_the_second_time(trueup: Browser, sandbox: RunningSandbox) -> None:
    query = start_install(trueup, sandbox)
    assert trueup.get("/shopify/callback", params=query).status_code == 200
    trueup.cookies.set(STATE_COOKIE, f"{SHOP}|{query['state']}", domain="trueup.example.com", path="/shopify/callback")
    again = trueup.get("/shopify/callback", params=query)
    assert again.status_code == 400
    assert "Shopify refused the install code" in again.text


def test_only_configured_shops_are_installed_and_names_are_escaped(trueup: Browser) -> None:
    refused = trueup.get(
        "/shopify/install?" + urlencode({"shop": "<script>x</script>.myshopify.com"}), follow_redirects=False
    )
    assert refused.status_code == 400
    assert "<script>" not in refused.text
    assert "&lt;script&gt;" in refused.text
