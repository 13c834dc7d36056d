"""Shopify's token endpoint on the sandbox: client credentials, installs by authorization code, expiring
offline tokens with rotating refresh tokens, expiry on the sandbox's clock, scopes, per-app webhooks."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from typing import Any
from urllib.parse import parse_qsl, urlparse

import httpx

from shopify_sandbox.errors import INVALID_TOKEN_BODY
from shopify_sandbox.oauth import SandboxApp
from tests.sandbox.factories import SandboxClient, sandbox_config

OWN = SandboxApp("own-app", "own-secret", frozenset({"read_orders", "write_inventory", "read_locations"}))
PUBLIC = SandboxApp("agency-app", "agency-secret", frozenset({"read_orders", "read_products"}), own_organisation=False)
SHOP_QUERY = "{ shop { name } }"
ORDERS_QUERY = "{ orders(first: 1) { nodes { id } } }"
SCOPES_QUERY = "{ currentAppInstallation { accessScopes { handle } } }"


def client() -> SandboxClient:
    return SandboxClient(sandbox_config(apps=(OWN, PUBLIC)))


def token_request(sandbox: SandboxClient, **form: str) -> httpx.Response:
    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=sandbox.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as http:
            return await http.post("/admin/oauth/access_token", data=form)

    return asyncio.run(call())


def graphql_as(sandbox: SandboxClient, token: str, query: str) -> httpx.Response:
    return sandbox.post(
        "/admin/api/2026-10/graphql.json", json={"query": query}, headers={"X-Shopify-Access-Token": token}
    )


def client_credentials(sandbox: SandboxClient, app: SandboxApp = OWN) -> dict[str, Any]:
    reply = token_request(
        sandbox, grant_type="client_credentials", client_id=app.client_id, client_secret=app.client_secret
    )
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def install(
    sandbox: SandboxClient, app: SandboxApp = PUBLIC, scope: str = "read_orders,read_products"
) -> dict[str, str]:
    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=sandbox.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as http:
            return await http.get(
                "/admin/oauth/authorize",
                params={
                    "client_id": app.client_id,
                    "scope": scope,
                    "redirect_uri": "https://trueup.example/shopify/callback",
                    "state": "nonce-1",
                },
            )

    reply = asyncio.run(call())
    assert reply.status_code == 302
    location = urlparse(reply.headers["location"])
    assert location.netloc == "trueup.example"
    return dict(parse_qsl(location.query))


def exchange_code(sandbox: SandboxClient, code: str, expiring: bool = True) -> dict[str, Any]:
    form = {"client_id": PUBLIC.client_id, "client_secret": PUBLIC.client_secret, "code": code}
    if expiring:
        form["expiring"] = "1"
    reply = token_request(sandbox, **form)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def test_client_credentials_give_a_token_of_a_day_that_stops_at_its_expiry() -> None:
    sandbox = client()
    grant = client_credentials(sandbox)
    assert grant["expires_in"] == 86399
    assert set(grant["scope"].split(",")) == set(OWN.scopes)
    assert "refresh_token" not in grant
    assert graphql_as(sandbox, grant["access_token"], SHOP_QUERY).status_code == 200
    sandbox.config.clock.advance(86398)
    assert graphql_as(sandbox, grant["access_token"], SHOP_QUERY).status_code == 200
    sandbox.config.clock.advance(2)
    expired = graphql_as(sandbox, grant["access_token"], SHOP_QUERY)
    assert (expired.status_code, expired.json()) == (401, INVALID_TOKEN_BODY)


def test_a_wrong_secret_or_an_app_of_another_organisation_gets_no_client_credentials_token() -> None:
    sandbox = client()
    wrong = token_request(sandbox, grant_type="client_credentials", client_id=OWN.client_id, client_secret="nope")
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    public = token_request(
        sandbox, grant_type="client_credentials", client_id=PUBLIC.client_id, client_secret=PUBLIC.client_secret
    )
    assert (public.status_code, public.json()["error"]) == (400, "unauthorized_client")


def test_an_install_redirects_with_the_state_and_an_hmac_signed_as_shopify_signs_it() -> None:
    sandbox = client()
    params = install(sandbox)
    assert params["state"] == "nonce-1"
    assert params["shop"] == sandbox.state.shop.myshopify_domain
    message = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "hmac")
    expected = hmac.new(PUBLIC.client_secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(params["hmac"], expected)
    assert {"code", "host", "timestamp"} <= params.keys()


def test_a_code_gives_an_expiring_offline_token_and_a_refresh_token_once() -> None:
    sandbox = client()
    code = install(sandbox)["code"]
    grant = exchange_code(sandbox, code)
    assert grant["expires_in"] == 3599
    assert grant["refresh_token"]
    assert grant["refresh_token_expires_in"] == 90 * 86400
    again = token_request(sandbox, client_id=PUBLIC.client_id, client_secret=PUBLIC.client_secret, code=code)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_request")
    sandbox.config.clock.advance(3600)
    assert graphql_as(sandbox, grant["access_token"], SHOP_QUERY).status_code == 401


def test_a_code_without_expiring_gives_a_token_that_does_not_expire() -> None:
    sandbox = client()
    grant = exchange_code(sandbox, install(sandbox)["code"], expiring=False)
    assert "expires_in" not in grant
    assert "refresh_token" not in grant
    sandbox.config.clock.advance(400 * 86400)
    assert graphql_as(sandbox, grant["access_token"], SHOP_QUERY).status_code == 200


def test_a_refresh_rotates_the_refresh_token_and_revokes_the_earlier_pair() -> None:
    sandbox = client()
    first = exchange_code(sandbox, install(sandbox)["code"])
    sandbox.config.clock.advance(3000)
    form = {"client_id": PUBLIC.client_id, "client_secret": PUBLIC.client_secret, "grant_type": "refresh_token"}
    second = token_request(sandbox, refresh_token=first["refresh_token"], **form).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["expires_in"] == 3599
    assert graphql_as(sandbox, second["access_token"], SHOP_QUERY).status_code == 200
    assert graphql_as(sandbox, first["access_token"], SHOP_QUERY).status_code == 401
    reused = token_request(sandbox, refresh_token=first["refresh_token"], **form)
    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")
    sandbox.config.clock.advance(90 * 86400)
    stale = token_request(sandbox, refresh_token=second["refresh_token"], **form)
    assert stale.status_code == 400


def test_a_field_outside_the_tokens_scopes_is_access_denied_as_shopify_words_it() -> None:
    sandbox = client()
    token = client_credentials(sandbox)["access_token"]
    products = graphql_as(sandbox, token, "{ products(first: 1) { nodes { id } } }").json()
    assert products["data"] is None
    [error] = products["errors"]
    assert error["message"] == "Access denied for products field. Required access: `read_products` access scope."
    assert error["extensions"]["code"] == "ACCESS_DENIED"
    assert error["extensions"]["requiredAccess"] == "`read_products` access scope."
    assert error["path"] == ["products"]
    assert "errors" not in graphql_as(sandbox, token, ORDERS_QUERY).json()
    # write_inventory grants read_inventory too
    assert "errors" not in graphql_as(sandbox, token, "{ inventoryItems(first: 1) { nodes { id } } }").json()


def test_the_current_installation_lists_the_granted_scopes() -> None:
    sandbox = client()
    token = client_credentials(sandbox)["access_token"]
    scopes = graphql_as(sandbox, token, SCOPES_QUERY).json()["data"]["currentAppInstallation"]["accessScopes"]
    handles = {s["handle"] for s in scopes}
    assert handles == {"read_orders", "write_inventory", "read_inventory", "read_locations"}


def test_each_app_sees_and_changes_only_its_own_webhook_subscriptions() -> None:
    sandbox = client()
    mine = client_credentials(sandbox)["access_token"]
    create = """mutation($uri: String!) { webhookSubscriptionCreate(topic: ORDERS_CREATE,
        webhookSubscription: {uri: $uri}) { userErrors { message } webhookSubscription { id uri } } }"""
    other = sandbox.graphql(create, {"uri": "https://other.example/hooks"})["data"]["webhookSubscriptionCreate"]
    other_id = other["webhookSubscription"]["id"]

    def as_mine(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        reply = sandbox.post(
            "/admin/api/2026-10/graphql.json",
            json={"query": query, "variables": variables},
            headers={"X-Shopify-Access-Token": mine},
        )
        body: dict[str, Any] = reply.json()
        return body["data"]

    created = as_mine(create, {"uri": "https://trueup.example/webhooks/shopify"})["webhookSubscriptionCreate"]
    assert created["userErrors"] == []
    listed = as_mine("query { webhookSubscriptions(first: 10) { nodes { id uri } } }", {})
    assert listed["webhookSubscriptions"]["nodes"] == [created["webhookSubscription"]]
    update = """mutation($id: ID!, $uri: String!) { webhookSubscriptionUpdate(id: $id, webhookSubscription: {uri: $uri})
        { userErrors { field message } webhookSubscription { id uri } } }"""
    refused = as_mine(update, {"id": other_id, "uri": "https://evil.example/"})["webhookSubscriptionUpdate"]
    assert refused["userErrors"] == [{"field": ["id"], "message": "Webhook subscription does not exist"}]
    moved = as_mine(update, {"id": created["webhookSubscription"]["id"], "uri": "https://new.example/webhooks/shopify"})
    assert moved["webhookSubscriptionUpdate"]["webhookSubscription"]["uri"] == "https://new.example/webhooks/shopify"
    delete = """mutation($id: ID!) { webhookSubscriptionDelete(id: $id) {
        deletedWebhookSubscriptionId userErrors { message } } }"""
    assert as_mine(delete, {"id": other_id})["webhookSubscriptionDelete"]["deletedWebhookSubscriptionId"] is None
    static_view = sandbox.graphql("query { webhookSubscriptions(first: 10) { nodes { id uri } } }")
    assert static_view["data"]["webhookSubscriptions"]["nodes"] == [other["webhookSubscription"]]


def test_the_static_token_keeps_every_scope() -> None:
    answer = client().graphql("{ products(first: 1) { nodes { id } } orders(first: 1) { nodes { id } } }")
    assert "errors" not in answer
