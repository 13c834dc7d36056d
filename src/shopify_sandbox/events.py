"""The seam between the shop's state and webhook delivery.

The state announces what happened (a topic and the REST-format resource Shopify would send); the
webhook side decides who is subscribed, signs and delivers. Subscriptions are managed through the
GraphQL API (`webhookSubscriptionCreate` and friends), which call the registry below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class WebhookBus(Protocol):
    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        """Queue `payload` (REST-format, snake_case, as Shopify sends it) for every subscriber of `topic`.

        `topic` is Shopify's lower-case form: "orders/create", "refunds/create", "shop/redact", ...
        Must return at once: delivery happens elsewhere.
        """


@dataclass(frozen=True)
class Subscription:
    id: int  # numeric part of gid://shopify/WebhookSubscription/<id>
    topic: str  # GraphQL enum form, e.g. "ORDERS_CREATE"
    callback_url: str
    format: str  # "JSON"
    created_at: datetime
    updated_at: datetime
    app: str = "static"  # the app that made it: each app sees and changes its own subscriptions only


class SubscriptionRegistry(Protocol):
    def create(self, topic: str, callback_url: str, format: str = "JSON", app: str = "static") -> Subscription: ...

    def update(self, subscription_id: int, callback_url: str, app: str = "static") -> Subscription | None:
        """Point `app`'s subscription at `callback_url`; None when `app` has no such subscription."""

    def delete(self, subscription_id: int, app: str | None = None) -> bool:
        """Remove the subscription (only if it is `app`'s, when `app` is given)."""

    def list(self, app: str | None = None) -> list[Subscription]:
        """Every subscription, or only `app`'s."""


class NullBus:
    """A bus with no subscribers, for a state used without webhooks."""

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        return None
