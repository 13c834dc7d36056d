"""A SubscriptionRegistry kept in memory, for tests and for a sandbox run without webhook delivery."""

from __future__ import annotations

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

    def create(self, topic: str, callback_url: str, format: str = "JSON") -> Subscription:
        now = self._clock.now()
        with self._lock:
            subscription = Subscription(next(self._ids), topic, callback_url, format, now, now)
            self._subscriptions[subscription.id] = subscription
        return subscription

    def delete(self, subscription_id: int) -> bool:
        with self._lock:
            return self._subscriptions.pop(subscription_id, None) is not None

    def list(self) -> list[Subscription]:
        with self._lock:
            return list(self._subscriptions.values())
