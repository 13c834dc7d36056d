"""The sandbox as an ASGI app: Shopify's Admin GraphQL endpoint plus `/sandbox/...` inspection."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from shopify_sandbox.bucket import PLANS, Buckets
from shopify_sandbox.config import SandboxConfig
from shopify_sandbox.errors import INVALID_TOKEN_BODY
from shopify_sandbox.events import NullBus, SubscriptionRegistry
from shopify_sandbox.extensions import BEFORE_REQUEST_HOOKS, ROUTE_PROVIDERS, loaded
from shopify_sandbox.graphql_service import GraphQLService
from shopify_sandbox.inspection import inspection_routes
from shopify_sandbox.oauth import AppTokens
from shopify_sandbox.oauth_routes import oauth_routes
from shopify_sandbox.persistence import load_state, save_state
from shopify_sandbox.schema import SUPPORTED_VERSIONS, admin_schema
from shopify_sandbox.seeding import load_shop
from shopify_sandbox.state import ShopState
from shopify_sandbox.subscriptions import InMemorySubscriptionRegistry

MISSING_QUERY = {"errors": {"query": "Required parameter missing or invalid"}}


@dataclass
class Sandbox:
    """A running sandbox's parts, reachable from tests as `app.state.sandbox`."""

    config: SandboxConfig
    state: ShopState
    buckets: Buckets
    registry: SubscriptionRegistry
    service: GraphQLService
    tokens: AppTokens

    def set_plan(self, name: str) -> None:
        self.buckets.set_plan(PLANS[name])
        self.state.plan_name = name


def build_sandbox(config: SandboxConfig) -> Sandbox:
    """Wire a sandbox from its configuration (the one composition root)."""
    bus = config.bus or NullBus()
    if config.state_file is not None and config.state_file.exists():
        state = load_state(config.state_file, config.clock, bus)
    else:
        state = load_shop(config.resolve_shop_spec(), clock=config.clock, bus=bus)
    state.plan_name = config.plan
    registry = config.registry or InMemorySubscriptionRegistry(config.clock)
    buckets = Buckets(PLANS[config.plan], config.clock)
    service = GraphQLService(state, buckets, registry, config.cost_rules)
    state.before_request.extend(loaded(BEFORE_REQUEST_HOOKS))
    tokens = AppTokens(config.clock, config.access_token)
    if hasattr(bus, "app_secrets"):  # the webhook dispatcher signs each app's deliveries with its secret
        bus.app_secrets = tokens.secrets
    for app in config.apps:
        tokens.install(app)
    return Sandbox(config, state, buckets, registry, service, tokens)


def _json(body: Any, status: int = 200, version: str | None = None) -> Response:
    headers = {"X-Request-Id": str(uuid.uuid4())}
    if version:
        headers["X-Shopify-API-Version"] = version
    return JSONResponse(body, status_code=status, headers=headers)


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """The Starlette app of a sandbox configured by `config`."""
    sandbox = build_sandbox(config or SandboxConfig())
    for version in SUPPORTED_VERSIONS:
        admin_schema(version)  # build once, before the first request

    async def graphql(request: Request) -> Response:
        version = request.path_params["version"]
        if version not in SUPPORTED_VERSIONS:
            return _json({"errors": "Not Found"}, 404)
        token = request.headers.get("x-shopify-access-token")
        grant = sandbox.tokens.grant_for(token)
        if token is None or grant is None:  # unknown, expired or revoked
            return _json(INVALID_TOKEN_BODY, 401)
        payload = await _payload(request)
        if payload is None or not isinstance(payload.get("query"), str) or not payload["query"].strip():
            return _json(MISSING_QUERY, 400, version)
        variables = payload.get("variables")
        if isinstance(variables, str):  # some clients send the variables JSON-encoded
            try:
                variables = json.loads(variables) if variables.strip() else None
            except ValueError:
                return _json(MISSING_QUERY, 400, version)
        answer = sandbox.service.run(
            version,
            token,
            payload["query"],
            variables if isinstance(variables, dict) else None,
            payload.get("operationName"),
            base_url=str(request.base_url),
            grant=grant,
        )
        return _json(answer, 200, version)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        if sandbox.config.state_file is not None:
            save_state(sandbox.state, sandbox.config.state_file)

    routes = [
        Route("/admin/api/{version}/graphql.json", graphql, methods=["POST"]),
        *oauth_routes(sandbox),
        *inspection_routes(sandbox),
    ]
    for provider in loaded(ROUTE_PROVIDERS):
        routes.extend(provider(sandbox))
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.sandbox = sandbox
    return app


async def _payload(request: Request) -> dict[str, Any] | None:
    body = await request.body()
    if request.headers.get("content-type", "").startswith("application/graphql"):
        return {"query": body.decode("utf-8", errors="replace")}
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None
