"""The ShopSetup port (what `trueup shop connect` asks of a shop): the same assertions on FakeShopifyAdmin and
on ShopifyAdminClient against the sandbox over HTTP, with a client credentials app's renewed token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shopify_sandbox.oauth import SandboxApp
from tests.fakes.shopify import FakeShopifyAdmin
from tests.support.sandbox import LOCATIONS, SHOP, running_sandbox
from trueup.adapters.shopify.access_tokens import RenewedToken, client_credentials_form
from trueup.adapters.shopify.admin import ShopifyAdminClient
from trueup.adapters.shopify.oauth import AppCredentials
from trueup.adapters.storage import upgrade
from trueup.adapters.storage.tokens_sql import SqlTokenVault
from trueup.domain.errors import BadInput
from trueup.service_layer.ports import ShopSetup

SCOPES = frozenset({"read_orders", "write_inventory", "read_locations"})
APP = SandboxApp("setup-app", "setup-secret", SCOPES)
HOOKS = "https://trueup.example/webhooks/shopify"


@pytest.fixture(params=["fake", "sandbox"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ShopSetup]:
    if request.param == "fake":
        fake = FakeShopifyAdmin(SHOP)
        fake.scopes = SCOPES | {"read_inventory"}
        for name in LOCATIONS:
            fake.inventory.add_location(name)
        yield fake
        return
    url = f"sqlite:///{tmp_path / 'trueup.db'}"
    upgrade(url)
    vault = SqlTokenVault(url, "k" * 40)
    with running_sandbox(apps=(APP,)) as sandbox:
        tokens = RenewedToken(
            AppCredentials(SHOP, APP.client_id, APP.client_secret, sandbox.url),
            vault,
            client_credentials_form,
            sandbox.now,
        )
        client = ShopifyAdminClient(SHOP, tokens, base_url=sandbox.url)
        yield client
        client.close()
    vault.close()


def topics_and_uris(shop: ShopSetup) -> list[tuple[str, str]]:
    return sorted((s.topic, s.uri) for s in shop.webhook_subscriptions())


def test_granted_scopes_are_read_with_the_read_scope_a_write_scope_grants(shop: ShopSetup) -> None:
    assert shop.granted_scopes() == SCOPES | {"read_inventory"}
    assert shop.api_version_served() == "2026-10"


def test_webhooks_are_created_moved_and_removed(shop: ShopSetup) -> None:
    shop.create_webhook("ORDERS_CREATE", HOOKS)
    shop.create_webhook("ORDERS_CREATE", HOOKS)  # an address already taken is no error, and no second one
    shop.create_webhook("REFUNDS_CREATE", HOOKS)
    assert topics_and_uris(shop) == [("ORDERS_CREATE", HOOKS), ("REFUNDS_CREATE", HOOKS)]
    orders = next(s for s in shop.webhook_subscriptions() if s.topic == "ORDERS_CREATE")
    shop.update_webhook(orders.subscription_id, "https://new.example/webhooks/shopify")
    assert topics_and_uris(shop) == [
        ("ORDERS_CREATE", "https://new.example/webhooks/shopify"),
        ("REFUNDS_CREATE", HOOKS),
    ]
    shop.delete_webhook(orders.subscription_id)
    assert topics_and_uris(shop) == [("REFUNDS_CREATE", HOOKS)]
    with pytest.raises(BadInput, match="does not exist"):
        shop.delete_webhook(orders.subscription_id)
    with pytest.raises(BadInput, match="does not exist"):
        shop.update_webhook(orders.subscription_id, HOOKS)


def test_locations_are_listed(shop: ShopSetup) -> None:
    assert [(loc.name, loc.is_active) for loc in shop.locations()] == [(name, True) for name in LOCATIONS]
