"""A SubscriptionRegistry kept in memory, for tests and for a sandbox run without webhook delivery."""

from __future__ import annotations

import builtins
import dataclasses
import itertools
import threading

from shopify_sandbox.clock import Clock, SystemClock
from shopify_sandbox.events import Subscription


class InMemorySubscriptionRegistry:
    """Webhook subscriptions by id, in creation order."""

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._subscriptions: dict[int, Subscription] = {}
        self._ids = itertools.count(1_401_000_000_001)
        self._lock = threading.Lock()

    def create(self, topic: str, callback_url: str, format: str = "JSON", app: str = "static") -> Subscription:
        now = self._clock.now()
        with self._lock:
            subscription = Subscription(next(self._ids), topic, callback_url, format, now, now, app)
            self._subscriptions[subscription.id] = subscription
        return subscription

    def update(self, subscription_id: int, callback_url: str, app: str = "static") -> Subscription | None:
        with self._lock:
            found = self._subscriptions.get(subscription_id)
            if found is None or found.app != app:
                return None
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

    def list(self, app: str | None = None) -> builtins.list[Subscription]:
        with self._lock:
            return [s for s in self._subscriptions.values() if app is None or s.app == app]
