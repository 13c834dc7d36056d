"""What every resolver can reach: the shop's state and the request it serves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.events import SubscriptionRegistry
from shopify_sandbox.state import ShopState


@dataclass
class RequestContext:
    state: ShopState
    registry: SubscriptionRegistry
    api_version: str
    variables: dict[str, Any] = field(default_factory=dict)
    app: str = "static"  # the app whose token made the request
    scopes: frozenset[str] | None = None  # its granted scopes (None: every scope)


def state_of(info: GraphQLResolveInfo) -> ShopState:
    return info.context.state


def context_of(info: GraphQLResolveInfo) -> RequestContext:
    return info.context
