"""Fixtures of the contract tests, one per port: `erp`, every back-office under test (the fake, Tryton on a real
trytond) with its harness (back_office_harness.py); `store`, every Store (the in-memory fake, SqlStore on
SQLite and on PostgreSQL) and the clock they run on; `shopify`, the ShopifyAdmin port under test (the fake, the
real client on the sandbox over HTTP) with its harness (shopify_harness.py), on the `shop` a module chooses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.contract.back_office_harness import BackOfficeHarness, FakeHarness, TrytonHarness
from tests.contract.shopify_harness import FakeShopify, SandboxShopify, ShopifyHarness, sandbox_of
from tests.contract.stores import Clock
from tests.fakes.store import InMemoryStore
from tests.support.postgres import MEMORY
from tests.support.sandbox import SMALL_SHOP, RunningSandbox, Shop
from tests.support.tryton import connect
from trueup.adapters.storage import SqlStore
from trueup.local_stack.embedded_tryton import TrytonServer
from trueup.service_layer.ports import Store


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(state_url: str, clock: Clock) -> Iterator[Store]:
    """Every Store in turn: the in-memory fake, SqlStore on SQLite and on PostgreSQL (tests/support/postgres.py)."""
    if state_url == MEMORY:
        yield InMemoryStore(clock)
        return
    sql_store = SqlStore(state_url, clock)
    yield sql_store
    sql_store.close()


@pytest.fixture
def contract_trytond(tryton_server: TrytonServer) -> TrytonServer:
    """The trytond the Tryton side of `erp` talks to: the session's; a module overrides it for another."""
    return tryton_server


@pytest.fixture(params=["fake", pytest.param("tryton", marks=pytest.mark.tryton)])
def erp(request: pytest.FixtureRequest) -> Iterator[BackOfficeHarness]:
    """A back-office under test with its harness: the fake, then Tryton on `contract_trytond`."""
    if request.param == "fake":
        yield FakeHarness()
        return
    with connect(request.getfixturevalue("contract_trytond")) as client:
        yield TrytonHarness(client)


@pytest.fixture(scope="module")
def shop() -> Shop:
    """The shop the Shopify contract tests start from; a module overrides it to start from another."""
    return SMALL_SHOP


@pytest.fixture(scope="module")
def shopify_sandbox(shop: Shop) -> Iterator[RunningSandbox]:
    """The sandbox seeded with `shop`, shared by a module's tests (a module overrides it for one per test)."""
    yield from sandbox_of(shop)


@pytest.fixture(params=["fake", "sandbox"])
def shopify(request: pytest.FixtureRequest, shop: Shop) -> Iterator[ShopifyHarness]:
    """The ShopifyAdmin port under test with its harness: the fake, then the real client on the sandbox."""
    if request.param == "fake":
        yield FakeShopify(shop)
        return
    live = SandboxShopify(request.getfixturevalue("shopify_sandbox"), shop)
    live.tick()
    yield live
    live.admin.close()
