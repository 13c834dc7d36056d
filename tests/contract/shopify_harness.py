"""One harness for the ShopifyAdmin contract tests: the port under test (FakeShopifyAdmin, or trueup's real
client talking HTTP to the Shopify sandbox) with what a test does behind it, as a customer or a merchant would
in Shopify (place, change and refund orders, set stock, take an order's stock) and reads back there (tracking).

Both sides start from one description of the shop (`Shop`, tests/support/sandbox.py): the sandbox is seeded
from it, the fake arranged from it. The contract modules (test_shopify_*_contract.py) take the `shopify`
fixture (tests/contract/conftest.py) and choose their shop by overriding the `shop` fixture."""

from __future__ import annotations

import dataclasses
import itertools
import socket
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any, Protocol

import httpx
import pytest

from tests.fakes.shopify import FakeShopifyAdmin
from tests.fakes.shopify_inventory import FakeShopifyInventory
from tests.support.sandbox import (
    LOCATIONS,
    ORDER_CREATE,
    SMALL_SHOP,
    RunningSandbox,
    Shop,
    running_sandbox,
    sandbox_available,
)
from trueup.adapters.shopify.admin import ShopifyAdminClient
from trueup.adapters.shopify.shop_mapping import ShopInfo
from trueup.domain.catalogue import BundleComponent, CatalogueItem
from trueup.domain.errors import TransientError
from trueup.domain.fulfilment import Tracking
from trueup.domain.money import Money, allocate
from trueup.domain.orders import FinancialStatus, OrderLine, ShippingLine, ShopifyOrder
from trueup.domain.refunds import Refund, RefundLine, RefundShipping, RestockType
from trueup.domain.taxes import TaxLine

# The small shop with its T-shirts stocked at the main warehouse and its caps at the overflow only, so that
# Shopify routes one order of both to two fulfilment orders.
MAIN, OVERFLOW = LOCATIONS
TWO_LOCATION_SHOP = dataclasses.replace(
    SMALL_SHOP, stock={("TEE-M", MAIN): 100, ("TEE-S", MAIN): 100, ("CAP", OVERFLOW): 100}
)

# A shop in GBP with prices including tax, a closed location, and "SOCK" a prefix of "SOCK-L" (a search by SKU
# must not mistake one for the other).
STOCK = {("SOCK", "North"): 10, ("SOCK", "South"): 4, ("SOCK-L", "North"): 7, ("HAT", "North"): 0}
STOCK_SHOP = Shop(
    name="Stock shop",
    domain="stock-shop.myshopify.com",
    currency="GBP",
    taxes_included=True,
    products=(("Socks", ("SOCK", "SOCK-L")), ("Hat", ("HAT",)), ("Set", ("SET",))),
    prices=dict.fromkeys(("SOCK", "SOCK-L", "HAT", "SET"), Decimal("5.00")),
    kits={"SET": {"HAT": 1}},
    locations=("North", "South"),
    inactive=("Old shop",),
    stock=STOCK,
    address=("1 Quay", "Hull", "HU1", "GB"),
)

# What the harness sends as a customer or a merchant would (never trueup), validated against the schema like
# trueup's own documents (test_shopify_contract.py).
MERCHANT_SET = """
mutation TestMerchantSet($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    userErrors { field message code }
  }
}
"""
ITEMS_BY_SKU = """
query TestItems($after: String) {
  inventoryItems(first: 50, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id sku }
  }
}
"""
TAKE_ORDER = """
mutation TestTakeOrder($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) { order { id } userErrors { field message } }
}
"""
LOCATION_IDS = """
query TestLocations { locations(first: 10, includeInactive: true) { nodes { id name } } }
"""
REFUND = """
mutation TrueupContractRefund($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) { refund { id } userErrors { field message } }
}
"""
LINE_ITEMS = """
query TrueupContractLines($id: ID!) { order(id: $id) { lineItems(first: 5) { nodes { id sku } } } }
"""
TRACKING = "query T($id: ID!) { fulfillment(id: $id) { trackingInfo(first: 5) { company number url } } }"
HARNESS_DOCUMENTS = (MERCHANT_SET, ITEMS_BY_SKU, TAKE_ORDER, LOCATION_IDS, REFUND, LINE_ITEMS, TRACKING)

CUSTOM_PRICE = Decimal("5.00")  # the unit price of a custom line (a SKU the shop does not sell): place_many


class ShopifyHarness(Protocol):
    """What the contract tests need of the Shopify port and behind it."""

    admin: Any  # FakeShopifyAdmin | ShopifyAdminClient
    shop: Shop

    @property
    def location_ids(self) -> dict[str, str]:
        """Location name → gid, closed locations too."""

    @property
    def item_ids(self) -> dict[str, str]:
        """Tracked SKU → its inventory item's gid."""

    # --- the clock -------------------------------------------------------------------------------------
    def now(self) -> datetime: ...

    def tick(self) -> None:
        """Five seconds later: distinct timestamps (and, on the sandbox, a refilled cost bucket)."""

    # --- customers and merchants in Shopify --------------------------------------------------------------
    def place(self, lines: Sequence[tuple[str, int]], financial_status: str = "PAID") -> str:
        """An order of (SKU, quantity) lines at the shop's prices, a kit as its grouped component lines, each
        line at the first location holding its SKU; its gid."""

    def place_many(self, count: int) -> str:
        """One order of `count` custom lines PAGE-<i> (one unit at 5.00 each), all at the first location."""

    def touch(self, order_id: str) -> None:
        """A change to the order, so that Shopify moves its `updatedAt`."""

    def place_and_refund(self) -> str:
        """Three TEE-M at 19.99 with 11.99 VAT, shipping 5.00 with 1.00 VAT (77.96), and a refund of one tee
        (19.99 and its third of the VAT, 4.00) restocked at the first location, with all the shipping: 29.99."""

    def merchant_sets(self, sku: str, location: str, available: int) -> None:
        """The merchant sets `available` of `sku` at `location` in Shopify's admin."""

    def takes_order(self, sku: str, quantity: int) -> None:
        """A storefront order for `quantity` units of `sku` at the location holding it: available → committed."""

    # --- read back ---------------------------------------------------------------------------------------
    def tracking(self, fulfillment_id: str) -> Tracking: ...

    # --- failures ----------------------------------------------------------------------------------------
    def unreachable(self) -> Any:
        """The port of a shop that cannot be reached."""

    def spend_until_throttled(self) -> TransientError:
        """The error of a request Shopify throttled."""

    def recover(self) -> None:
        """After spend_until_throttled: the harness's own shop is not left throttled."""


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def bag(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "EUR"}}


class FakeShopify:
    """FakeShopifyAdmin arranged as Shopify holds the shop: locations, items and their stock, the catalogue
    (bundles with their components), orders as the sandbox makes them (a kit as grouped component lines)."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self._now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
        self._numbers = itertools.count(1001)
        stock = FakeShopifyInventory(self.now)
        for name in shop.locations + shop.inactive:
            stock.add_location(name, active=name not in shop.inactive)
        self.location_ids = {location.name: gid for gid, location in stock.locations.items()}
        skus = [sku for _, skus in shop.products for sku in skus]
        self.item_ids = {sku: stock.item_id(sku) for sku in skus if sku not in shop.kits}
        for (sku, location), available in shop.stock.items():
            stock.put_level(sku, self.location_ids[location], available)
        catalogue = [
            CatalogueItem(
                sku,
                sku,
                Money(shop.prices[sku], shop.currency),
                f"gid://shopify/ProductVariant/{i}",
                self.item_ids.get(sku),
                tuple(BundleComponent(c, q) for c, q in shop.kits.get(sku, {}).items()),
            )
            for i, sku in enumerate(skus, 1)
        ]
        active = tuple(stock.locations[self.location_ids[n]] for n in shop.locations)
        info = ShopInfo(shop.name, shop.domain, shop.currency, shop.taxes_included, active)
        self.admin = FakeShopifyAdmin(shop.domain, clock=self.now, shop_info=info, catalogue=catalogue, inventory=stock)

    def now(self) -> datetime:
        return self._now

    def tick(self) -> None:
        self._now += timedelta(seconds=5)

    def place(self, lines: Sequence[tuple[str, int]], financial_status: str = "PAID") -> str:
        number = next(self._numbers)
        order_lines = [
            line for i, (sku, quantity) in enumerate(lines) for line in self._lines(number, i, sku, quantity)
        ]
        return self._put(number, order_lines, financial_status)

    def place_many(self, count: int) -> str:
        number = next(self._numbers)
        money = Money(CUSTOM_PRICE, self.shop.currency)
        lines = [
            OrderLine(self._line_id(number, i), f"PAGE-{i}", f"Page {i}", 1, money, Money.zero(self.shop.currency))
            for i in range(count)
        ]
        return self._put(number, lines)

    @staticmethod
    def _line_id(number: int, index: int, part: str = "") -> str:
        return f"gid://shopify/LineItem/{number}{index:03}{part}"

    def _lines(self, number: int, index: int, sku: str, quantity: int) -> list[OrderLine]:
        currency = self.shop.currency
        zero = Money.zero(currency)
        components = self.shop.kits.get(sku)
        if not components:
            price = Money(self.shop.prices[sku], currency)
            return [OrderLine(self._line_id(number, index), sku, sku, quantity, price, zero)]
        group = f"gid://shopify/LineItemGroup/{number}{index:03}"
        weights = [self.shop.prices[c] * q for c, q in components.items()]
        shares = allocate(Money(self.shop.prices[sku], currency), weights)
        return [
            OrderLine(
                self._line_id(number, index, str(j)),
                c,
                c,
                q * quantity,
                Money(share.amount / q, currency),
                zero,
                group_id=group,
            )
            for j, ((c, q), share) in enumerate(zip(components.items(), shares, strict=True))
        ]

    def _put(self, number: int, lines: list[OrderLine], financial_status: str = "PAID") -> str:
        order = self._order(number, lines, financial_status=FinancialStatus(financial_status))
        for line in lines:
            location = self.shop.location_of(line.sku)
            if location != self.shop.locations[0]:
                self.admin.place_line_at(order.order_id, line.line_id, self.location_ids[location])
        return order.order_id

    def _order(self, number: int, lines: Sequence[OrderLine], **fields: Any) -> ShopifyOrder:
        """The order of `lines` (with `fields` replaced) put in the fake; untaxed, without shipping by default."""
        currency = fields.get("currency", self.shop.currency)
        order = ShopifyOrder(
            shop=self.shop.domain,
            order_id=f"gid://shopify/Order/{number}",
            name=f"#{number}",
            currency=currency,
            financial_status=FinancialStatus.PAID,
            lines=tuple(lines),
            shipping=(),
            total_price=Money(sum((line.net.amount for line in lines), Decimal(0)), currency),
            total_tax=Money.zero(currency),
            taxes_included=self.shop.taxes_included,
            customer=None,
            shipping_address=None,
            billing_address=None,
            created_at=self._now,
            updated_at=self._now,
        )
        return self.admin.put_order(dataclasses.replace(order, **fields))

    def touch(self, order_id: str) -> None:
        self.admin.update_order(order_id, tags=("changed",))

    def place_and_refund(self) -> str:
        number = next(self._numbers)
        vat = (TaxLine("VAT", Decimal("0.2"), eur("11.99")),)
        line = OrderLine(self._line_id(number, 0), "TEE-M", "TEE-M", 3, eur("19.99"), eur("0"), vat)
        shipping = ShippingLine("Standard", eur("5.00"), eur("0"), (TaxLine("VAT", Decimal("0.2"), eur("1.00")),))
        order = self._order(
            number,
            [line],
            currency="EUR",
            shipping=(shipping,),
            total_price=eur("77.96"),
            total_tax=eur("12.99"),
            taxes_included=False,
        )
        restocked_at = self.location_ids[self.shop.locations[0]]
        refunded = RefundLine(
            line.line_id, "TEE-M", "TEE-M", 1, RestockType.RETURN, restocked_at, eur("19.99"), eur("4.00"), vat
        )
        shipping_back = RefundShipping("Standard", eur("5.00"), eur("1.00"), shipping.taxes)
        refund_id = f"gid://shopify/Refund/{number}"
        self.admin.put_refund(
            Refund(refund_id, order.order_id, self._now, "EUR", (refunded,), (shipping_back,), (), eur("29.99"))
        )
        return order.order_id

    def merchant_sets(self, sku: str, location: str, available: int) -> None:
        self.admin.inventory.put_level(sku, self.location_ids[location], available)

    def takes_order(self, sku: str, quantity: int) -> None:
        self.admin.inventory.take_order(sku, self.location_ids[self.shop.location_of(sku)], quantity)

    def tracking(self, fulfillment_id: str) -> Tracking:
        return self.admin.fulfilment_book.tracking[fulfillment_id]

    def unreachable(self) -> Any:
        down = FakeShopifyAdmin(self.shop.domain)
        down.down = True
        return down

    def spend_until_throttled(self) -> TransientError:
        self.admin.throttled_next = 1
        with pytest.raises(TransientError) as caught:
            self.admin.fetch_order("gid://shopify/Order/1001")
        return caught.value

    def recover(self) -> None:
        assert self.admin.throttled_next == 0


class SandboxShopify:
    """trueup's real client against the sandbox over HTTP (two orders a page, so that listings page); what
    a customer or a merchant does sent as Shopify's own mutations."""

    def __init__(self, sandbox: RunningSandbox, shop: Shop) -> None:
        self.sandbox = sandbox
        self.shop = shop
        self.admin = ShopifyAdminClient(sandbox.shop, sandbox.token, base_url=sandbox.url, page_size=2)

    @cached_property
    def location_ids(self) -> dict[str, str]:
        nodes = self.sandbox.graphql(LOCATION_IDS)["data"]["locations"]["nodes"]
        return {n["name"]: n["id"] for n in nodes}

    @cached_property
    def item_ids(self) -> dict[str, str]:
        nodes = self.sandbox.graphql(ITEMS_BY_SKU)["data"]["inventoryItems"]["nodes"]
        return {n["sku"]: n["id"] for n in nodes if n["sku"]}

    def now(self) -> datetime:
        return self.sandbox.now()

    def tick(self) -> None:
        self.sandbox.advance(5)

    def place(self, lines: Sequence[tuple[str, int]], financial_status: str = "PAID") -> str:
        return self.sandbox.place_order(lines, financial_status=financial_status)

    def place_many(self, count: int) -> str:
        price = {"shopMoney": {"amount": str(CUSTOM_PRICE), "currencyCode": self.shop.currency}}
        lines = [
            {"title": f"Page {i}", "sku": f"PAGE-{i}", "quantity": 1, "requiresShipping": True, "priceSet": price}
            for i in range(count)
        ]
        order = {"email": "buyer@example.com", "financialStatus": "PAID", "lineItems": lines}
        result = self.sandbox.graphql(ORDER_CREATE, {"order": order})["data"]["orderCreate"]
        assert result["userErrors"] == []
        return str(result["order"]["id"])

    def touch(self, order_id: str) -> None:
        self.sandbox.touch_order(order_id)

    def place_and_refund(self) -> str:
        order_id = self.sandbox.place_order(
            [("TEE-M", 3)],
            line_fields=[{"taxLines": [{"title": "VAT", "rate": 0.2, "priceSet": bag("11.99")}]}],
            shippingLines=[
                {
                    "title": "Standard",
                    "priceSet": bag("5.00"),
                    "taxLines": [{"title": "VAT", "rate": 0.2, "priceSet": bag("1.00")}],
                }
            ],
        )
        lines = self.sandbox.graphql(LINE_ITEMS, {"id": order_id})["data"]["order"]["lineItems"]["nodes"]
        restocked_at = self.location_ids[self.shop.locations[0]]
        refund_input = {
            "orderId": order_id,
            "refundLineItems": [
                {"lineItemId": lines[0]["id"], "quantity": 1, "restockType": "RETURN", "locationId": restocked_at}
            ],
            "shipping": {"fullRefund": True},
            "transactions": [{"orderId": order_id, "amount": "29.99", "gateway": "shopify_payments", "kind": "REFUND"}],
        }
        result = self.sandbox.graphql(REFUND, {"input": refund_input, "key": order_id})["data"]["refundCreate"]
        assert result["userErrors"] == [], result["userErrors"]
        return order_id

    def merchant_sets(self, sku: str, location: str, available: int) -> None:
        quantity = {
            "inventoryItemId": self.item_ids[sku],
            "locationId": self.location_ids[location],
            "quantity": available,
            "changeFromQuantity": None,
        }
        variables = {"input": {"name": "available", "reason": "correction", "quantities": [quantity]}}
        body = self.sandbox.graphql(MERCHANT_SET, {**variables, "key": str(uuid.uuid4())})
        assert body["data"]["inventorySetQuantities"]["userErrors"] == []

    def takes_order(self, sku: str, quantity: int) -> None:
        order = {
            "currency": self.shop.currency,
            "lineItems": [{"variantId": self.sandbox.variant_id(sku), "quantity": quantity}],
            "financialStatus": "PAID",
        }
        options = {"inventoryBehaviour": "DECREMENT_OBEYING_POLICY"}
        body = self.sandbox.graphql(TAKE_ORDER, {"order": order, "options": options})
        assert body["data"]["orderCreate"]["userErrors"] == [], body

    def tracking(self, fulfillment_id: str) -> Tracking:
        infos = self.sandbox.graphql(TRACKING, {"id": fulfillment_id})["data"]["fulfillment"]["trackingInfo"]
        assert len(infos) == 1
        return Tracking(infos[0]["company"], infos[0]["number"], infos[0]["url"])

    def unreachable(self) -> Any:
        with socket.socket() as probe:  # a port nobody listens on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        return ShopifyAdminClient(self.sandbox.shop, self.sandbox.token, base_url=f"http://127.0.0.1:{port}")

    def spend_until_throttled(self) -> TransientError:
        # On a sandbox of its own, on the smallest plan, so the shared one keeps its bucket. A fresh
        # client (a budget without a reading) per request: the sandbox's bucket says no, not trueup's.
        with running_sandbox(plan="standard") as small, httpx.Client() as http:
            order_id = small.place_order([("TEE-M", 1), ("CAP", 2), ("KIT", 1)])
            for _ in range(1000):
                client = ShopifyAdminClient(small.shop, small.token, base_url=small.url, http=http)
                try:
                    client.fetch_order(order_id)
                except TransientError as exc:
                    return exc
        raise AssertionError("the sandbox never throttled")

    def recover(self) -> None:
        pass  # the shared sandbox's bucket was not touched


def sandbox_of(shop: Shop) -> Iterator[RunningSandbox]:
    """The sandbox seeded with `shop`, for as long as the fixture that yields from it lasts."""
    if not sandbox_available():
        pytest.skip("the Shopify sandbox app is not built yet")
    with running_sandbox(shop_spec=shop.spec()) as running:
        yield running
