"""The Shopify sandbox as a black box for tests: a real uvicorn server on 127.0.0.1 in a thread, a small
seeded shop, and a way to place and change orders through Shopify's own mutations over HTTP.

    with running_sandbox() as sandbox:
        order_id = sandbox.place_order([("TEE-M", 2)])
        client = ShopifyAdminClient(sandbox.shop, sandbox.token, base_url=sandbox.url)

Only the sandbox's public seams are used (its app factory, its configuration, its shop description and
its clock); what Shopify does is never read from its code.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import uvicorn

SHOP = "contract-shop.myshopify.com"
TOKEN = "shpat_contract_token"
SECRET = "contract_api_secret"
API_VERSION = "2026-10"

# Sent by tests only, never by trueup; validated against the schema like trueup's own documents.
ORDER_CREATE = """
mutation TestPlaceOrder($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order { id name updatedAt }
    userErrors { field message code }
  }
}
"""

ORDER_UPDATE = """
mutation TestUpdateOrder($input: OrderInput!) {
  orderUpdate(input: $input) {
    order { id updatedAt }
    userErrors { field message }
  }
}
"""

VARIANTS_BY_SKU = """
query TestVariants($after: String) {
  productVariants(first: 50, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id sku price }
  }
}
"""

TEST_DOCUMENTS = (ORDER_CREATE, ORDER_UPDATE, VARIANTS_BY_SKU)


@dataclass(frozen=True)
class Shop:
    """A shop as a test starts from it, described once for the sandbox (`spec()`) and for the fake
    (tests/contract/shopify_harness.py). Products are (title, SKUs); a kit is a product of one untracked
    variant that Shopify sells as a native bundle of its components; stock is available units per (SKU,
    location name), and each SKU's order lines are routed to the first location holding it."""

    name: str
    domain: str
    currency: str
    taxes_included: bool
    products: tuple[tuple[str, tuple[str, ...]], ...]
    prices: Mapping[str, Decimal]  # SKU → unit price
    kits: Mapping[str, Mapping[str, int]]  # kit SKU → component SKU → quantity
    locations: tuple[str, ...]
    stock: Mapping[tuple[str, str], int]
    inactive: tuple[str, ...] = ()  # locations closed (listed with includeInactive only)
    address: tuple[str, str, str, str] = ("1 Dock Road", "Rotterdam", "3011", "NL")

    def spec(self) -> Any:
        """The sandbox's description of this shop."""
        from shopify_sandbox.spec import BundleComponentSpec, LocationSpec, ProductSpec, ShopSpec, VariantSpec

        def variant(sku: str, alone: bool) -> VariantSpec:
            title = "Default Title" if alone else sku.rsplit("-", 1)[-1]
            return VariantSpec(sku=sku, title=title, price=self.prices[sku], tracked=sku not in self.kits)

        def product(title: str, skus: tuple[str, ...]) -> ProductSpec:
            components = tuple(BundleComponentSpec(c, q) for sku in skus for c, q in self.kits.get(sku, {}).items())
            kind = "Bundle" if components else "Apparel"
            variants = tuple(variant(sku, len(skus) == 1) for sku in skus)
            return ProductSpec(title, "trueup", kind, variants, components)

        locations = [LocationSpec(n, *self.address) for n in self.locations]
        locations += [LocationSpec(n, *self.address, active=False) for n in self.inactive]
        return ShopSpec(
            name=self.name,
            myshopify_domain=self.domain,
            currency=self.currency,
            taxes_included=self.taxes_included,
            locations=tuple(locations),
            products=tuple(product(title, skus) for title, skus in self.products),
            stock=dict(self.stock),
        )

    def location_of(self, sku: str) -> str:
        """The location an order line of `sku` is routed to: the first holding it (else the first)."""
        return next((n for n in self.locations if self.stock.get((sku, n), 0) > 0), self.locations[0])


# The small shop every contract test starts from: SKU → unit price (EUR, prices exclude tax).
PRICES = {"TEE-S": Decimal("19.99"), "TEE-M": Decimal("19.99"), "CAP": Decimal("9.50"), "KIT": Decimal("27.00")}
KIT_COMPONENTS = {"TEE-M": 1, "CAP": 1}
LOCATIONS = ("Main warehouse", "Overflow")
SMALL_SHOP = Shop(
    name="Contract shop",
    domain=SHOP,
    currency="EUR",
    taxes_included=False,
    products=(("T-shirt", ("TEE-S", "TEE-M")), ("Cap", ("CAP",)), ("Summer kit", ("KIT",))),
    prices=PRICES,
    kits={"KIT": KIT_COMPONENTS},
    locations=LOCATIONS,
    stock={(sku, LOCATIONS[0]): 500 for sku in ("TEE-S", "TEE-M", "CAP")},
)


def small_shop_spec() -> Any:
    """Two t-shirt sizes, a cap, a bundle of both, two locations with stock."""
    return SMALL_SHOP.spec()


@dataclass
class RunningSandbox:
    url: str  # http://127.0.0.1:PORT
    shop: str
    token: str
    secret: str
    clock: Any  # shopify_sandbox.clock.ManualClock
    app: Any
    api_version: str = API_VERSION
    _variants: dict[str, str] = field(default_factory=dict)

    @property
    def endpoint(self) -> str:
        return f"{self.url}/admin/api/{self.api_version}/graphql.json"

    def graphql(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST a document with the token; the whole answer (data, errors, extensions)."""
        headers = {"X-Shopify-Access-Token": self.token}
        reply = httpx.post(self.endpoint, json={"query": document, "variables": variables or {}}, headers=headers)
        reply.raise_for_status()
        body: dict[str, Any] = reply.json()
        return body

    def variant_id(self, sku: str) -> str:
        if not self._variants:
            after = None
            while True:
                page = self.graphql(VARIANTS_BY_SKU, {"after": after})["data"]["productVariants"]
                self._variants.update({n["sku"]: n["id"] for n in page["nodes"] if n["sku"]})
                if not page["pageInfo"]["hasNextPage"]:
                    break
                after = page["pageInfo"]["endCursor"]
        return self._variants[sku]

    def place_order(
        self,
        lines: Sequence[tuple[str, int]],
        *,
        financial_status: str = "PAID",
        email: str = "buyer@example.com",
        line_fields: Sequence[dict[str, Any]] = (),
        **order_fields: Any,
    ) -> str:
        """Place an order through `orderCreate`, lines by variant; returns the order gid. `line_fields`
        (one dict per line) and `order_fields` add any other OrderCreate input (taxLines, shippingLines…)."""
        extras = list(line_fields) + [{}] * (len(lines) - len(line_fields))
        order: dict[str, Any] = {
            "email": email,
            "financialStatus": financial_status,
            "lineItems": [
                {"variantId": self.variant_id(sku), "quantity": q, **extra}
                for (sku, q), extra in zip(lines, extras, strict=True)
            ],
            "shippingAddress": {
                "firstName": "Grace",
                "lastName": "Hopper",
                "address1": "1 Compiler Lane",
                "city": "Utrecht",
                "zip": "3511",
                "countryCode": "NL",
            },
        }
        order.update(order_fields)
        body = self.graphql(ORDER_CREATE, {"order": order})
        result = body["data"]["orderCreate"]
        assert result["userErrors"] == [], result["userErrors"]
        return str(result["order"]["id"])

    def touch_order(self, order_id: str, note: str = "changed") -> None:
        """Change an order (its note) so that Shopify moves its `updatedAt`."""
        body = self.graphql(ORDER_UPDATE, {"input": {"id": order_id, "note": note}})
        assert body["data"]["orderUpdate"]["userErrors"] == []

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def now(self) -> datetime:
        now: datetime = self.clock.now()
        return now.astimezone(UTC)


def sandbox_available() -> bool:
    try:
        import shopify_sandbox.app  # noqa: F401
    except ImportError:
        return False
    return True


@contextmanager
def running_sandbox(*, plan: str = "plus", shop_spec: Any = None, apps: Sequence[Any] = ()) -> Iterator[RunningSandbox]:
    """Start the sandbox app under uvicorn on a free 127.0.0.1 port; stop it afterwards. `apps`: installed
    apps besides the static token's (shopify_sandbox.oauth.SandboxApp)."""
    from shopify_sandbox.app import create_app
    from shopify_sandbox.clock import ManualClock
    from shopify_sandbox.config import SandboxConfig

    clock = ManualClock()
    config = SandboxConfig(
        plan=plan,
        access_token=TOKEN,
        api_secret=SECRET,
        shop_spec=shop_spec or small_shop_spec(),
        clock=clock,
        apps=tuple(apps),
    )
    app = create_app(config)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        _wait_started(server, thread)
        yield RunningSandbox(f"http://127.0.0.1:{port}", SHOP, TOKEN, SECRET, clock, app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _wait_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the sandbox server did not start")
        time.sleep(0.01)
