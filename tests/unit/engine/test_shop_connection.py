"""`shop check` / `shop connect` as use cases on the fake shop: what is reported, what is changed, and when."""

from __future__ import annotations

from tests.fakes.shopify import FakeShopifyAdmin

from trueup.domain.shop_setup import WEBHOOK_TOPICS, Features, needed_scopes
from trueup.service_layer.shop_connection import ShopTarget, check_shop, connect_shop

SHOP = "brand.myshopify.com"
ADDRESS = "https://trueup.example.com/webhooks/shopify"
ALL_NEEDED = frozenset(n.scope for n in needed_scopes(Features()))


def a_shop(scopes: frozenset[str] = ALL_NEEDED) -> FakeShopifyAdmin:
    shop = FakeShopifyAdmin(SHOP)
    shop.scopes = scopes
    return shop


def target(**changes: object) -> ShopTarget:
    values: dict[str, object] = {
        "shop": SHOP,
        "api_version": "2026-10",
        "features": Features(),
        "webhook_address": ADDRESS,
    }
    values.update(changes)
    return ShopTarget(**values)  # type: ignore[arg-type]


def test_a_shop_answering_another_api_version_is_not_ready() -> None:
    shop = a_shop()
    shop.api_version = "2026-07"
    report = connect_shop(shop, target())
    assert report.version_problem is not None
    assert "2026-07" in report.version_problem
    assert not report.ready


def test_a_dry_run_changes_nothing_and_connect_then_is_ready() -> None:
    shop = a_shop()
    dry = connect_shop(shop, target(), dry_run=True)
    assert len(dry.changes) == len(WEBHOOK_TOPICS)
    assert shop.webhook_subscriptions() == []
    assert not dry.ready
    done = connect_shop(shop, target())
    assert done.ready
    assert len(shop.webhook_subscriptions()) == len(WEBHOOK_TOPICS)
    assert check_shop(shop, target()).ready


def test_no_public_url_is_a_problem_and_no_webhook_is_touched() -> None:
    shop = a_shop()
    report = connect_shop(shop, target(webhook_address=None))
    assert report.problem is not None
    assert "server.public_url" in report.problem
    assert "create_webhook" not in shop.calls


def test_a_shop_that_cannot_be_reached_is_a_problem_not_an_exception() -> None:
    shop = a_shop()
    shop.down = True
    report = check_shop(shop, target())
    assert report.problem is not None
    assert not report.ready


def test_a_deactivated_or_unknown_location_is_named() -> None:
    shop = a_shop(ALL_NEEDED | {"read_locations"})
    active = shop.inventory.add_location("Main")
    idle = shop.inventory.add_location("Old", active=False)
    report = check_shop(
        shop,
        target(
            features=Features(locations_mapped=True),
            locations=(active.location_id, idle.location_id, "gid://shopify/Location/77"),
        ),
    )
    assert report.location_problems == [
        f"{idle.location_id} (Old) is deactivated in {SHOP}",
        f"gid://shopify/Location/77 is not a location of {SHOP}",
    ]
