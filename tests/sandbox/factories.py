"""Factories for the sandbox tests: small shops, sandboxes, and a synchronous client over ASGI."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal
from typing import Any

import httpx

from shopify_sandbox.app import create_app
from shopify_sandbox.clock import ManualClock
from shopify_sandbox.config import SandboxConfig
from shopify_sandbox.spec import (
    BundleComponentSpec,
    CompanyLocationSpec,
    CompanySpec,
    CustomerSpec,
    LocationSpec,
    ProductSpec,
    ShopSpec,
    VariantSpec,
)

TOKEN = "shpat_test_token"


class RecordingBus:
    """A WebhookBus that keeps what was published."""

    def __init__(self) -> None:
        self.published: list[tuple[str, dict[str, Any]]] = []

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        self.published.append((topic, payload))

    def topics(self) -> list[str]:
        return [topic for topic, _ in self.published]


def shop_spec(**overrides: Any) -> ShopSpec:
    """A shop with two locations, a sized shirt, a tote, an untracked item, a bundle, a customer and a company."""
    spec = ShopSpec(
        name="Test Shop",
        myshopify_domain="test-shop.myshopify.com",
        currency="EUR",
        taxes_included=False,
        locations=(
            LocationSpec("Main", "1 Main St", "Paris", "75001", "FR"),
            LocationSpec("Second", "2 Side St", "Lyon", "69001", "FR"),
        ),
        products=(
            ProductSpec(
                "Shirt",
                "Vendor",
                "Shirts",
                (VariantSpec("SHIRT-S", "S", Decimal("20.00")), VariantSpec("SHIRT-M", "M", Decimal("20.00"))),
            ),
            ProductSpec("Tote", "Vendor", "Bags", (VariantSpec("TOTE", "Default Title", Decimal("9.99")),)),
            ProductSpec(
                "Sticker", "Vendor", "Misc", (VariantSpec("STICKER", "Default Title", Decimal("1.50"), tracked=False),)
            ),
            ProductSpec(
                "Duo",
                "Vendor",
                "Bundles",
                (VariantSpec("DUO", "Default Title", Decimal("25.00")),),
                bundle_components=(BundleComponentSpec("SHIRT-M", 1), BundleComponentSpec("TOTE", 1)),
            ),
        ),
        stock={("SHIRT-S", "Main"): 10, ("SHIRT-M", "Main"): 10, ("TOTE", "Main"): 5, ("TOTE", "Second"): 50},
        customers=(CustomerSpec("Ann", "Lee", "ann@example.com", None, "3 Rue", "Paris", "75002", "FR"),),
        companies=(
            CompanySpec(
                "Acme",
                "ERP-1",
                "buyer@acme.example",
                (CompanyLocationSpec("Acme HQ", "9 Av", "Lille", "59000", "FR", "Net 60"),),
            ),
        ),
        presentment_rates={"USD": Decimal("1.10")},
    )
    return replace(spec, **overrides)


def sandbox_config(**overrides: Any) -> SandboxConfig:
    values: dict[str, Any] = {"access_token": TOKEN, "shop_spec": shop_spec(), "clock": ManualClock()}
    values.update(overrides)
    return SandboxConfig(**values)


class SandboxClient:
    """Synchronous calls into the ASGI app (httpx's ASGITransport, no server, no network)."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or sandbox_config()
        self.app = create_app(self.config)
        self.sandbox = self.app.state.sandbox
        self.state = self.sandbox.state

    def post(
        self, path: str, json: Any = None, headers: dict[str, str] | None = None, content: bytes | None = None
    ) -> httpx.Response:
        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as client:
                return await client.post(path, json=json, headers=headers, content=content)

        return asyncio.run(call())

    def get(self, path: str) -> httpx.Response:
        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as client:
                return await client.get(path)

        return asyncio.run(call())

    def graphql(self, query: str, variables: dict[str, Any] | None = None, version: str = "2026-10") -> dict[str, Any]:
        response = self.post(
            f"/admin/api/{version}/graphql.json",
            json={"query": query, "variables": variables},
            headers={"X-Shopify-Access-Token": self.config.access_token},
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def variant_id(self, sku: str) -> str:
        return next(v.id for v in self.state.all("ProductVariant") if v.sku == sku)

    def item(self, sku: str) -> Any:
        return next(i for i in self.state.all("InventoryItem") if i.sku == sku)

    def location(self, name: str) -> Any:
        return next(loc for loc in self.state.all("Location") if loc.name == name)


def money(amount: str, currency: str = "EUR") -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": currency}}


ORDER_CREATE = """
mutation Create($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    userErrors { field message code }
    order {
      id name displayFinancialStatus taxesIncluded currencyCode presentmentCurrencyCode poNumber
      subtotalPriceSet { shopMoney { amount } presentmentMoney { amount currencyCode } }
      totalPriceSet { shopMoney { amount } presentmentMoney { amount } }
      totalTaxSet { shopMoney { amount } }
      totalDiscountsSet { shopMoney { amount } }
      totalShippingPriceSet { shopMoney { amount } }
      lineItems(first: 20) { nodes { sku quantity originalUnitPriceSet { shopMoney { amount } }
        discountAllocations { allocatedAmountSet { shopMoney { amount } } }
        taxLines { title rate priceSet { shopMoney { amount } } }
        lineItemGroup { title quantity variantSku } } }
      fulfillmentOrders(first: 5) { nodes { status assignedLocation { name }
        lineItems(first: 20) { nodes { sku totalQuantity } } } }
      purchasingEntity { __typename ... on PurchasingCompany { company { name } location { name } }
        ... on Customer { email } }
      paymentTerms { paymentTermsName dueInDays }
    }
  }
}
"""
