"""The inventory flow on fakes: one shop with two locations (WH1, WH2), a fake ERP, an in-memory store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from tests.factories import SHOP
from tests.fakes.back_office import FakeBackOffice
from tests.fakes.shopify import FakeShopifyAdmin
from tests.fakes.store import InMemoryStore
from tests.unit.engine.harness import MovableClock
from trueup.domain.bundles import KitComponent
from trueup.domain.inventory import Buffer, BufferRules
from trueup.domain.posting import PostingPolicy
from trueup.service_layer.inventory import StockContext, StockPolicy
from trueup.service_layer.order_context import OrderContext


@dataclass
class Stock:
    buffers: BufferRules = field(default_factory=lambda: BufferRules(default=Buffer(Decimal(2))))
    bundles: Mapping[str, Sequence[KitComponent]] = field(default_factory=dict)
    clock: MovableClock = field(default_factory=MovableClock)

    def __post_init__(self) -> None:
        self.shopify = FakeShopifyAdmin(SHOP, clock=self.clock.now)
        self.inventory = self.shopify.inventory
        self.wh1 = self.inventory.add_location("Main warehouse").location_id
        self.wh2 = self.inventory.add_location("Second warehouse").location_id
        self.erp = FakeBackOffice()
        self.store = InMemoryStore(self.clock.now)
        self.policy = StockPolicy({self.wh1: "WH1", self.wh2: "WH2"}, self.buffers, self.bundles)
        self.ctx = StockContext(self.shopify, self.erp, self.store, self.clock, self.policy)
        self.orders = OrderContext(
            self.shopify, self.erp, self.store, self.clock, PostingPolicy(warehouse="WH1", bundles=self.bundles)
        )

    def stock(self, sku: str, units: int, *, shopify: int = 0, warehouse: str = "WH1") -> None:
        """`sku` in the ERP with `units` at `warehouse`, and tracked in Shopify at its location with `shopify`."""
        self.erp.add_products(sku)
        if units:
            self.erp.receive(sku, warehouse, units)
        self.inventory.put_level(sku, self.location(warehouse), shopify)

    def location(self, warehouse: str) -> str:
        return {"WH1": self.wh1, "WH2": self.wh2}[warehouse]

    def shows(self, sku: str, warehouse: str = "WH1") -> int | None:
        return self.inventory.available(sku, self.location(warehouse))
