"""`/shopify/install` and `/shopify/callback` on `trueup serve`: an app installed on a merchant's shop by
Shopify's authorization code grant, for shops whose credentials are of kind `authorization_code`.

- `GET /shopify/install?shop=<domain>` (a configured shop only; Shopify's own signed install request is
  checked too) redirects to the shop's `/admin/oauth/authorize` with a fresh `state`, kept in a short-lived,
  HttpOnly cookie scoped to the callback.
- `GET /shopify/callback` checks the HMAC Shopify signs the query with, that `state` is the cookie's, and the
  timestamp's age; then exchanges the code for an expiring offline token (`expiring=1`) and keeps it, with its
  refresh token, encrypted in the store. Neither the code nor a token is ever logged or shown.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime
from html import escape

import structlog
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from trueup.adapters.shopify.oauth import InstallableShop, authorize_url, query_hmac_is_valid, request_token
from trueup.domain.errors import BadInput, TransientError
from trueup.service_layer.ports import TokenVault

log = structlog.get_logger(__name__)

STATE_COOKIE = "trueup_install_state"
STATE_SECONDS = 600
MAX_CALLBACK_AGE = 3600  # seconds between Shopify's timestamp and the callback


def _page(status: int, title: str, detail: str) -> HTMLResponse:
    """A one-line page for the person installing; everything in it escaped (the shop name comes from outside)."""
    body = f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1><p>{escape(detail)}</p>"
    return HTMLResponse(body, status_code=status)


def install_routes(
    shops: Mapping[str, InstallableShop], public_url: str, vault: TokenVault, now: Callable[[], datetime]
) -> list[Route]:
    """The two routes for `shops` (by domain), coming back to `<public_url>/shopify/callback`."""
    redirect_uri = public_url.rstrip("/") + "/shopify/callback"
    secure = public_url.startswith("https://")

    async def install(request: Request) -> Response:
        query = dict(request.query_params)
        shop = query.get("shop", "").strip().lower()
        target = shops.get(shop)
        if target is None:
            log.warning("install.refused", reason="unknown_shop")
            return _page(400, "Not installed", f"{shop or 'This shop'} is not a shop trueup installs into.")
        if "hmac" in query and not query_hmac_is_valid(query, target.app.client_secret):
            log.warning("install.refused", reason="bad_hmac", shop=shop)
            return _page(401, "Not installed", "The install request is not signed by Shopify.")
        state = secrets.token_urlsafe(24)
        url = authorize_url(shop, target.app.client_id, list(target.scopes), redirect_uri, state, target.app.base_url)
        response = RedirectResponse(url, status_code=302)
        response.set_cookie(
            STATE_COOKIE,
            f"{shop}|{state}",
            max_age=STATE_SECONDS,
            path="/shopify/callback",
            httponly=True,
            secure=secure,
            samesite="lax",
        )
        log.info("install.started", shop=shop)
        return response

    async def callback(request: Request) -> Response:
        query = dict(request.query_params)
        shop = query.get("shop", "").strip().lower()
        target = shops.get(shop)
        if target is None:
            log.warning("install.refused", reason="unknown_shop")
            return _page(400, "Not installed", f"{shop or 'This shop'} is not a shop trueup installs into.")
        if not query_hmac_is_valid(query, target.app.client_secret):
            log.warning("install.refused", reason="bad_hmac", shop=shop)
            return _page(401, "Not installed", "The callback is not signed by Shopify.")
        expected = request.cookies.get(STATE_COOKIE, "")
        if not hmac.compare_digest(expected.encode(), f"{shop}|{query.get('state', '')}".encode()) or not expected:
            log.warning("install.refused", reason="state_mismatch", shop=shop)
            return _page(403, "Not installed", "The install was not started here (state mismatch): start it again.")
        try:
            age = now().timestamp() - float(query.get("timestamp", ""))
        except ValueError:
            age = float("inf")
        if not -300 <= age <= MAX_CALLBACK_AGE:
            log.warning("install.refused", reason="stale", shop=shop)
            return _page(400, "Not installed", "The callback is too old: start the install again.")
        form = {"code": query.get("code", ""), "expiring": "1"}
        try:
            token = await run_in_threadpool(request_token, target.app, form, now())
            await run_in_threadpool(vault.save_token, shop, token)
        except BadInput as error:
            return _page(400, "Not installed", str(error))
        except TransientError as error:
            return _page(503, "Not installed yet", f"{error}; try again in a moment.")
        log.info("install.done", shop=shop, scopes=",".join(sorted(token.scopes)))
        response = _page(200, "Installed", f"trueup is installed on {shop}. Next: trueup shop connect.")
        response.delete_cookie(STATE_COOKIE, path="/shopify/callback")
        return response

    return [
        Route("/shopify/install", install, methods=["GET"]),
        Route("/shopify/callback", callback, methods=["GET"]),
    ]
