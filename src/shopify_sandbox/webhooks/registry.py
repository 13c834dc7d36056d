"""Webhook subscriptions held in memory: what `webhookSubscriptionCreate`/`Delete`/`webhookSubscriptions` manage.

Also holds the app-configuration endpoints of the privacy topics, which Shopify never lists among
the API subscriptions.
"""

from __future__ import annotations

import builtins
import dataclasses
import threading
from dataclasses import dataclass
from urllib.parse import urlparse

from shopify_sandbox.clock import Clock
from shopify_sandbox.events import Subscription
from shopify_sandbox.webhooks.topics import API_TOPICS, COMPLIANCE_TOPICS, UnsupportedTopic, rest_topic


class InvalidCallbackUrl(ValueError):
    """Shopify only delivers to absolute http(s) addresses."""


class DuplicateSubscription(ValueError):
    """Shopify: "Address for this topic has already been taken"."""


@dataclass(frozen=True)
class Endpoint:
    """Where one delivery of a topic goes: a subscription's address, captured when the event happens."""

    subscription_id: int | None  # None for an app-configuration (privacy topic) endpoint
    rest_topic: str
    callback_url: str
    app: str = "static"  # whose secret signs the delivery


def _check_url(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InvalidCallbackUrl(f"Address is invalid: {url!r}")


class InMemorySubscriptionRegistry:
    """A `SubscriptionRegistry`: numeric ids from 1, topics in GraphQL enum form ("ORDERS_CREATE")."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._next_id = 1
        self._subscriptions: dict[int, Subscription] = {}
        self._app_endpoints: dict[str, str] = {}

    def create(self, topic: str, callback_url: str, format: str = "JSON", app: str = "static") -> Subscription:
        """Subscribe `callback_url` to `topic` (enum form). Raises UnsupportedTopic, InvalidCallbackUrl,
        DuplicateSubscription: the GraphQL layer turns them into `userErrors`."""
        rest_topic(topic)  # raises UnsupportedTopic
        if format != "JSON":
            raise UnsupportedTopic(f"the sandbox delivers JSON only, not {format}")
        _check_url(callback_url)
        with self._lock:
            mine = (s for s in self._subscriptions.values() if s.app == app)
            if any(s.topic == topic and s.callback_url == callback_url for s in mine):
                raise DuplicateSubscription("Address for this topic has already been taken")
            now = self._clock.now()
            subscription = Subscription(self._next_id, topic, callback_url, format, now, now, app)
            self._subscriptions[subscription.id] = subscription
            self._next_id += 1
            return subscription

    def update(self, subscription_id: int, callback_url: str, app: str = "static") -> Subscription | None:
        """Point `app`'s subscription at `callback_url`; None when `app` has no such subscription. Raises
        InvalidCallbackUrl, DuplicateSubscription."""
        _check_url(callback_url)
        with self._lock:
            found = self._subscriptions.get(subscription_id)
            if found is None or found.app != app:
                return None
            taken = any(
                s.app == app and s.topic == found.topic and s.callback_url == callback_url and s.id != found.id
                for s in self._subscriptions.values()
            )
            if taken:
                raise DuplicateSubscription("Address for this topic has already been taken")
            changed = dataclasses.replace(found, callback_url=callback_url, updated_at=self._clock.now())
            self._subscriptions[subscription_id] = changed
            return changed

    def delete(self, subscription_id: int, app: str | None = None) -> bool:
        with self._lock:
            found = self._subscriptions.get(subscription_id)
            if found is None or (app is not None and found.app != app):
                return False
            del self._subscriptions[subscription_id]
            return True

    def get(self, subscription_id: int) -> Subscription | None:
        with self._lock:
            return self._subscriptions.get(subscription_id)

    def list(self, app: str | None = None) -> builtins.list[Subscription]:
        """API subscriptions (only `app`'s when given), oldest first (the privacy endpoints are not listed,
        as in Shopify)."""
        with self._lock:
            return sorted((s for s in self._subscriptions.values() if app is None or s.app == app), key=lambda s: s.id)

    def configure_app_endpoint(self, rest_topic_name: str, callback_url: str) -> None:
        """Set the app-configuration address of a privacy topic ("customers/redact", ...)."""
        if rest_topic_name not in COMPLIANCE_TOPICS:
            raise UnsupportedTopic(f"{rest_topic_name} is not a privacy (compliance) topic")
        _check_url(callback_url)
        with self._lock:
            self._app_endpoints[rest_topic_name] = callback_url

    def endpoints_for(self, rest_topic_name: str) -> builtins.list[Endpoint]:
        """Every address a `rest_topic_name` event goes to right now."""
        with self._lock:
            endpoints = [
                Endpoint(s.id, rest_topic_name, s.callback_url, s.app)
                for s in sorted(self._subscriptions.values(), key=lambda s: s.id)
                if API_TOPICS[s.topic] == rest_topic_name
            ]
            if rest_topic_name in self._app_endpoints:
                endpoints.append(Endpoint(None, rest_topic_name, self._app_endpoints[rest_topic_name]))
            return endpoints
