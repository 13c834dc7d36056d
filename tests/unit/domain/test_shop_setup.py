"""Which scopes trueup needs and why, and the webhook changes that bring a shop to trueup's public URL."""

from __future__ import annotations

import pytest

from trueup.domain.shop_setup import (
    Action,
    Features,
    WebhookSubscription,
    missing_scopes,
    needed_scopes,
    plan_webhooks,
    webhook_address,
)

NEW = "https://trueup.example.com/webhooks/shopify"
OLD = "https://old.example.com/webhooks/shopify"


def sub(n: int, topic: str, uri: str) -> WebhookSubscription:
    return WebhookSubscription(f"gid://shopify/WebhookSubscription/{n}", topic, uri)


@pytest.mark.parametrize(
    ("features", "scope", "needed"),
    [
        (Features(), "read_orders", True),
        (Features(), "write_merchant_managed_fulfillment_orders", True),
        (Features(), "write_inventory", False),
        (Features(inventory=True), "write_inventory", True),
        (Features(inventory=True), "read_products", True),
        (Features(locations_mapped=True), "read_locations", True),
        (Features(), "read_locations", False),
        (Features(payouts=True), "read_shopify_payments_payouts", True),
        (Features(), "read_shopify_payments_payouts", False),
    ],
)
def test_each_feature_needs_its_scopes(features: Features, scope: str, needed: bool) -> None:
    assert (scope in {n.scope for n in needed_scopes(features)}) is needed


def test_a_write_scope_covers_its_read_scope_and_each_missing_one_says_why() -> None:
    needs = needed_scopes(Features(inventory=True))
    missing = missing_scopes({"read_orders", "write_inventory", "read_customers"}, needs)
    assert [n.scope for n in missing] == [
        "write_merchant_managed_fulfillment_orders",
        "read_locations",
        "read_products",
    ]
    assert all(n.why for n in missing)


def test_a_shop_without_subscriptions_gets_one_per_topic() -> None:
    changes, others = plan_webhooks([], ["orders/create", "refunds/create"], NEW)
    assert [(c.action, c.topic, c.uri) for c in changes] == [
        (Action.CREATE, "ORDERS_CREATE", NEW),
        (Action.CREATE, "REFUNDS_CREATE", NEW),
    ]
    assert others == []


def test_subscriptions_in_place_need_nothing() -> None:
    changes, _ = plan_webhooks([sub(1, "ORDERS_CREATE", NEW)], ["orders/create"], NEW)
    assert changes == []


def test_a_new_public_url_moves_the_subscriptions_and_drops_duplicates() -> None:
    existing = [sub(1, "ORDERS_CREATE", OLD), sub(2, "ORDERS_CREATE", OLD + "/")]
    changes, _ = plan_webhooks(existing, ["orders/create"], NEW)
    assert [(c.action, c.subscription_id, c.previous_uri) for c in changes] == [
        (Action.UPDATE, "gid://shopify/WebhookSubscription/1", OLD),
        (Action.DELETE, "gid://shopify/WebhookSubscription/2", None),
    ]


def test_trueups_subscriptions_to_topics_it_no_longer_needs_are_removed_others_left_alone() -> None:
    existing = [sub(1, "PRODUCTS_UPDATE", NEW), sub(2, "ORDERS_CREATE", "https://erp.example.com/hooks/orders")]
    changes, others = plan_webhooks(existing, ["orders/create"], NEW)
    assert [(c.action, c.topic) for c in changes] == [
        (Action.CREATE, "ORDERS_CREATE"),
        (Action.DELETE, "PRODUCTS_UPDATE"),
    ]
    assert others == [existing[1]]


def test_the_address_is_the_public_url_and_the_endpoint() -> None:
    assert webhook_address("https://trueup.example.com/") == NEW
