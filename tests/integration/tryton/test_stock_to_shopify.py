"""Stock from the real Tryton to the Shopify sandbox: a goods receipt shows in Shopify minus the buffer after
one sync pass; a kit's level follows its components; a reconciliation fixes drift, writing only it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from tests.fakes.store import InMemoryStore
from tests.support.sandbox import RunningSandbox, Shop, running_sandbox, sandbox_available
from tests.support.tryton import catalogue_item, connect, seed_catalogue
from trueup.adapters.shopify.admin import ShopifyAdminClient
from trueup.adapters.tryton.back_office import TrytonBackOffice
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.domain.inventory import Buffer, BufferRules, StockWrite
from trueup.local_stack.tryton_catalogue import receive_stock
from trueup.service_layer.inventory import StockContext, StockPolicy, check_locations, sync_changes
from trueup.service_layer.stock_reconcile import reconcile

pytestmark = [
    pytest.mark.tryton,
    pytest.mark.skipif(not sandbox_available(), reason="the Shopify sandbox is not installed"),
]

RUN = uuid.uuid4().hex[:8].upper()
TEE, CAP, SOCK, KIT = (f"{name}-{RUN}" for name in ("TEE", "CAP", "SOCK", "KIT"))
MAIN, OVERFLOW = "Main warehouse", "Overflow"


# Four tracked SKUs of this run (the kit sold under its own SKU), stocked at both locations.
STOCK_SHOP = Shop(
    name="Stock shop",
    domain="stock-shop.myshopify.com",
    currency="EUR",
    taxes_included=False,
    products=tuple((sku, (sku,)) for sku in (TEE, CAP, SOCK, KIT)),
    prices=dict.fromkeys((TEE, CAP, SOCK, KIT), Decimal("10.00")),
    kits={},
    locations=(MAIN, OVERFLOW),
    stock={(sku, name): 50 for sku in (TEE, CAP, SOCK, KIT) for name in (MAIN, OVERFLOW)},
)


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with running_sandbox(shop_spec=STOCK_SHOP.spec()) as running:
        yield running


@pytest.fixture
def stock(sandbox: RunningSandbox, tryton_server: Any) -> Iterator[StockContext]:
    client = connect(tryton_server)
    seed_catalogue(client, [catalogue_item(TEE), catalogue_item(CAP), catalogue_item(SOCK)])
    seed_catalogue(client, [catalogue_item(KIT, components=[(CAP, 1), (SOCK, 2)])])
    admin = ShopifyAdminClient(sandbox.shop, sandbox.token, base_url=sandbox.url)
    names = {location.name: location.location_id for location in admin.locations()}
    policy = StockPolicy({names[MAIN]: "WH1", names[OVERFLOW]: "WH2"}, BufferRules(default=Buffer(Decimal(2))))
    ctx = StockContext(admin, TrytonBackOffice(client), InMemoryStore(), Clock(), policy)
    check_locations(admin, policy)
    sync_changes(ctx)  # takes the ERP's cursor
    reconcile(ctx)  # brings every level to target (and learns the kit)
    yield ctx
    admin.close()
    client.close()


def location(ctx: StockContext, warehouse: str) -> str:
    return next(loc for loc, wh in ctx.policy.locations.items() if wh == warehouse)


def shows(ctx: StockContext, sku: str, warehouse: str = "WH1") -> int:
    (level,) = ctx.shopify.inventory_levels([location(ctx, warehouse)], [sku])
    return level.available


def erp_client(ctx: StockContext) -> TrytonClient:
    assert isinstance(ctx.back_office, TrytonBackOffice)
    return ctx.back_office.db.client


def test_a_receipt_in_tryton_shows_in_shopify_minus_the_buffer_after_one_sync_pass(stock: StockContext) -> None:
    assert shows(stock, TEE) == 0  # the reconciliation brought Shopify's 50 down to what Tryton has: none
    receive_stock(erp_client(stock), {TEE: 7}, "WH1")

    outcome = sync_changes(stock)

    assert shows(stock, TEE) == 5
    assert [(w.sku, w.location_id, w.quantity) for w in outcome.written] == [(TEE, location(stock, "WH1"), 5)]
    assert shows(stock, TEE, "WH2") == 0  # the other warehouse has none of it


def test_a_kit_follows_its_components_and_reconciliation_fixes_only_the_drift(stock: StockContext) -> None:
    assert (shows(stock, KIT), shows(stock, CAP), shows(stock, SOCK)) == (0, 0, 0)
    receive_stock(erp_client(stock), {CAP: 10, SOCK: 11}, "WH1")

    sync_changes(stock)

    # Each component less its own buffer (2); the kit from what they may still sell: min((10 - 2) ÷ 1,
    # (11 - 2) ÷ 2) = 4 kits, less its own buffer of 2. Kit sales never take a component below its buffer.
    assert (shows(stock, KIT), shows(stock, CAP), shows(stock, SOCK)) == (2, 8, 9)

    # The cap's level drifts behind trueup's back: the reconciliation puts back that one level only.
    where = location(stock, "WH1")
    (level,) = stock.shopify.inventory_levels([where], [CAP])
    drifted = StockWrite(CAP, level.inventory_item_id, where, level.available + 4, level.available)
    assert stock.shopify.set_available([drifted], uuid.uuid4().hex).applied == (drifted,)
    outcome = reconcile(stock)
    assert [(d.sku, d.location_id, d.difference) for d in outcome.drift] == [(CAP, where, 4)]
    assert [(w.sku, w.quantity) for w in outcome.written] == [(CAP, 8)]
    assert shows(stock, CAP) == 8


def test_a_level_shopify_changed_in_between_is_read_again_never_overwritten(stock: StockContext) -> None:
    where = location(stock, "WH2")
    receive_stock(erp_client(stock), {TEE: 9}, "WH2")
    real_set = stock.shopify.set_available

    def someone_writes_first(writes: Any, key: str) -> Any:
        # Between trueup's read and its write, the level changes in Shopify (a merchant's correction).
        stock.shopify.set_available = real_set  # type: ignore[method-assign]
        (level,) = stock.shopify.inventory_levels([where], [TEE])
        other = StockWrite(TEE, level.inventory_item_id, where, level.available + 1, level.available)
        assert real_set([other], uuid.uuid4().hex).applied == (other,)
        return real_set(writes, key)

    stock.shopify.set_available = someone_writes_first  # type: ignore[method-assign]
    outcome = sync_changes(stock)

    assert [(w.quantity, w.expected) for w in outcome.written] == [(7, 1)]  # re-read (1), then set to 9 − 2
    assert shows(stock, TEE, "WH2") == 7
