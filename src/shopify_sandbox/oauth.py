"""Apps installed on the sandbox's shop and the access tokens Shopify grants them.

Three ways to a token, as Shopify has them (sources in docs/sandbox.md):
- the static token of an admin-created custom app (`SandboxConfig.access_token`): every scope, never expires;
- the client credentials grant of a Dev Dashboard app of the shop's own organisation: a token that expires
  after about 24 hours (`expires_in` 86399), with no refresh token;
- the authorization code grant (install with `/admin/oauth/authorize`, exchange the code): with
  `expiring=1` an offline token of an hour and a refresh token of 90 days; refreshing gives a new pair, and a
  new expiring token revokes every earlier expiring token of that app on the shop.

Every instant is read from the sandbox's clock, so a test moves time past an expiry instead of waiting.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shopify_sandbox.clock import Clock

STATIC_APP = "static"  # the app whose token is SandboxConfig.access_token
CLIENT_CREDENTIALS_TTL = 86399  # seconds, as Shopify reports it
EXPIRING_OFFLINE_TTL = 3599
REFRESH_TOKEN_TTL = 90 * 86400
CODE_TTL = 600  # an authorization code is single-use and short-lived


@dataclass(frozen=True)
class SandboxApp:
    """An app installed on the shop. `own_organisation`: made in the Dev Dashboard by the shop's own
    organisation, so it may use the client credentials grant; other apps install by authorization code."""

    client_id: str
    client_secret: str
    scopes: frozenset[str]
    own_organisation: bool = True

    @staticmethod
    def parse(text: str) -> SandboxApp:
        """`client_id:client_secret:scope,scope[:public]` (the CLI's `--app`)."""
        parts = text.split(":")
        if len(parts) not in (3, 4) or not all(parts[:2]) or (len(parts) == 4 and parts[3] != "public"):
            raise ValueError("expected CLIENT_ID:CLIENT_SECRET:scope,scope[:public]")
        scopes = frozenset(s.strip() for s in parts[2].split(",") if s.strip())
        return SandboxApp(parts[0], parts[1], scopes, own_organisation=len(parts) == 3)


@dataclass(frozen=True)
class Grant:
    """What a token stands for: the app, its scopes, and when it stops working (None: never)."""

    app: str
    scopes: frozenset[str] | None  # None: every scope (the static token)
    expires_at: datetime | None
    expiring_offline: bool = False

    def live(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at


class OAuthError(Exception):
    """A refused token request, in OAuth's words (`error`, `error_description`) with its HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


INVALID_CLIENT = (
    "Client authentication failed due to unknown client, no client authentication included, "
    "or unsupported authentication method."
)


@dataclass
class _Code:
    app: str
    scopes: frozenset[str]
    expires_at: datetime


@dataclass
class TokenIssue:
    """One token handed out, for `/sandbox/oauth/tokens`."""

    app: str
    grant_type: str
    at: datetime


@dataclass
class AppTokens:
    """The apps of the shop and every token, refresh token and code they hold."""

    clock: Clock
    static_token: str
    apps: dict[str, SandboxApp] = field(default_factory=dict)
    _tokens: dict[str, Grant] = field(default_factory=dict)
    _refresh: dict[str, tuple[str, frozenset[str], datetime]] = field(default_factory=dict)
    _codes: dict[str, _Code] = field(default_factory=dict)
    issued: list[TokenIssue] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict)  # client id -> the secret signing its webhooks
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, app: SandboxApp) -> None:
        with self._lock:
            self.apps[app.client_id] = app
            self.secrets[app.client_id] = app.client_secret

    def grant_for(self, token: str | None) -> Grant | None:
        """The live grant of `token`, or None (unknown, expired or revoked: Shopify answers 401)."""
        if not token:
            return None
        if hmac.compare_digest(token, self.static_token):
            return Grant(STATIC_APP, None, None)
        with self._lock:
            grant = self._tokens.get(token)
        return grant if grant is not None and grant.live(self.clock.now()) else None

    # --- the token endpoint ------------------------------------------------------------------------------
    def exchange(self, form: dict[str, str]) -> dict[str, object]:
        """The answer of `POST /admin/oauth/access_token` to `form`; raises OAuthError."""
        app = self._authenticate(form.get("client_id", ""), form.get("client_secret", ""))
        grant_type = form.get("grant_type") or ("authorization_code" if "code" in form else "")
        if grant_type == "client_credentials":
            if not app.own_organisation:
                raise OAuthError("unauthorized_client", "The client is not authorized to use this grant type.")
            return self._issue(app.client_id, app.scopes, CLIENT_CREDENTIALS_TTL, grant_type)
        if grant_type == "authorization_code":
            code = self._take_code(form.get("code", ""), app.client_id)
            expiring = form.get("expiring") == "1"
            return self._issue(app.client_id, code.scopes, EXPIRING_OFFLINE_TTL if expiring else None, grant_type)
        if grant_type == "refresh_token":
            scopes = self._take_refresh(form.get("refresh_token", ""), app.client_id)
            return self._issue(app.client_id, scopes, EXPIRING_OFFLINE_TTL, grant_type)
        raise OAuthError("unsupported_grant_type", "The authorization grant type is not supported.")

    def authorize(self, client_id: str, scopes: Iterable[str]) -> tuple[str, frozenset[str]]:
        """A merchant approves an install: a fresh single-use code for the requested scopes the app has."""
        app = self.apps.get(client_id)
        if app is None:
            raise OAuthError("invalid_request", "The client_id is not that of an app known to the shop.")
        granted = frozenset(s for s in scopes if s in app.scopes)
        code = secrets.token_hex(16)
        with self._lock:
            self._codes[code] = _Code(client_id, granted, self.clock.now() + timedelta(seconds=CODE_TTL))
        return code, granted

    def _authenticate(self, client_id: str, client_secret: str) -> SandboxApp:
        app = self.apps.get(client_id)
        if app is None or not hmac.compare_digest(app.client_secret, client_secret):
            raise OAuthError("invalid_client", INVALID_CLIENT, 401)
        return app

    def _take_code(self, code: str, client_id: str) -> _Code:
        with self._lock:
            found = self._codes.pop(code, None)
        if found is None or found.app != client_id or self.clock.now() >= found.expires_at:
            raise OAuthError("invalid_request", "The authorization code was not found or was already used")
        return found

    def _take_refresh(self, refresh_token: str, client_id: str) -> frozenset[str]:
        with self._lock:
            found = self._refresh.get(refresh_token)
            if found is None or found[0] != client_id or self.clock.now() >= found[2]:
                raise OAuthError("invalid_grant", "The refresh token is invalid, expired or revoked.")
            del self._refresh[refresh_token]
            return found[1]

    def _issue(self, app: str, scopes: frozenset[str], ttl: int | None, grant_type: str) -> dict[str, object]:
        now = self.clock.now()
        token = "shpat_" + secrets.token_hex(16)
        expiring_offline = grant_type != "client_credentials" and ttl is not None
        answer: dict[str, object] = {"access_token": token, "scope": ",".join(sorted(scopes))}
        with self._lock:
            if expiring_offline:  # one expiring offline token per app and shop: earlier ones are revoked
                self._tokens = {t: g for t, g in self._tokens.items() if not (g.app == app and g.expiring_offline)}
                self._refresh = {r: v for r, v in self._refresh.items() if v[0] != app}
            expires_at = None if ttl is None else now + timedelta(seconds=ttl)
            self._tokens[token] = Grant(app, scopes, expires_at, expiring_offline)
            if ttl is not None:
                answer["expires_in"] = ttl
            if expiring_offline:
                refresh = "shprt_" + secrets.token_hex(16)
                self._refresh[refresh] = (app, scopes, now + timedelta(seconds=REFRESH_TOKEN_TTL))
                answer["refresh_token"] = refresh
                answer["refresh_token_expires_in"] = REFRESH_TOKEN_TTL
            self.issued.append(TokenIssue(app, grant_type, now))
        return answer


def sign_query(params: dict[str, str], secret: str) -> str:
    """The `hmac` Shopify adds to an OAuth redirect: hex HMAC-SHA256, with the app's secret, of the other
    parameters sorted by name and joined as `name=value&...`."""
    message = "&".join(f"{name}={params[name]}" for name in sorted(params) if name not in ("hmac", "signature"))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
