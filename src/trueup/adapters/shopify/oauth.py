"""Shopify's token endpoint (`POST https://{shop}/admin/oauth/access_token`) and the install redirect's HMAC.

- client credentials: `grant_type=client_credentials`, `client_id`, `client_secret` → a token of about a day;
- authorization code: `client_id`, `client_secret`, `code`, `expiring=1` → an offline token of an hour and a
  refresh token (90 days);
- refresh: `grant_type=refresh_token`, `client_id`, `client_secret`, `refresh_token` → a new pair, the refresh
  token used no longer valid.

No token, secret or code ever appears in an error message or a log line.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog

from trueup.domain.credentials import ShopToken
from trueup.domain.errors import BadInput, TransientError

log = structlog.get_logger(__name__)

TOKEN_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


def token_endpoint(shop_domain: str, base_url: str | None = None) -> str:
    root = (base_url or f"https://{shop_domain}").rstrip("/")
    return f"{root}/admin/oauth/access_token"


def authorize_url(
    shop_domain: str, client_id: str, scopes: list[str], redirect_uri: str, state: str, base_url: str | None = None
) -> str:
    """Where the merchant approves the install (`/admin/oauth/authorize`), for an offline token."""
    root = (base_url or f"https://{shop_domain}").rstrip("/")
    query = httpx.QueryParams(
        {"client_id": client_id, "scope": ",".join(scopes), "redirect_uri": redirect_uri, "state": state}
    )
    return f"{root}/admin/oauth/authorize?{query}"


def query_hmac_is_valid(params: Mapping[str, str], secret: str) -> bool:
    """True when `params["hmac"]` is Shopify's signature of the other parameters: hex HMAC-SHA256 with the
    app's secret of `name=value` pairs sorted by name, joined with `&` (constant-time compare)."""
    given = params.get("hmac", "")
    if not given or not secret:
        return False
    message = "&".join(f"{name}={params[name]}" for name in sorted(params) if name not in ("hmac", "signature"))
    expected = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(given.encode(), expected.encode())


@dataclass(frozen=True)
class AppCredentials:
    """An app's client id and secret, and where its shop's token endpoint is."""

    shop: str
    client_id: str
    client_secret: str
    base_url: str | None = None

    def __repr__(self) -> str:
        return f"AppCredentials(shop={self.shop!r}, client_id={self.client_id!r})"


@dataclass(frozen=True)
class InstallableShop:
    """A shop installed by authorization code: its app, and the scopes the install asks for."""

    app: AppCredentials
    scopes: tuple[str, ...]


def request_token(
    app: AppCredentials, form: dict[str, str], now: datetime, http: httpx.Client | None = None
) -> ShopToken:
    """POST `form` (with the app's id and secret) to the token endpoint; the token it grants."""
    body = {"client_id": app.client_id, "client_secret": app.client_secret, **form}
    grant = form.get("grant_type", "authorization_code")
    try:
        if http is None:
            with httpx.Client(timeout=TOKEN_TIMEOUT) as client:
                response = client.post(token_endpoint(app.shop, app.base_url), data=body)
        else:
            response = http.post(token_endpoint(app.shop, app.base_url), data=body, timeout=TOKEN_TIMEOUT)
    except httpx.TransportError as error:
        raise TransientError(f"cannot reach Shopify's token endpoint for {app.shop}: {type(error).__name__}") from error
    answer = _decode(response, app.shop)
    if response.status_code >= 500 or response.status_code == 429:
        raise TransientError(f"Shopify's token endpoint answered HTTP {response.status_code} for {app.shop}")
    if response.status_code != 200 or not isinstance(answer.get("access_token"), str):
        code = str(answer.get("error") or f"HTTP {response.status_code}")
        log.warning("shopify.token_refused", shop=app.shop, grant=grant, error=code[:64])
        raise BadInput(_refusal(app.shop, grant, code))
    log.info("shopify.token_granted", shop=app.shop, grant=grant, expires_in=answer.get("expires_in"))
    return _token(answer, now)


def _refusal(shop: str, grant: str, code: str) -> str:
    if code == "invalid_client":
        return f"Shopify refused the client id or secret of {shop} (invalid_client): check the app's credentials"
    if grant == "refresh_token":
        return (
            f"Shopify refused the refresh token of {shop} ({code}): install the app again "
            f"(/shopify/install?shop={shop} on trueup's public URL)"
        )
    if grant == "client_credentials":
        return (
            f"Shopify refused the client credentials grant for {shop} ({code}): the app must be made in the "
            "Dev Dashboard by the shop's own organisation and installed on the shop"
        )
    return f"Shopify refused the install code for {shop} ({code}): start the install again"


def _decode(response: httpx.Response, shop: str) -> dict[str, Any]:
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        if response.status_code >= 500:
            return {}
        raise TransientError(f"Shopify's token endpoint sent an unreadable answer for {shop}")
    return body


def _token(answer: Mapping[str, Any], now: datetime) -> ShopToken:
    def after(key: str) -> datetime | None:
        seconds = answer.get(key)
        return now + timedelta(seconds=float(seconds)) if isinstance(seconds, int | float) else None

    refresh = answer.get("refresh_token")
    return ShopToken(
        access_token=str(answer["access_token"]),
        expires_at=after("expires_in"),
        refresh_token=refresh if isinstance(refresh, str) else None,
        refresh_expires_at=after("refresh_token_expires_in"),
        scopes=frozenset(s.strip() for s in str(answer.get("scope", "")).split(",") if s.strip()),
    )
