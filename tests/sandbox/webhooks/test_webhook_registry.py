from datetime import timedelta

import pytest
from graphql import GraphQLEnumType

from shopify_sandbox.clock import ManualClock
from shopify_sandbox.webhooks import (
    DuplicateSubscription,
    InMemorySubscriptionRegistry,
    InvalidCallbackUrl,
    UnsupportedTopic,
    enum_topic,
    rest_topic,
)
from shopify_sandbox.webhooks.topics import API_TOPICS, COMPLIANCE_TOPICS
from tests.sandbox.trading.admin_schema import admin_schema


def test_every_api_topic_is_a_value_of_shopifys_enum_and_privacy_topics_are_not():
    enum = admin_schema().get_type("WebhookSubscriptionTopic")
    assert isinstance(enum, GraphQLEnumType)
    assert set(API_TOPICS) <= set(enum.values)
    assert not {t.upper().replace("/", "_") for t in COMPLIANCE_TOPICS} & set(enum.values)


@pytest.mark.parametrize(
    ("enum", "rest"),
    [
        ("ORDERS_CREATE", "orders/create"),
        ("INVENTORY_LEVELS_UPDATE", "inventory_levels/update"),
        ("APP_UNINSTALLED", "app/uninstalled"),
        ("ORDERS_EDITED", "orders/edited"),
    ],
)
def test_topics_convert_both_ways(enum, rest):
    assert rest_topic(enum) == rest
    assert enum_topic(rest) == enum


def test_subscriptions_get_increasing_numeric_ids_and_can_be_deleted():
    clock = ManualClock()
    registry = InMemorySubscriptionRegistry(clock)
    first = registry.create("ORDERS_CREATE", "https://a.example/hooks")
    clock.advance(5)
    second = registry.create("REFUNDS_CREATE", "https://a.example/hooks")
    assert (first.id, second.id) == (1, 2)
    assert second.created_at - first.created_at == timedelta(seconds=5)
    assert registry.list() == [first, second]
    assert registry.delete(first.id) is True
    assert registry.delete(first.id) is False
    assert registry.list() == [second]
    assert [e.callback_url for e in registry.endpoints_for("orders/create")] == []


@pytest.mark.parametrize(
    ("topic", "url", "error"),
    [
        ("ORDERS_EXPLODED", "https://a.example/h", UnsupportedTopic),
        ("ORDERS_CREATE", "ftp://a.example/h", InvalidCallbackUrl),
        ("ORDERS_CREATE", "not a url", InvalidCallbackUrl),
    ],
)
def test_bad_subscriptions_are_refused(topic, url, error):
    with pytest.raises(error):
        InMemorySubscriptionRegistry(ManualClock()).create(topic, url)


def test_the_same_address_cannot_subscribe_twice_to_a_topic():
    registry = InMemorySubscriptionRegistry(ManualClock())
    registry.create("ORDERS_CREATE", "https://a.example/hooks")
    with pytest.raises(DuplicateSubscription):
        registry.create("ORDERS_CREATE", "https://a.example/hooks")


def test_privacy_endpoints_are_not_listed_as_api_subscriptions():
    registry = InMemorySubscriptionRegistry(ManualClock())
    registry.configure_app_endpoint("shop/redact", "https://a.example/privacy")
    assert registry.list() == []
    assert [e.callback_url for e in registry.endpoints_for("shop/redact")] == ["https://a.example/privacy"]
    with pytest.raises(UnsupportedTopic):
        registry.configure_app_endpoint("orders/create", "https://a.example/privacy")
