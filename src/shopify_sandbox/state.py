"""The shop's whole state in memory: one table of objects per GraphQL type, a clock, a webhook bus.

Everything that changes the shop goes through a ShopState held under `state.lock` (the GraphQL endpoint
takes it for each request), stamps times from `state.clock` and announces webhooks with `state.publish`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

from shopify_sandbox.clock import Clock, SystemClock
from shopify_sandbox.events import NullBus, WebhookBus
from shopify_sandbox.idempotency import IdempotencyStore
from shopify_sandbox.ids import IdSequence, parse_gid
from shopify_sandbox.models.base import Node
from shopify_sandbox.models.catalog import Shop

N = TypeVar("N", bound=Node)


class ShopState:
    """The objects of one shop, by type and number, with what every change needs (ids, time, webhooks)."""

    def __init__(self, shop: Shop, clock: Clock | None = None, bus: WebhookBus | None = None) -> None:
        self.shop = shop
        self.clock: Clock = clock or SystemClock()
        self.bus: WebhookBus = bus or NullBus()
        self.lock = threading.RLock()
        self.ids = IdSequence()
        self.idempotency = IdempotencyStore()
        self.next_order_number = 1001
        self.plan_name = "standard"  # what Shop.plan reports; the rate-limit bucket follows the same plan
        self._tables: dict[str, dict[int, Node]] = {}
        # Called (under the lock) before each GraphQL request is executed: deferred work that is due runs here.
        self.before_request: list[Callable[[ShopState, str | None], None]] = []

    def now(self) -> datetime:
        return self.clock.now()

    def new_number(self, typename: str) -> int:
        """A fresh numeric id for an object of `typename`."""
        return self.ids.next(typename)

    def add(self, obj: N) -> N:
        """Store `obj` in its type's table (so that node(id:) and the listings find it); returns it."""
        self._tables.setdefault(obj.typename, {})[obj.number] = obj
        return obj

    def remove(self, obj: Node) -> None:
        self._tables.get(obj.typename, {}).pop(obj.number, None)

    def get(self, typename: str, number: int) -> Any:
        """The object `number` of `typename`, or None."""
        return self._tables.get(typename, {}).get(number)

    def all(self, typename: str) -> list[Any]:
        """Every object of `typename`, in creation order."""
        return list(self._tables.get(typename, {}).values())

    def count(self, typename: str) -> int:
        return len(self._tables.get(typename, {}))

    def by_gid(self, value: object, typename: str | None = None) -> Any:
        """The object a gid names (None when absent or of another type than `typename`).

        Raises MalformedId when `value` is not a gid at all.
        """
        found_type, number = parse_gid(value)
        if typename is not None and found_type != typename:
            return None
        return self.get(found_type, number)

    def typenames(self) -> Iterator[str]:
        return iter(self._tables)

    def run_before_request_hooks(self, base_url: str | None = None) -> None:
        """Run the hooks (deferred jobs and the like); `base_url` is where the sandbox is being served."""
        for hook in list(self.before_request):
            hook(self, base_url)

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        """Announce a webhook `topic` ("orders/create") with its REST-format payload."""
        self.bus.publish(topic, payload)
