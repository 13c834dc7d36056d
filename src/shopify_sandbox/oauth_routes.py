"""Shopify's OAuth endpoints on the sandbox (`/admin/oauth/authorize`, `/admin/oauth/access_token`) and
`/sandbox/apps`, `/sandbox/oauth/tokens` to install apps and count the tokens handed out."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlparse

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from shopify_sandbox.oauth import OAuthError, SandboxApp, sign_query
from shopify_sandbox.rest_payloads import timestamp

if TYPE_CHECKING:
    from shopify_sandbox.app import Sandbox


async def _form(request: Request) -> dict[str, str]:
    """The request's parameters: query string, then a form or JSON body (Shopify takes any of them)."""
    params = dict(request.query_params)
    body = await request.body()
    if not body:
        return params
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            decoded = json.loads(body)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict):
            params.update({str(k): str(v) for k, v in decoded.items() if v is not None})
        return params
    params.update(dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)))
    return params


def oauth_routes(sandbox: Sandbox) -> list[Route]:
    tokens = sandbox.tokens

    async def access_token(request: Request) -> Response:
        try:
            answer = tokens.exchange(await _form(request))
        except OAuthError as error:
            return JSONResponse({"error": error.error, "error_description": error.description}, error.status)
        return JSONResponse(answer)

    async def authorize(request: Request) -> Response:
        query = request.query_params
        redirect_uri = query.get("redirect_uri", "")
        parsed = urlparse(redirect_uri)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            return JSONResponse({"error": "invalid_request", "error_description": "redirect_uri is invalid"}, 400)
        try:
            code, _granted = tokens.authorize(query.get("client_id", ""), query.get("scope", "").split(","))
        except OAuthError as error:
            return JSONResponse({"error": error.error, "error_description": error.description}, error.status)
        shop = sandbox.state.shop.myshopify_domain
        store = shop.removesuffix(".myshopify.com")
        params = {
            "code": code,
            "host": base64.b64encode(f"admin.shopify.com/store/{store}".encode()).decode().rstrip("="),
            "shop": shop,
            "state": query.get("state", ""),
            "timestamp": str(int(sandbox.config.clock.now().timestamp())),
        }
        params["hmac"] = sign_query(params, tokens.apps[query["client_id"]].client_secret)
        separator = "&" if parsed.query else "?"
        return RedirectResponse(f"{redirect_uri}{separator}{urlencode(params)}", status_code=302)

    async def apps(request: Request) -> Response:
        if request.method == "POST":
            body = await request.json()
            try:
                app = SandboxApp(
                    str(body["clientId"]),
                    str(body["clientSecret"]),
                    frozenset(str(s) for s in body.get("scopes", [])),
                    own_organisation=bool(body.get("ownOrganisation", True)),
                )
            except (KeyError, TypeError) as error:
                return JSONResponse({"error": f"give clientId, clientSecret and scopes ({error})"}, 400)
            tokens.install(app)
        listed = [
            {"clientId": a.client_id, "scopes": sorted(a.scopes), "ownOrganisation": a.own_organisation}
            for a in tokens.apps.values()
        ]
        return JSONResponse({"apps": listed})

    async def issued(_request: Request) -> Response:
        rows = [{"app": i.app, "grantType": i.grant_type, "at": timestamp(i.at)} for i in list(tokens.issued)]
        return JSONResponse({"issued": rows})

    return [
        Route("/admin/oauth/access_token", access_token, methods=["POST"]),
        Route("/admin/oauth/authorize", authorize, methods=["GET"]),
        Route("/sandbox/apps", apps, methods=["GET", "POST"]),
        Route("/sandbox/oauth/tokens", issued, methods=["GET"]),
    ]
