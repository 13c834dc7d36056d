"""One contract for reading refunds through the ShopifyAdmin port: the same assertions on FakeShopifyAdmin and
on trueup's real client talking HTTP to the Shopify sandbox, where the refund is made with Shopify's own
refundCreate. The order reads back as sold (refunded units and amounts kept); its refunds come with it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

import pytest

from tests.fakes.shopify import FakeShopifyAdmin
from tests.support.sandbox import SHOP, running_sandbox, sandbox_available
from trueup.adapters.shopify.admin import ShopifyAdminClient
from trueup.domain.money import Money
from trueup.domain.orders import FinancialStatus, OrderLine, ShippingLine, ShopifyOrder
from trueup.domain.refunds import Refund, RefundLine, RefundShipping, RestockType
from trueup.domain.taxes import TaxLine

# Three tees at 19.99 with 11.99 VAT, shipping 5.00 with 1.00 VAT: 77.96. The refund gives back one tee
# (19.99 and its third of the VAT, 4.00, rounded half up) and all the shipping: 29.99.
REFUND = """
mutation TrueupContractRefund($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) { refund { id } userErrors { field message } }
}
"""
LINE_ITEMS = """
query TrueupContractLines($id: ID!) { order(id: $id) { lineItems(first: 5) { nodes { id sku } } } }
"""


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def bag(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "EUR"}}


class Harness(Protocol):
    admin: Any
    location: str  # the shop's first location, where the refunded unit is restocked

    def place_and_refund(self) -> str: ...


class FakeHarness:
    def __init__(self) -> None:
        self.admin = FakeShopifyAdmin(SHOP, clock=lambda: datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
        self.location = "gid://shopify/Location/1"

    def place_and_refund(self) -> str:
        at = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
        vat = (TaxLine("VAT", Decimal("0.2"), eur("11.99")),)
        line = OrderLine("gid://shopify/LineItem/1", "TEE-M", "TEE-M", 3, eur("19.99"), eur("0"), vat)
        shipping = ShippingLine("Standard", eur("5.00"), eur("0"), (TaxLine("VAT", Decimal("0.2"), eur("1.00")),))
        order = ShopifyOrder(
            shop=SHOP,
            order_id="gid://shopify/Order/1001",
            name="#1001",
            currency="EUR",
            financial_status=FinancialStatus.PAID,
            lines=(line,),
            shipping=(shipping,),
            total_price=eur("77.96"),
            total_tax=eur("12.99"),
            taxes_included=False,
            customer=None,
            shipping_address=None,
            billing_address=None,
            created_at=at,
            updated_at=at,
        )
        self.admin.put_order(order)
        refunded = RefundLine(
            line.line_id, "TEE-M", "TEE-M", 1, RestockType.RETURN, self.location, eur("19.99"), eur("4.00"), vat
        )
        self.admin.put_refund(
            Refund(
                "gid://shopify/Refund/1",
                order.order_id,
                at,
                "EUR",
                (refunded,),
                (RefundShipping("Standard", eur("5.00"), eur("1.00"), shipping.taxes),),
                (),
                eur("29.99"),
            )
        )
        return order.order_id


class SandboxHarness:
    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.admin = ShopifyAdminClient(sandbox.shop, sandbox.token, base_url=sandbox.url)
        self.location = self.admin.shop_info().locations[0].location_id

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
        refund_input = {
            "orderId": order_id,
            "refundLineItems": [
                {"lineItemId": lines[0]["id"], "quantity": 1, "restockType": "RETURN", "locationId": self.location}
            ],
            "shipping": {"fullRefund": True},
            "transactions": [{"orderId": order_id, "amount": "29.99", "gateway": "shopify_payments", "kind": "REFUND"}],
        }
        result = self.sandbox.graphql(REFUND, {"input": refund_input, "key": order_id})["data"]["refundCreate"]
        assert result["userErrors"] == [], result["userErrors"]
        return str(order_id)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    if not sandbox_available():
        pytest.skip("the Shopify sandbox app is not built yet")
    with running_sandbox() as running:
        yield running


@pytest.fixture(params=["fake", "sandbox"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "fake":
        yield FakeHarness()
        return
    live = SandboxHarness(request.getfixturevalue("sandbox"))
    yield live
    live.admin.close()


def test_a_refunded_order_reads_back_as_sold_with_shopifys_current_total_beside(harness: Harness) -> None:
    order = harness.admin.fetch_order(harness.place_and_refund())

    assert order is not None
    assert [(line.sku, line.quantity, line.net, line.tax) for line in order.lines] == [
        ("TEE-M", 3, eur("59.97"), eur("11.99"))
    ]
    assert (order.total_price, order.total_tax, order.current_total) == (eur("77.96"), eur("12.99"), eur("47.97"))
    assert order.computed_total() == order.total_price
    assert order.financial_status is FinancialStatus.PARTIALLY_REFUNDED


def test_the_refund_comes_with_its_lines_restock_shipping_and_money(harness: Harness) -> None:
    order_id = harness.place_and_refund()
    order = harness.admin.fetch_order(order_id)

    assert order is not None
    (refund,) = order.refunds
    assert harness.admin.order_refunds(order_id) == [refund]
    assert (refund.order_id, refund.total_refunded, refund.adjustments) == (order_id, eur("29.99"), ())
    (line,) = refund.lines
    assert (line.line_item_id, line.sku, line.quantity, line.restock_type, line.location_id) == (
        order.lines[0].line_id,
        "TEE-M",
        1,
        RestockType.RETURN,
        harness.location,
    )
    assert (line.subtotal, line.tax, [(t.title, t.rate) for t in line.taxes]) == (
        eur("19.99"),
        eur("4.00"),
        [("VAT", Decimal("0.2"))],
    )
    (shipping,) = refund.shipping
    assert (shipping.title, shipping.subtotal, shipping.tax) == ("Standard", eur("5.00"), eur("1.00"))


def test_an_unknown_order_has_no_refunds(harness: Harness) -> None:
    assert harness.admin.order_refunds("gid://shopify/Order/987654321") == []
