"""ShopifyAdminClient over a scripted Shopify: orders, pagination and its loops, webhooks, catalogue, shop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tests.unit.shopify_client.payloads import ScriptedShopify, answer, line_item, order_node
from trueup.adapters.shopify import queries
from trueup.adapters.shopify.admin import ShopifyAdminClient, search_timestamp, topic_enum
from trueup.adapters.shopify.pagination import PaginationLoop
from trueup.domain.catalogue import BundleComponent
from trueup.domain.errors import BadInput

SHOP = "demo.myshopify.com"


def admin(
    handlers: dict[str, Callable[[dict], dict]], page_size: int = 2
) -> tuple[ShopifyAdminClient, ScriptedShopify]:
    shopify = ScriptedShopify(handlers)
    return ShopifyAdminClient(SHOP, "token", http=shopify.client(), page_size=page_size), shopify


def pages_of_ids(ids: list[int], size: int, cursors: Callable[[int], str] = lambda page: f"c{page}"):
    """An `orders` handler serving `ids` in pages of `size`, the page number in the cursor."""

    def handler(variables: dict) -> dict:
        page = 0 if variables["after"] is None else int(variables["after"][1:]) + 1
        chunk = ids[page * size : (page + 1) * size]
        more = (page + 1) * size < len(ids)
        nodes = [{"id": f"gid://shopify/Order/{n}", "updatedAt": "2026-11-27T08:00:00Z"} for n in chunk]
        return answer({"orders": {"pageInfo": {"hasNextPage": more, "endCursor": cursors(page)}, "nodes": nodes}})

    return handler


def fetch_any_order(variables: dict) -> dict:
    number = int(variables["id"].rsplit("/", 1)[1])
    return answer({"order": order_node(number)})


def test_fetch_order_returns_the_mapped_order() -> None:
    client, shopify = admin({queries.FETCH_ORDER.name: fetch_any_order})
    order = client.fetch_order("gid://shopify/Order/1001")
    assert order is not None
    assert (order.order_id, order.shop, order.lines[0].sku) == ("gid://shopify/Order/1001", SHOP, "TEE-M")
    assert shopify.requests[0][1] == {"id": "gid://shopify/Order/1001"}


def test_fetch_order_accepts_a_numeric_id_and_returns_none_for_an_unknown_order() -> None:
    client, shopify = admin({queries.FETCH_ORDER.name: lambda _v: answer({"order": None})})
    assert client.fetch_order("42") is None
    assert shopify.requests[0][1] == {"id": "gid://shopify/Order/42"}


def test_fetch_order_reads_every_line_item_page() -> None:
    def more_lines(variables: dict) -> dict:
        start = 2 if variables["after"] == "l1" else 3
        nodes = [line_item(start, f"SKU-{start}")]
        last = start == 3
        connection = {"pageInfo": {"hasNextPage": not last, "endCursor": f"l{start}"}, "nodes": nodes}
        return answer({"order": {"id": variables["id"], "lineItems": connection}})

    client, _ = admin(
        {
            queries.FETCH_ORDER.name: lambda _v: answer({"order": order_node(line_items_next="l1")}),
            queries.ORDER_LINE_ITEMS_PAGE.name: more_lines,
        }
    )
    order = client.fetch_order("gid://shopify/Order/1001")
    assert order is not None
    assert [line.sku for line in order.lines] == ["TEE-M", "SKU-2", "SKU-3"]


def test_orders_updated_since_walks_every_page_oldest_first() -> None:
    ids = [5, 3, 9, 1, 7]
    client, shopify = admin(
        {queries.ORDERS_UPDATED_SINCE.name: pages_of_ids(ids, 2), queries.FETCH_ORDER.name: fetch_any_order}
    )
    since = datetime(2026, 11, 27, 7, 30, 15, 999_000, tzinfo=UTC)
    orders = list(client.orders_updated_since(since))
    assert [o.numeric_id for o in orders] == ids
    page_requests = [v for name, v, _ in shopify.requests if name == queries.ORDERS_UPDATED_SINCE.name]
    assert [v["after"] for v in page_requests] == [None, "c0", "c1"]
    assert page_requests[0]["query"] == "updated_at:>='2026-11-27T07:30:15Z'"
    assert page_requests[0]["first"] == 2


def test_an_order_seen_twice_while_paging_is_read_once() -> None:
    client, _ = admin(
        {queries.ORDERS_UPDATED_SINCE.name: pages_of_ids([1, 2, 2, 3], 2), queries.FETCH_ORDER.name: fetch_any_order}
    )
    assert [o.numeric_id for o in client.orders_updated_since(datetime(2026, 1, 1, tzinfo=UTC))] == [1, 2, 3]


def test_a_cursor_that_comes_back_is_a_loop() -> None:
    looping = pages_of_ids(list(range(10)), 2, cursors=lambda page: "c0")
    client, shopify = admin({queries.ORDERS_UPDATED_SINCE.name: looping, queries.FETCH_ORDER.name: fetch_any_order})
    with pytest.raises(PaginationLoop):
        list(client.orders_updated_since(datetime(2026, 1, 1, tzinfo=UTC)))
    assert shopify.names().count(queries.ORDERS_UPDATED_SINCE.name) == 2


def test_a_next_page_without_cursor_is_a_loop() -> None:
    def endless(_v: dict) -> dict:
        return answer({"orders": {"pageInfo": {"hasNextPage": True, "endCursor": None}, "nodes": []}})

    client, _ = admin({queries.ORDERS_UPDATED_SINCE.name: endless})
    with pytest.raises(PaginationLoop):
        list(client.orders_updated_since(datetime(2026, 1, 1, tzinfo=UTC)))


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 11, 27, 8, 0, 0, 1, tzinfo=UTC), "2026-11-27T08:00:00Z"),
        (datetime(2026, 11, 27, 10, 0, tzinfo=timezone(timedelta(hours=2))), "2026-11-27T08:00:00Z"),
        (datetime(2026, 11, 27, 8, 0), "2026-11-27T08:00:00Z"),
    ],
)
def test_search_timestamps_are_utc_and_floored(moment: datetime, text: str) -> None:
    assert search_timestamp(moment) == text


# --- webhooks ----------------------------------------------------------------------------------


class WebhookShop:
    def __init__(self, existing: list[tuple[str, str]], user_errors: list[dict] | None = None) -> None:
        self.subscriptions = [
            {"id": f"gid://shopify/WebhookSubscription/{i}", "topic": t, "uri": u} for i, (t, u) in enumerate(existing)
        ]
        self.user_errors = user_errors or []

    def list(self, variables: dict) -> dict:
        page = 0 if variables["after"] is None else 1
        nodes = self.subscriptions[page * 2 : page * 2 + 2] if page == 0 else self.subscriptions[2:]
        more = page == 0 and len(self.subscriptions) > 2
        return answer({"webhookSubscriptions": {"pageInfo": {"hasNextPage": more, "endCursor": "w0"}, "nodes": nodes}})

    def create(self, variables: dict) -> dict:
        if self.user_errors:
            return answer({"webhookSubscriptionCreate": {"webhookSubscription": None, "userErrors": self.user_errors}})
        node = {"id": f"gid://shopify/WebhookSubscription/{len(self.subscriptions)}", **variables}
        self.subscriptions.append(node)
        return answer({"webhookSubscriptionCreate": {"webhookSubscription": node, "userErrors": []}})

    def handlers(self) -> dict:
        return {queries.WEBHOOK_SUBSCRIPTIONS.name: self.list, queries.WEBHOOK_SUBSCRIPTION_CREATE.name: self.create}


URL = "https://trueup.example/webhooks/shopify"


def test_ensure_webhooks_creates_only_the_missing_subscriptions() -> None:
    shop = WebhookShop(
        [("ORDERS_CREATE", URL), ("ORDERS_UPDATED", "https://other.example/hook"), ("APP_UNINSTALLED", URL)]
    )
    client, shopify = admin(shop.handlers())
    client.ensure_webhooks(URL, ["orders/create", "orders/updated", "orders/paid", "orders/paid"])
    created = [v for name, v, _ in shopify.requests if name == queries.WEBHOOK_SUBSCRIPTION_CREATE.name]
    assert created == [{"topic": "ORDERS_UPDATED", "uri": URL}, {"topic": "ORDERS_PAID", "uri": URL}]
    client.ensure_webhooks(URL, ["orders/create", "orders/updated", "orders/paid"])
    assert shopify.names().count(queries.WEBHOOK_SUBSCRIPTION_CREATE.name) == 2


def test_a_subscription_taken_meanwhile_is_fine() -> None:
    shop = WebhookShop(
        [],
        [{"field": ["webhookSubscription", "callbackUrl"], "message": "Address for this topic has already been taken"}],
    )
    client, _ = admin(shop.handlers())
    client.ensure_webhooks(URL, ["orders/create"])


def test_a_refused_subscription_is_bad_input_with_shopifys_reason() -> None:
    shop = WebhookShop([], [{"field": ["webhookSubscription", "uri"], "message": "Address is invalid"}])
    client, _ = admin(shop.handlers())
    with pytest.raises(BadInput) as caught:
        client.ensure_webhooks("ftp://nowhere", ["orders/create"])
    assert "Address is invalid" in str(caught.value)


@pytest.mark.parametrize(
    ("rest", "enum"),
    [
        ("orders/create", "ORDERS_CREATE"),
        ("app/uninstalled", "APP_UNINSTALLED"),
        ("inventory_levels/update", "INVENTORY_LEVELS_UPDATE"),
    ],
)
def test_rest_topics_become_shopify_enum_values(rest: str, enum: str) -> None:
    assert topic_enum(rest) == enum


@pytest.mark.parametrize("bad", ["ORDERS_CREATE", "orders", "orders/create; drop"])
def test_a_malformed_topic_is_bad_input(bad: str) -> None:
    with pytest.raises(BadInput):
        topic_enum(bad)


# --- shop and catalogue ------------------------------------------------------------------------


def test_shop_info_reads_currency_taxes_and_every_location() -> None:
    def shop_page(variables: dict) -> dict:
        first = variables["after"] is None
        nodes = (
            [{"id": "gid://shopify/Location/1", "name": "Main", "isActive": True}]
            if first
            else [{"id": "gid://shopify/Location/2", "name": "Overflow", "isActive": False}]
        )
        shop = {"name": "Demo", "myshopifyDomain": SHOP, "currencyCode": "EUR", "taxesIncluded": True}
        return answer(
            {"shop": shop, "locations": {"pageInfo": {"hasNextPage": first, "endCursor": "x"}, "nodes": nodes}}
        )

    client, _ = admin({queries.SHOP_INFO.name: shop_page})
    info = client.shop_info()
    assert (info.currency, info.taxes_included, info.domain) == ("EUR", True, SHOP)
    assert [(loc.location_id, loc.name, loc.is_active) for loc in info.locations] == [
        ("gid://shopify/Location/1", "Main", True),
        ("gid://shopify/Location/2", "Overflow", False),
    ]


def test_catalogue_reads_variants_and_bundle_components() -> None:
    def variant(n: int, sku: str, price: str, bundle: bool = False) -> dict:
        probe = [{"id": f"gid://shopify/ProductVariantComponent/{n}"}] if bundle else []
        return {
            "id": f"gid://shopify/ProductVariant/{n}",
            "sku": sku,
            "displayName": f"Product - {sku}",
            "price": price,
            "inventoryItem": {"id": f"gid://shopify/InventoryItem/{n}"},
            "productVariantComponents": {"nodes": probe},
        }

    def catalogue_page(_v: dict) -> dict:
        nodes = [variant(1, "TEE-M", "20.00"), variant(2, "CAP", "9.50"), variant(3, "KIT", "25.00", bundle=True)]
        connection = {"pageInfo": {"hasNextPage": False, "endCursor": "v"}, "nodes": nodes}
        return answer({"shop": {"currencyCode": "EUR"}, "productVariants": connection})

    def components(variables: dict) -> dict:
        nodes = [
            {"quantity": 2, "productVariant": {"id": "gid://shopify/ProductVariant/1", "sku": "TEE-M"}},
            {"quantity": 1, "productVariant": {"id": "gid://shopify/ProductVariant/2", "sku": "CAP"}},
        ]
        connection = {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": nodes}
        return answer({"productVariant": {"id": variables["id"], "productVariantComponents": connection}})

    client, shopify = admin({queries.CATALOGUE_PAGE.name: catalogue_page, queries.VARIANT_COMPONENTS.name: components})
    items = {item.sku: item for item in client.catalogue()}
    assert items["TEE-M"].price.amount == Decimal("20.00")
    assert items["TEE-M"].inventory_item_id == "gid://shopify/InventoryItem/1"
    assert not items["CAP"].is_bundle
    assert items["KIT"].components == (BundleComponent("TEE-M", 2), BundleComponent("CAP", 1))
    assert shopify.names().count(queries.VARIANT_COMPONENTS.name) == 1
