"""Signed webhook delivery for a sandbox, when the webhooks package is installed."""

from __future__ import annotations

from typing import Any

from shopify_sandbox.config import SandboxConfig


def enable_webhook_delivery(config: SandboxConfig, **dispatcher_options: Any) -> Any:
    """Give `config` the webhooks package's registry and dispatcher (as its bus); returns the dispatcher,
    not yet started (call `start()` / `stop()`), or None when the package is absent."""
    try:
        from shopify_sandbox.webhooks import InMemorySubscriptionRegistry, WebhookDispatcher
    except ImportError:
        return None
    registry = InMemorySubscriptionRegistry(config.clock)
    dispatcher = WebhookDispatcher(
        registry,
        api_secret=config.api_secret,
        shop_domain=config.resolve_shop_spec().myshopify_domain,
        clock=config.clock,
        **dispatcher_options,
    )
    config.registry, config.bus = registry, dispatcher
    return dispatcher
