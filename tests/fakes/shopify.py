"""FakeShopifyAdmin: the ShopifyAdmin port in memory, held to the same contract as the real client
(tests/contract/test_shopify_contract.py)."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.shopify_fulfilment import FakeFulfilmentBook, fo_line_id
from tests.fakes.shopify_inventory import FakeShopifyInventory
from trueup.adapters.shopify.admin import order_gid_of, topic_enum
from trueup.adapters.shopify.shop_mapping import ShopInfo
from trueup.domain.catalogue import CatalogueItem
from trueup.domain.errors import BadInput, TransientError
from trueup.domain.fulfilment import (
    FulfillmentOrder,
    FulfillmentOrderLine,
    FulfilmentRequest,
    OrderFulfilment,
    Tracking,
)
from trueup.domain.inventory import InventoryLevel, ShopLocation, StockWrite, StockWriteResult
from trueup.domain.orders import FinancialStatus, ShopifyOrder
from trueup.domain.refunds import Refund, value_taken_off
from trueup.domain.shop_setup import WebhookSubscription
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
        inventory: FakeShopifyInventory | None = None,
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
        # Locations per line and tracking per fulfilment (tests/fakes/shopify_fulfilment.py).
        self.fulfilment_book = FakeFulfilmentBook(fulfilled=self._fulfilled)
        # Inventory (tests/fakes/shopify_inventory.py): arrange with `fake.inventory.add_location/put_level/drift`.
        self.inventory = inventory or FakeShopifyInventory(clock)
        # Orders whose one fulfilment order trueup holds (the hold window).
        self.held_by_trueup: set[str] = set()
        # What `shop connect` reads: the scopes granted and the API version answered.
        self.scopes: frozenset[str] = frozenset()
        self.api_version = "2026-10"

    # --- arranging the shop ------------------------------------------------------------------
    def put_order(self, order: ShopifyOrder) -> ShopifyOrder:
        """Store the order as Shopify would hold it (replacing one with the same id)."""
        if order.shop != self.shop:
            raise ValueError(f"order of {order.shop} put in the fake of {self.shop}")
        self._orders[order.order_id] = order
        return order

    def update_order(self, order_id: str, **changes: Any) -> ShopifyOrder:
        """Change an order as an edit in Shopify would; `updated_at` moves forward unless given."""
        current = self._orders[order_gid_of(order_id)]
        now = self._clock()
        changes.setdefault("updated_at", max(now, current.updated_at + timedelta(microseconds=1)))
        updated = dataclasses.replace(current, **changes)
        self._orders[updated.order_id] = updated
        return updated

    def put_refund(self, refund: Refund) -> Refund:
        """Refund part of an order as Shopify would: the refund is kept (oldest first), the order's current
        total drops by the refunded lines and shipping, its financial status and `updated_at` move."""
        order = self._orders[order_gid_of(refund.order_id)]
        taken, _ = value_taken_off([refund], order.currency, taxes_included=order.taxes_included)
        status = FinancialStatus.REFUNDED if taken >= order.total_after_refunds else FinancialStatus.PARTIALLY_REFUNDED
        if refund.total_refunded is None or refund.total_refunded.is_zero():
            status = order.financial_status  # no money went back (a restock only): the status stays
        self.update_order(
            order.order_id,
            current_total=order.total_after_refunds - taken,
            financial_status=status,
            refunds=(*order.refunds, refund),
        )
        return refund

    def delete_order(self, order_id: str) -> None:
        self._orders.pop(order_gid_of(order_id), None)

    # --- the port ----------------------------------------------------------------------------
    def fetch_order(self, order_id: str) -> ShopifyOrder | None:
        self._gate("fetch_order")
        return self._orders.get(order_gid_of(order_id))

    def orders_updated_since(self, since: datetime) -> Iterator[ShopifyOrder]:
        # A generator, like the real client: nothing happens (nor fails) until the caller iterates.
        self._gate("orders_updated_since")
        matching = [o for o in self._orders.values() if o.updated_at >= since]
        yield from sorted(matching, key=lambda o: (o.updated_at, o.numeric_id))

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

    def order_refunds(self, order_id: str) -> list[Refund]:
        self._gate("order_refunds")
        order = self._orders.get(order_gid_of(order_id))
        return sorted(order.refunds, key=lambda r: (r.created_at, r.numeric_id)) if order else []

    def order_fulfilment(self, order_id: str) -> OrderFulfilment | None:
        self._gate("order_fulfilment")
        order = self._orders.get(order_gid_of(order_id))
        if order is None:
            return None
        fulfillment_orders = self._fulfillment_orders(order.order_id)
        made = tuple(gid for gid, _ in self.fulfilments.get(order.order_id, []))
        return OrderFulfilment(order.order_id, fulfillment_orders, made)

    def _fulfillment_orders(self, order_id: str) -> tuple[FulfillmentOrder, ...]:
        order = self._orders.get(order_id)
        if order is None:
            return ()
        return self.fulfilment_book.fulfillment_orders(order, held=order.order_id in self.held_by_trueup)

    def place_line_at(self, order_id: str, line_id: str, location_id: str) -> None:
        """Test set-up: the line's stock is assigned to `location_id` (its own fulfilment order)."""
        self.fulfilment_book.line_locations[(order_gid_of(order_id), line_id)] = location_id

    def update_tracking(self, fulfillment_id: str, tracking: Tracking, *, notify_customer: bool) -> None:
        self._gate("update_tracking")
        self.fulfilment_book.update_tracking(fulfillment_id, tracking, notify_customer)

    def create_fulfilment(self, request: FulfilmentRequest) -> str:
        self._gate("create_fulfilment")
        order_id = self.fulfilment_book.check(request, self._fulfillment_orders)
        gid = f"gid://shopify/Fulfillment/{next(self._ids)}"
        self.fulfilment_book.fulfil(request, gid)
        self.fulfilments.setdefault(order_id, []).append((gid, request))
        return gid

    def hold_fulfilment(self, order_id: str, reason_notes: str) -> int:
        self._gate("hold_fulfilment")
        order = self._orders.get(order_gid_of(order_id))
        if order is None:
            return 0
        open_lines = any(line.remaining > 0 for line in self._fulfillment_lines(order.order_id))
        if order.cancelled_at is None and open_lines:
            self.held_by_trueup.add(order.order_id)
        return self._on_hold(order.order_id)

    def release_fulfilment_holds(self, order_id: str) -> int:
        self._gate("release_fulfilment_holds")
        gid = order_gid_of(order_id)
        released = self._on_hold(gid)
        self.held_by_trueup.discard(gid)
        return released

    def _on_hold(self, order_id: str) -> int:
        """How many of the order's fulfilment orders trueup's hold keeps ON_HOLD (closed ones are not held)."""
        return sum(fo.status == "ON_HOLD" for fo in self._fulfillment_orders(order_id))

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
    def granted_scopes(self) -> frozenset[str]:
        self._gate("granted_scopes")
        return self.scopes

    def api_version_served(self) -> str | None:
        return self.api_version if self.calls else None

    def create_webhook(self, topic: str, uri: str) -> None:
        self._gate("create_webhook")
        if any(s.topic == topic and s.uri == uri for s in self._subscriptions):
            return  # as the client: an address already taken (another process subscribed it) is no error
        self._subscriptions.append(
            WebhookSubscription(f"gid://shopify/WebhookSubscription/{next(self._ids)}", topic, uri)
        )

    def update_webhook(self, subscription_id: str, uri: str) -> None:
        self._gate("update_webhook")
        found = next((i for i, s in enumerate(self._subscriptions) if s.subscription_id == subscription_id), None)
        if found is None:
            raise BadInput(
                f"Shopify refused the update of webhook subscription {subscription_id}: id: "
                "Webhook subscription does not exist"
            )
        self._subscriptions[found] = dataclasses.replace(self._subscriptions[found], uri=uri)

    def delete_webhook(self, subscription_id: str) -> None:
        self._gate("delete_webhook")
        before = len(self._subscriptions)
        self._subscriptions = [s for s in self._subscriptions if s.subscription_id != subscription_id]
        if len(self._subscriptions) == before:
            raise BadInput(
                f"Shopify refused the removal of webhook subscription {subscription_id}: id: "
                "Webhook subscription does not exist"
            )

    def webhook_subscriptions(self) -> list[WebhookSubscription]:
        self._gate("webhook_subscriptions")
        return list(self._subscriptions)

    def shop_info(self) -> ShopInfo:
        self._gate("shop_info")
        return self._shop_info

    def catalogue(self) -> list[CatalogueItem]:
        self._gate("catalogue")
        return list(self._catalogue)

    # --- inventory --------------------------------------------------------------------------------
    def locations(self) -> list[ShopLocation]:
        self._gate("locations")
        return self.inventory.all_locations()

    def inventory_levels(self, location_ids: Sequence[str], skus: Iterable[str] | None = None) -> list[InventoryLevel]:
        self._gate("inventory_levels")
        return self.inventory.inventory_levels(location_ids, skus)

    def set_available(self, writes: Sequence[StockWrite], idempotency_key: str) -> StockWriteResult:
        self._gate("set_available")
        return self.inventory.set_available(writes, idempotency_key)

    def _gate(self, call: str) -> None:
        self.calls.append(call)
        if self.down:
            raise TransientError(f"cannot reach Shopify for {self.shop}: fake is down")
        if self.throttled_next > 0:
            self.throttled_next -= 1
            raise TransientError(f"Shopify throttled {call}", retry_after=self.retry_after)
