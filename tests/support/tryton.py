"""A real Tryton for tests: the template built once per machine, one server per test session.

The template is cached under `<repo>/.cache/tryton` (the first run on a machine takes ~30 s, later ones a
few milliseconds to copy it). Tests share the session's database, so they use unique SKUs, references and
customers (`unique`).

Registered for every test by tests/conftest.py (`pytest_plugins`): mark the tests `@pytest.mark.tryton`,
then ask for `tryton_client` (a logged-in TrytonClient) or `tryton_server` (the running TrytonServer, with `.url`).
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.domain.catalogue import BundleComponent, CatalogueItem
from trueup.domain.money import Money
from trueup.local_stack.embedded_tryton import (
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    TrytonServer,
    build_template,
    create_database,
)
from trueup.local_stack.tryton_catalogue import ensure_products

CACHE_DIR = Path(__file__).resolve().parents[2] / ".cache" / "tryton"
DATABASE = "trueup_test"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def unique(prefix: str) -> str:
    """A value no other test of the session uses: `prefix-<random>`."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def connect(server: TrytonServer, database: str = DATABASE, *, timeout: float = 30.0) -> TrytonClient:
    """A JSON-RPC client logged in (lazily) as the embedded Tryton's administrator."""
    return TrytonClient(server.url, database, ADMIN_LOGIN, ADMIN_PASSWORD, timeout=timeout)


def catalogue_item(
    sku: str | None = None,
    price: str = "10.00",
    currency: str = "EUR",
    components: Sequence[tuple[str, int]] = (),
) -> CatalogueItem:
    """A catalogue item with a unique SKU unless one is given; a bundle when `components` are given."""
    sku = sku or unique("SKU")
    return CatalogueItem(
        sku=sku,
        title=f"Item {sku}",
        price=Money(Decimal(price), currency),
        variant_id=f"gid://shopify/ProductVariant/{uuid.uuid4().int % 10**12}",
        components=tuple(BundleComponent(s, q) for s, q in components),
    )


def seed_catalogue(client: TrytonClient, items: Sequence[CatalogueItem]) -> list[str]:
    """Create the products (and kits) of `items` Tryton does not have yet; the SKUs created."""
    return ensure_products(client, items)


@pytest.fixture(scope="session")
def tryton_template() -> Path:
    """The template database file (built on first use on this machine)."""
    return build_template(CACHE_DIR)


@pytest.fixture(scope="session")
def tryton_server(tryton_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonServer]:
    """A trytond serving a fresh copy of the template as DATABASE, for the whole session."""
    data_dir = tmp_path_factory.mktemp("tryton")
    create_database(tryton_template, data_dir, DATABASE)
    with TrytonServer(data_dir, free_port(), databases=(DATABASE,)) as server:
        yield server


@pytest.fixture
def tryton_client(tryton_server: TrytonServer) -> Iterator[TrytonClient]:
    """A logged-in client on the session's Tryton database."""
    with connect(tryton_server) as client:
        yield client
