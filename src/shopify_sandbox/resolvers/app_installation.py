"""`currentAppInstallation`: the calling app's installation on the shop, with the scopes it was granted."""

from __future__ import annotations

import zlib
from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.access_scopes import REQUIRED_SCOPE, effective
from shopify_sandbox.ids import gid
from shopify_sandbox.resolvers.context import context_of
from shopify_sandbox.resolvers.registry import resolves


@resolves("QueryRoot", "currentAppInstallation")
def current_app_installation(_root: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    context = context_of(info)
    # The static token's custom app holds every scope the sandbox knows.
    scopes = effective(frozenset(REQUIRED_SCOPE.values()) if context.scopes is None else context.scopes)
    return {
        "id": gid("AppInstallation", zlib.crc32(context.app.encode())),
        "accessScopes": [{"handle": s, "description": f"The {s} access scope"} for s in sorted(scopes)],
    }
