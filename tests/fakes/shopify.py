"""FakeShopifyAdmin: the ShopifyAdmin port in memory, held to the same contract as the real client
(tests/contract/test_shopify_contract.py)."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from trueup.adapters.shopify.admin import WebhookSubscription, order_gid, topic_enum
from trueup.adapters.shopify.shop_mapping import ShopInfo
from trueup.domain.catalogue import CatalogueItem
from trueup.domain.errors import BadInput, TransientError
from trueup.domain.orders import ShopifyOrder
from trueup.service_layer.ports import OrderStamp


class FakeShopifyAdmin:
    """One shop in memory. Knobs: `down` (every call fails transiently), `throttled_next` (the next N
    calls are throttled, with `retry_after`). `calls` records the port methods called, in order."""

    def __init__(
        self,
        shop: str = "demo.myshopify.com",
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        shop_info: ShopInfo | None = None,
        catalogue: Sequence[CatalogueItem] = (),
    ) -> None:
        self.shop = shop
        self.down = False
        self.throttled_next = 0
        self.retry_after = 1.0
        self.calls: list[str] = []
        self._clock = clock
        self._orders: dict[str, ShopifyOrder] = {}
        self._subscriptions: list[WebhookSubscription] = []
        self._ids = itertools.count(1)
        self._shop_info = shop_info or ShopInfo("Demo", shop, "EUR", False, ())
        self._catalogue = list(catalogue)

    # --- arranging the shop ------------------------------------------------------------------
    def put_order(self, order: ShopifyOrder) -> ShopifyOrder:
        """Store the order as Shopify would hold it (replacing one with the same id)."""
        if order.shop != self.shop:
            raise ValueError(f"order of {order.shop} put in the fake of {self.shop}")
        self._orders[order.order_id] = order
        return order

    def update_order(self, order_id: str, **changes: Any) -> ShopifyOrder:
        """Change an order as an edit in Shopify would; `updated_at` moves forward unless given."""
        current = self._orders[order_gid(order_id)]
        now = self._clock()
        changes.setdefault("updated_at", max(now, current.updated_at + timedelta(microseconds=1)))
        updated = dataclasses.replace(current, **changes)
        self._orders[updated.order_id] = updated
        return updated

    def delete_order(self, order_id: str) -> None:
        self._orders.pop(order_gid(order_id), None)

    # --- the port ----------------------------------------------------------------------------
    def fetch_order(self, order_id: str) -> ShopifyOrder | None:
        self._gate("fetch_order")
        return self._orders.get(order_gid(order_id))

    def orders_updated_since(self, since: datetime) -> Iterator[ShopifyOrder]:
        # A generator, like the real client: nothing happens (nor fails) until the caller iterates.
        self._gate("orders_updated_since")
        matching = [o for o in self._orders.values() if o.updated_at >= since]
        yield from sorted(matching, key=lambda o: (o.updated_at, o.number))

    def order_ids_updated_since(self, since: datetime) -> Iterator[OrderStamp]:
        for order in self.orders_updated_since(since):
            yield OrderStamp(order.order_id, order.updated_at)

    def ensure_webhooks(self, callback_url: str, topics: Sequence[str]) -> None:
        self._gate("ensure_webhooks")
        if not callback_url.startswith(("https://", "http://")):
            raise BadInput(f"Shopify refused the webhook address: {callback_url}")
        present = {(s.topic, s.uri) for s in self._subscriptions}
        for topic in dict.fromkeys(topic_enum(t) for t in topics):
            if (topic, callback_url) not in present:
                gid = f"gid://shopify/WebhookSubscription/{next(self._ids)}"
                self._subscriptions.append(WebhookSubscription(gid, topic, callback_url))

    # --- the client's extra reads --------------------------------------------------------------
    def webhook_subscriptions(self) -> list[WebhookSubscription]:
        self._gate("webhook_subscriptions")
        return list(self._subscriptions)

    def shop_info(self) -> ShopInfo:
        self._gate("shop_info")
        return self._shop_info

    def catalogue(self) -> list[CatalogueItem]:
        self._gate("catalogue")
        return list(self._catalogue)

    def _gate(self, call: str) -> None:
        self.calls.append(call)
        if self.down:
            raise TransientError(f"cannot reach Shopify for {self.shop}: fake is down")
        if self.throttled_next > 0:
            self.throttled_next -= 1
            raise TransientError(f"Shopify throttled {call}", retry_after=self.retry_after)
