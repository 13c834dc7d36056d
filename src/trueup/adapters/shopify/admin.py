"""ShopifyAdminClient: the ShopifyAdmin port over Shopify's Admin GraphQL API."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from trueup.adapters.shopify import fulfilment_calls, fulfilment_holds, queries
from trueup.adapters.shopify.access_tokens import AccessTokens
from trueup.adapters.shopify.cost_budget import CostBudget
from trueup.adapters.shopify.graphql import DEFAULT_API_VERSION, ShopifyGraphQL, ShopifyQueryError
from trueup.adapters.shopify.inventory import ShopifyInventory
from trueup.adapters.shopify.order_mapping import map_order
from trueup.adapters.shopify.pagination import walk_pages
from trueup.adapters.shopify.payouts import ShopifyPayments
from trueup.adapters.shopify.refund_mapping import map_refunds
from trueup.adapters.shopify.shop_mapping import ShopInfo, has_components, map_shop, map_variant
from trueup.domain.catalogue import CatalogueItem
from trueup.domain.errors import BadInput, Cause, StructuralError
from trueup.domain.fulfilment import FulfilmentRequest, OrderFulfilment, Tracking
from trueup.domain.inventory import InventoryLevel, ShopLocation, StockWrite, StockWriteResult
from trueup.domain.money import Money
from trueup.domain.orders import FinancialStatus, ShopifyOrder, order_gid, payment_is_settled
from trueup.domain.party_fields import MetafieldOwner, MetafieldSource
from trueup.domain.refunds import Refund
from trueup.domain.shop_setup import WebhookSubscription
from trueup.service_layer.ports import OrderStamp

_REST_TOPIC = re.compile(r"^[a-z_]+/[a-z_]+$")


@dataclass(frozen=True)
class OrderSummary:
    order_id: str
    name: str
    updated_at: datetime
    financial_status: str
    cancelled: bool
    total: Money  # current total, shop money
    on_payment_terms: bool = False

    @property
    def postable(self) -> bool:
        """A sale the ERP must hold: not cancelled, and paid, authorised or on payment terms."""
        settled = payment_is_settled(FinancialStatus(self.financial_status), on_payment_terms=self.on_payment_terms)
        return settled and not self.cancelled


def topic_enum(rest_topic: str) -> str:
    """ "orders/create" → "ORDERS_CREATE" (WebhookSubscriptionTopic)."""
    if not _REST_TOPIC.match(rest_topic):
        raise BadInput(f"not a Shopify webhook topic: {rest_topic!r} (expected the REST form, e.g. orders/create)")
    return rest_topic.replace("/", "_").upper()


def order_gid_of(order_id: str) -> str:
    """`order_id` as the gid Shopify's Admin API takes (see `domain.orders.order_gid`); BadInput for what is
    not an order's id."""
    gid = order_gid(order_id)
    if gid is None:
        raise BadInput(f"not a Shopify order id: {order_id!r}")
    return gid


def fulfilment_input(request: FulfilmentRequest) -> dict[str, Any]:
    """FulfillmentInput for `request`: tracking only with what the ERP has."""
    tracking = {
        key: value
        for key, value in (
            ("company", request.carrier),
            ("number", request.tracking_number),
            ("url", request.tracking_url),
        )
        if value
    }
    fulfillment: dict[str, Any] = {
        "lineItemsByFulfillmentOrder": [
            {
                "fulfillmentOrderId": fo_id,
                "fulfillmentOrderLineItems": [{"id": line_id, "quantity": q} for line_id, q in lines.items()],
            }
            for fo_id, lines in request.lines_by_order.items()
        ],
        "notifyCustomer": request.notify_customer,
    }
    if tracking:
        fulfillment["trackingInfo"] = tracking
    return fulfillment


def search_timestamp(moment: datetime) -> str:
    """`moment` in Shopify's search syntax, UTC, floored to the second (so `>=` never misses an order)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


class ShopifyAdminClient:
    """One shop's Admin API. Thread-safe as far as httpx.Client is; share one per shop (one budget)."""

    def __init__(
        self,
        shop_domain: str,
        access_token: str | AccessTokens,
        api_version: str = DEFAULT_API_VERSION,
        base_url: str | None = None,
        http: httpx.Client | None = None,
        *,
        budget: CostBudget | None = None,
        page_size: int = queries.ORDERS_PAGE_SIZE,
        metafields: Sequence[MetafieldSource] = (),
    ) -> None:
        if not 1 <= page_size <= queries.ORDERS_PAGE_SIZE:
            raise ValueError(f"page_size must be within 1..{queries.ORDERS_PAGE_SIZE}")
        self.shop = shop_domain
        self.graphql = ShopifyGraphQL(
            shop_domain, access_token, api_version=api_version, base_url=base_url, http=http, budget=budget
        )
        self._page_size = page_size
        # The configured customer and company metafields are read with the order, in the same query.
        self._customer_metafields = tuple(m for m in metafields if m.owner is MetafieldOwner.CUSTOMER)
        self._company_metafields = tuple(m for m in metafields if m.owner is MetafieldOwner.COMPANY)
        self._fetch_order = queries.fetch_order(self._customer_metafields, self._company_metafields)
        # Stock calls leave room for order reads from the start, wherever on the shop they are made.
        self.graphql.budget.expect_order_call(self._fetch_order.estimated_cost)
        self.inventory = ShopifyInventory(self.graphql)
        self.usage = self.graphql.usage  # the shop's API use per minute, for the worker to store
        self.payments = ShopifyPayments(self.graphql)

    def close(self) -> None:
        self.graphql.close()

    # --- orders ------------------------------------------------------------------------------
    def fetch_order(self, order_id: str) -> ShopifyOrder | None:
        """The order as Shopify holds it now (every line item page), or None if Shopify does not know it."""
        gid = order_gid_of(order_id)
        order = self.graphql.execute(self._fetch_order, {"id": gid}).get("order")
        if order is None:
            return None
        page_info = order["lineItems"].get("pageInfo") or {}
        extra: list[Mapping[str, Any]] = []
        if page_info.get("hasNextPage"):
            extra = list(
                walk_pages(
                    lambda after: self._line_items_page(gid, after),
                    f"the line items of {gid}",
                    start_after=page_info.get("endCursor"),
                )
            )
        # The sale is the order before refunds: an order with refunds is read with them (`map_order`).
        refunds = self.order_refunds(gid) if order.get("refunds") else []
        return map_order(
            self.shop,
            order,
            extra,
            customer_metafields=self._customer_metafields,
            company_metafields=self._company_metafields,
            refunds=refunds,
        )

    def order_refunds(self, order_id: str) -> list[Refund]:
        """The order's refunds, oldest first (none when Shopify does not know the order)."""
        order = self.graphql.execute(queries.ORDER_REFUNDS, {"id": order_gid_of(order_id)}).get("order")
        return map_refunds(order) if order is not None else []

    def _line_items_page(self, gid: str, after: str | None) -> Mapping[str, Any]:
        order = self.graphql.execute(queries.ORDER_LINE_ITEMS_PAGE, {"id": gid, "after": after}).get("order")
        if order is None:  # deleted between two pages: the next attempt will see it gone
            raise ShopifyQueryError(queries.ORDER_LINE_ITEMS_PAGE.name, [f"{gid} vanished while paging"])
        connection: Mapping[str, Any] = order["lineItems"]
        return connection

    def order_ids_updated_since(self, since: datetime) -> Iterator[OrderStamp]:
        """The id and update time of every order updated at or after `since`, oldest update first, across
        all pages: one cheap query per 50 orders. What a reconciliation poll needs to queue each order's
        own sync (where one order's bad data parks that order only)."""
        search = f"updated_at:>='{search_timestamp(since)}'"
        seen: set[str] = set()

        def page(after: str | None) -> Mapping[str, Any]:
            variables = {"query": search, "first": self._page_size, "after": after}
            connection: Mapping[str, Any] = self.graphql.execute(queries.ORDERS_UPDATED_SINCE, variables)["orders"]
            return connection

        for node in walk_pages(page, "orders updated since a time"):
            gid = str(node["id"])
            if gid in seen:  # an order updated while we page moves to the end: list it once
                continue
            seen.add(gid)
            yield OrderStamp(gid, datetime.fromisoformat(str(node["updatedAt"])))

    def order_summaries_since(self, since: datetime) -> Iterator[OrderSummary]:
        """Name, status and current total of every order updated at or after `since`: cheap, for reports."""
        search = f"updated_at:>='{search_timestamp(since)}'"

        def page(after: str | None) -> Mapping[str, Any]:
            variables = {"query": search, "first": self._page_size, "after": after}
            connection: Mapping[str, Any] = self.graphql.execute(queries.ORDER_SUMMARIES_SINCE, variables)["orders"]
            return connection

        seen: set[str] = set()
        for node in walk_pages(page, "order summaries since a time"):
            if node["id"] in seen:
                continue
            seen.add(node["id"])
            money = node["currentTotalPriceSet"]["shopMoney"]
            yield OrderSummary(
                order_id=str(node["id"]),
                name=str(node["name"]),
                updated_at=datetime.fromisoformat(str(node["updatedAt"])),
                financial_status=str(node["displayFinancialStatus"]),
                cancelled=node["cancelledAt"] is not None,
                total=Money(Decimal(str(money["amount"])), str(money["currencyCode"])),
                on_payment_terms=node.get("paymentTerms") is not None,
            )

    def orders_updated_since(self, since: datetime) -> Iterator[ShopifyOrder]:
        """Every order updated at or after `since`, oldest update first, across all pages. An order whose
        data cannot be read raises its StructuralError here, ending the walk: a poll that must go on
        past such an order uses `order_ids_updated_since` and fetches each order on its own."""
        for stamp in self.order_ids_updated_since(since):
            order = self.fetch_order(stamp.order_id)
            if order is not None:  # deleted since the page was read
                yield order

    # --- fulfilment --------------------------------------------------------------------------
    def order_fulfilment(self, order_id: str) -> OrderFulfilment | None:
        """The order's fulfilment orders (every page, with their assigned locations) and its fulfilments."""
        return fulfilment_calls.read_order_fulfilment(self.graphql, order_gid_of(order_id))

    def update_tracking(self, fulfillment_id: str, tracking: Tracking, *, notify_customer: bool) -> None:
        """fulfillmentTrackingInfoUpdate; Shopify's refusal is a StructuralError saying what to do."""
        fulfilment_calls.update_tracking(self.graphql, fulfillment_id, tracking, notify_customer=notify_customer)

    def create_fulfilment(self, request: FulfilmentRequest) -> str:
        """fulfillmentCreate for `request`; Shopify's refusal is a StructuralError saying what to do."""
        variables = {"fulfillment": fulfilment_input(request)}
        result = self.graphql.execute(queries.FULFILLMENT_CREATE, variables)["fulfillmentCreate"]
        errors = result.get("userErrors") or []
        if errors or not result.get("fulfillment"):
            details = "; ".join(str(e.get("message")) for e in errors) or "no fulfilment returned"
            raise StructuralError(Cause.FULFILMENT_ORDER_NOT_FOUND, f"Shopify refused the fulfilment: {details}")
        return str(result["fulfillment"]["id"])

    # --- the hold window (adapters/shopify/fulfilment_holds.py) --------------------------------
    def hold_fulfilment(self, order_id: str, reason_notes: str) -> int:
        """Hold the order's open fulfilment orders under trueup's own hold; how many it holds."""
        return fulfilment_holds.hold(self.graphql, order_gid_of(order_id), reason_notes)

    def release_fulfilment_holds(self, order_id: str) -> int:
        """Release trueup's own holds on the order's fulfilment orders; how many were released."""
        return fulfilment_holds.release(self.graphql, order_gid_of(order_id))

    # --- webhooks ----------------------------------------------------------------------------
    # --- inventory (adapters/shopify/inventory.py; at inventory priority on the shop's budget) -------
    def locations(self) -> list[ShopLocation]:
        """Every location of the shop, active or not."""
        return self.inventory.locations()

    def inventory_levels(self, location_ids: Sequence[str], skus: Iterable[str] | None = None) -> list[InventoryLevel]:
        """`available` at `location_ids` of `skus` (paged), or of the whole catalogue (a bulk operation)."""
        return self.inventory.inventory_levels(location_ids, skus)

    def set_available(self, writes: Sequence[StockWrite], idempotency_key: str) -> StockWriteResult:
        """inventorySetQuantities with changeFromQuantity and the key; stale writes come back unapplied."""
        return self.inventory.set_available(writes, idempotency_key)

    def webhook_subscriptions(self) -> list[WebhookSubscription]:
        """Every webhook subscription of this app on the shop."""

        def page(after: str | None) -> Mapping[str, Any]:
            connection: Mapping[str, Any] = self.graphql.execute(queries.WEBHOOK_SUBSCRIPTIONS, {"after": after})[
                "webhookSubscriptions"
            ]
            return connection

        return [
            WebhookSubscription(str(n["id"]), str(n["topic"]), str(n["uri"]))
            for n in walk_pages(page, "webhook subscriptions")
        ]

    # --- set-up (`trueup shop connect`) -------------------------------------------------------------
    def granted_scopes(self) -> frozenset[str]:
        """The access scopes the shop granted this app."""
        installation = self.graphql.execute(queries.GRANTED_SCOPES)["currentAppInstallation"]
        return frozenset(str(scope["handle"]) for scope in installation["accessScopes"])

    def api_version_served(self) -> str | None:
        """The API version Shopify answered the last request with (it falls back from an unsupported one)."""
        return self.graphql.api_version_served

    def create_webhook(self, topic: str, uri: str) -> None:
        """Subscribe `uri` to `topic` (enum form)."""
        self._create_subscription(topic, uri)

    def update_webhook(self, subscription_id: str, uri: str) -> None:
        """Point the subscription at `uri`."""
        variables = {"id": subscription_id, "uri": uri}
        result = self.graphql.execute(queries.WEBHOOK_SUBSCRIPTION_UPDATE, variables)["webhookSubscriptionUpdate"]
        _raise_user_errors(result, f"the update of webhook subscription {subscription_id}")

    def delete_webhook(self, subscription_id: str) -> None:
        """Remove the subscription."""
        variables = {"id": subscription_id}
        result = self.graphql.execute(queries.WEBHOOK_SUBSCRIPTION_DELETE, variables)["webhookSubscriptionDelete"]
        _raise_user_errors(result, f"the removal of webhook subscription {subscription_id}")

    def ensure_webhooks(self, callback_url: str, topics: Sequence[str]) -> None:
        """Subscribe `callback_url` to `topics` (REST form, "orders/create"), without duplicating subscriptions."""
        wanted = [topic_enum(t) for t in topics]
        present = {(s.topic, s.uri) for s in self.webhook_subscriptions()}
        for topic in dict.fromkeys(wanted):
            if (topic, callback_url) not in present:
                self._create_subscription(topic, callback_url)

    def _create_subscription(self, topic: str, uri: str) -> None:
        variables = {"topic": topic, "uri": uri}
        result = self.graphql.execute(queries.WEBHOOK_SUBSCRIPTION_CREATE, variables)["webhookSubscriptionCreate"]
        errors = result.get("userErrors") or []
        # Two trueup processes may subscribe at once: Shopify then says the address is taken.
        refused = [e for e in errors if "taken" not in str(e.get("message", "")).lower()]
        if refused:
            details = "; ".join(f"{'.'.join(e.get('field') or [])}: {e.get('message')}" for e in refused)
            raise BadInput(f"Shopify refused the {topic} webhook subscription: {details}")

    # --- shop and catalogue ------------------------------------------------------------------
    def shop_info(self) -> ShopInfo:
        """The shop's currency, whether its prices include tax, and its locations."""
        shops: list[Mapping[str, Any]] = []

        def page(after: str | None) -> Mapping[str, Any]:
            data = self.graphql.execute(queries.SHOP_INFO, {"after": after})
            shops.append(data["shop"])
            connection: Mapping[str, Any] = data["locations"]
            return connection

        locations = list(walk_pages(page, "locations"))
        return map_shop(shops[0], locations)

    def catalogue(self) -> list[CatalogueItem]:
        """Every product variant with its SKU, price and inventory item; bundles with their components."""
        currencies: list[str] = []

        def page(after: str | None) -> Mapping[str, Any]:
            data = self.graphql.execute(queries.CATALOGUE_PAGE, {"after": after})
            currencies.append(str(data["shop"]["currencyCode"]))
            connection: Mapping[str, Any] = data["productVariants"]
            return connection

        items = []
        for node in walk_pages(page, "product variants"):
            components = self._components(str(node["id"])) if has_components(node) else []
            items.append(map_variant(node, currencies[0], components))
        return items

    def _components(self, variant_id: str) -> list[Mapping[str, Any]]:
        def page(after: str | None) -> Mapping[str, Any]:
            data = self.graphql.execute(queries.VARIANT_COMPONENTS, {"id": variant_id, "after": after})
            variant = data.get("productVariant") or {}
            connection: Mapping[str, Any] = variant.get("productVariantComponents") or {}
            return connection

        return list(walk_pages(page, f"the components of {variant_id}"))


def _raise_user_errors(result: Mapping[str, Any], what: str) -> None:
    errors = result.get("userErrors") or []
    if errors:
        details = "; ".join(f"{'.'.join(e.get('field') or [])}: {e.get('message')}" for e in errors)
        raise BadInput(f"Shopify refused {what}: {details}")
