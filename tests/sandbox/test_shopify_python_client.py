"""Shopify's own Python client (ShopifyAPI's GraphQL, its OAuth HMAC check) works with the sandbox unchanged,
over real HTTP."""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import shopify

from shopify_sandbox.app import create_app
from shopify_sandbox.clock import ManualClock
from shopify_sandbox.live_server import running_server
from shopify_sandbox.oauth import SandboxApp
from tests.sandbox.factories import TOKEN, sandbox_config


@contextmanager
def shopify_session_on(base_url: str, token: str) -> Iterator[None]:
    """Point ShopifyAPI's Session at the sandbox through its own class settings (protocol, domain, port):
    the client code itself is untouched. "127.0.0.1" → shop label "127" + domain "0.0.1"."""
    port = int(base_url.rsplit(":", 1)[1])
    saved = (shopify.Session.protocol, shopify.Session.myshopify_domain, shopify.Session.port)
    shopify.Session.protocol, shopify.Session.myshopify_domain, shopify.Session.port = "http", "0.0.1", port
    try:
        session = shopify.Session("127.0.0.1", "2026-10", token)
        shopify.ShopifyResource.activate_session(session)
        yield
    finally:
        shopify.ShopifyResource.clear_session()
        shopify.Session.protocol, shopify.Session.myshopify_domain, shopify.Session.port = saved


def test_queries_and_mutations_through_shopify_graphql_client() -> None:
    app = create_app(sandbox_config())
    variant_id = next(v.id for v in app.state.sandbox.state.all("ProductVariant") if v.sku == "TOTE")
    with running_server(app) as base_url, shopify_session_on(base_url, TOKEN):
        answer = json.loads(shopify.GraphQL().execute("{ shop { name currencyCode } }"))
        assert answer["data"]["shop"] == {"name": "Test Shop", "currencyCode": "EUR"}
        assert answer["extensions"]["cost"]["requestedQueryCost"] == 1
        assert answer["extensions"]["cost"]["throttleStatus"]["maximumAvailable"] == 2000
        created = json.loads(
            shopify.GraphQL().execute(
                "mutation($order: OrderCreateOrderInput!) {"
                " orderCreate(order: $order) { order { name } userErrors { message } } }",
                variables={"order": {"lineItems": [{"variantId": variant_id, "quantity": 1}]}},
                operation_name=None,
            )
        )
        assert created["data"]["orderCreate"] == {"order": {"name": "#1001"}, "userErrors": []}
        assert created["extensions"]["cost"]["actualQueryCost"] == 10


def test_a_wrong_token_fails_in_shopify_client_as_a_401() -> None:
    app = create_app(sandbox_config())
    with (
        running_server(app) as base_url,
        shopify_session_on(base_url, "not-the-token"),
        pytest.raises(urllib.error.HTTPError) as raised,
    ):
        shopify.GraphQL().execute("{ shop { name } }")
    assert raised.value.code == 401


def test_the_install_redirect_passes_the_official_clients_hmac_check() -> None:
    """ShopifyAPI's own `Session.validate_params` (timestamp within a day, then the HMAC) accepts the query the
    sandbox's `/admin/oauth/authorize` sends back, and refuses it altered."""
    app_of_agency = SandboxApp("agency-app", "agency-secret", frozenset({"read_orders"}), own_organisation=False)
    config = sandbox_config(apps=(app_of_agency,), clock=ManualClock(datetime.now(UTC)))
    saved = (shopify.Session.api_key, shopify.Session.secret)
    shopify.Session.setup(api_key=app_of_agency.client_id, secret=app_of_agency.client_secret)
    try:
        with running_server(create_app(config)) as base_url:
            permission = shopify.Session("sandbox.myshopify.com", "2026-10").create_permission_url(
                ["read_orders"], "https://trueup.example/shopify/callback", state="nonce-7"
            )
            reply = httpx.get(f"{base_url}/admin/oauth/authorize?{urlsplit(permission).query}")
        assert reply.status_code == 302
        params = dict(parse_qsl(urlsplit(reply.headers["location"]).query))
        assert params["state"] == "nonce-7"
        assert shopify.Session.validate_params(params)
        assert not shopify.Session.validate_params({**params, "shop": "another-shop.myshopify.com"})
    finally:
        shopify.Session.api_key, shopify.Session.secret = saved
