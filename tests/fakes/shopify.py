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
from trueup.domain.errors import BadInput, Cause, StructuralError, TransientError
from trueup.domain.fulfilment import FulfillmentOrder, FulfillmentOrderLine, FulfilmentRequest, OrderFulfilment
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
        # Fulfilment, as Shopify keeps it: one fulfilment order per order (one location), a fulfilment
        # order line per line item; units fulfilled per fulfilment order line, fulfilments per order.
        self._fulfilled: dict[str, int] = {}
        self.fulfilments: dict[str, list[tuple[str, FulfilmentRequest]]] = {}

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

    def order_fulfilment(self, order_id: str) -> OrderFulfilment | None:
        self._gate("order_fulfilment")
        order = self._orders.get(order_gid(order_id))
        if order is None:
            return None
        lines = self._fulfillment_lines(order.order_id)
        fulfilled = any(line.remaining < self._quantity(order.order_id, line.line_id) for line in lines)
        status = "CLOSED" if all(line.remaining == 0 for line in lines) else "IN_PROGRESS" if fulfilled else "OPEN"
        fulfilment_order = FulfillmentOrder(fulfillment_order_id(order.order_id), status, lines)
        made = tuple(gid for gid, _ in self.fulfilments.get(order.order_id, []))
        return OrderFulfilment(order.order_id, (fulfilment_order,), made)

    def create_fulfilment(self, request: FulfilmentRequest) -> str:
        self._gate("create_fulfilment")
        order_ids = {order_of_fulfillment_order(fo_id) for fo_id in request.lines_by_order}
        remaining = {line.line_id: line.remaining for o in order_ids for line in self._fulfillment_lines(o)}
        wanted = [(line_id, q) for lines in request.lines_by_order.values() for line_id, q in lines.items()]
        if len(order_ids) != 1 or not wanted or any(not 0 < q <= remaining.get(i, 0) for i, q in wanted):
            raise StructuralError(
                Cause.FULFILMENT_ORDER_NOT_FOUND,
                "Shopify refused the fulfilment: Invalid fulfillment order line item quantity requested.",
            )
        for line_id, q in wanted:
            self._fulfilled[line_id] = self._fulfilled.get(line_id, 0) + q
        gid = f"gid://shopify/Fulfillment/{next(self._ids)}"
        self.fulfilments.setdefault(order_ids.pop(), []).append((gid, request))
        return gid

    def _fulfillment_lines(self, order_id: str) -> tuple[FulfillmentOrderLine, ...]:
        order = self._orders.get(order_id)
        if order is None:
            return ()
        return tuple(
            FulfillmentOrderLine(
                fo_line_id(order_id, line.line_id),
                line.sku,
                line.quantity - self._fulfilled.get(fo_line_id(order_id, line.line_id), 0),
            )
            for line in order.lines
        )

    def _quantity(self, order_id: str, fo_line: str) -> int:
        lines = self._orders[order_id].lines
        return next(line.quantity for line in lines if fo_line_id(order_id, line.line_id) == fo_line)

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


def fulfillment_order_id(order_id: str) -> str:
    """The fake's one fulfilment order of an order: the same number as the order."""
    return f"gid://shopify/FulfillmentOrder/{order_id.rsplit('/', 1)[-1]}"


def order_of_fulfillment_order(fulfillment_order_gid: str) -> str:
    return f"gid://shopify/Order/{fulfillment_order_gid.rsplit('/', 1)[-1]}"


def fo_line_id(order_id: str, line_id: str) -> str:
    """The fake's fulfilment order line of a line item: its order's and its own numbers."""
    return f"gid://shopify/FulfillmentOrderLineItem/{order_id.rsplit('/', 1)[-1]}-{line_id.rsplit('/', 1)[-1]}"
