"""Optional features that other packages add to the sandbox, found by name; an absent module is skipped.

Add a "module:function" reference here to plug a feature in:
- ROUTE_PROVIDERS: `function(sandbox) -> list[Route]`, mounted beside `/admin/api/...` and `/sandbox/...`;
- BEFORE_REQUEST_HOOKS: `function(state, base_url)`, run under the state lock before each GraphQL request.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

ROUTE_PROVIDERS = (
    "shopify_sandbox.post_purchase_routes:post_purchase_routes",
    "shopify_sandbox.payments_routes:payments_routes",
)
BEFORE_REQUEST_HOOKS = ("shopify_sandbox.post_purchase_state:before_request",)


def load(reference: str) -> Callable[..., Any] | None:
    """The function `reference` names, or None when its module does not exist (errors inside it still raise)."""
    module_name, _, attribute = reference.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name == module_name:
            return None
        raise
    function: Callable[..., Any] = getattr(module, attribute)
    return function


def loaded(references: tuple[str, ...]) -> list[Callable[..., Any]]:
    return [function for function in map(load, references) if function is not None]
