"""Two shops selling from one warehouse (WH1), on fakes: one ERP, one store, each shop its own Shopify."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from tests.factories import a_line, an_order
from tests.fakes.back_office import FakeBackOffice
from tests.fakes.shopify import FakeShopifyAdmin
from tests.fakes.store import InMemoryStore
from tests.unit.engine.harness import MovableClock
from trueup.domain.bundles import KitComponent
from trueup.domain.inventory import Buffer, BufferRules
from trueup.domain.orders import FinancialStatus
from trueup.domain.posting import PostingPolicy
from trueup.domain.stock_sharing import WarehouseSharing
from trueup.service_layer.inventory import StockContext, StockPass, StockPolicy, sync_changes
from trueup.service_layer.order_context import OrderContext
from trueup.service_layer.stock_groups import group_context, grouped
from trueup.service_layer.stock_reconcile import reconcile_group
from trueup.service_layer.sync_order import sync_order

ALPHA, BETA = "alpha.myshopify.com", "beta.myshopify.com"


@dataclass
class SharedStock:
    sharing: WarehouseSharing = field(default_factory=WarehouseSharing)
    buffers: BufferRules = field(default_factory=lambda: BufferRules(default=Buffer(Decimal(1))))
    bundles: Mapping[str, Sequence[KitComponent]] = field(default_factory=dict)
    clock: MovableClock = field(default_factory=MovableClock)

    def __post_init__(self) -> None:
        self.erp = FakeBackOffice()
        self.store = InMemoryStore(self.clock.now)
        self.shops = {shop: FakeShopifyAdmin(shop, clock=self.clock.now) for shop in (ALPHA, BETA)}
        # Each shop numbers its locations from 1: the same gid names a location of each.
        self.location = {shop: admin.inventory.add_location("Main").location_id for shop, admin in self.shops.items()}
        self.policies = grouped(
            {
                shop: StockPolicy(
                    {self.location[shop]: "WH1"},
                    self.buffers,
                    self.bundles,
                    posting_warehouse="WH1",
                    sharing={"WH1": self.sharing},
                )
                for shop in self.shops
            }
        )
        self.ctx: StockContext = group_context(ALPHA, self.policies, self.shops, self.erp, self.store, self.clock)
        self.orders = {
            shop: OrderContext(
                admin, self.erp, self.store, self.clock, PostingPolicy(warehouse="WH1", bundles=self.bundles)
            )
            for shop, admin in self.shops.items()
        }
        self._numbers = iter(range(1001, 100000))

    def stock(self, sku: str, units: int) -> None:
        """`sku` in the ERP with `units` at WH1, tracked in both shops (at 0 until trueup sets it)."""
        self.erp.add_products(sku)
        if units:
            self.erp.receive(sku, "WH1", units)
        for shop, admin in self.shops.items():
            admin.inventory.put_level(sku, self.location[shop], 0)

    def shows(self, shop: str, sku: str) -> int:
        level = self.shops[shop].inventory.available(sku, self.location[shop])
        assert level is not None
        return level

    def committed(self, shop: str, sku: str) -> int:
        return self.shops[shop].inventory.committed(sku, self.location[shop])

    def sell(self, shop: str, sku: str, units: int) -> bool:
        """A customer of `shop` buys `units` if Shopify offers them (as Shopify refuses beyond `available`)."""
        if self.shows(shop, sku) < units:
            return False
        self.shops[shop].inventory.take_order(sku, self.location[shop], units)
        return True

    def pending_order(self, shop: str, sku: str, units: int) -> str:
        """An order waiting for payment taken in `shop`, which trueup syncs (its demand noted)."""
        number = next(self._numbers)
        self.sell(shop, sku, units)
        order = an_order([a_line(sku, quantity=units)], status=FinancialStatus.PENDING, number=number, shop=shop)
        self.shops[shop].put_order(order)
        sync_order(self.orders[shop], order.order_id)
        return order.order_id

    def reconcile(self) -> dict[str, StockPass]:
        return reconcile_group(self.ctx)

    def sync(self) -> StockPass:
        return sync_changes(self.ctx)
