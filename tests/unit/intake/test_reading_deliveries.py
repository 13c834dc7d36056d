"""Reading a signed delivery: its headers, and which order it is about."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from trueup.adapters.shopify.webhooks import BODY_NOT_JSON, ORDER_NOT_FOUND, order_id_in, read_delivery
from trueup.domain.errors import BadInput

from .signed_requests import order_body, webhook_request

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
GID = "gid://shopify/Order/450789469"


def lower(headers: dict[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


@pytest.mark.parametrize(
    ("topic", "payload", "expected"),
    [
        ("orders/create", {"id": 450789469, "admin_graphql_api_id": GID}, GID),
        ("orders/updated", {"id": 450789469}, GID),
        ("orders/paid", {"admin_graphql_api_id": GID}, GID),
        ("orders/cancelled", {"id": "450789469"}, GID),
        ("refunds/create", {"id": 509562969, "order_id": 450789469}, GID),
        ("orders/edited", {"order_edit": {"id": 78912328, "order_id": 450789469}}, GID),
        ("fulfillments/create", {"id": 255858046, "order_id": 450789469}, GID),
        ("inventory_levels/update", {"inventory_item_id": 1, "location_id": 2}, None),
        ("orders/create", {"admin_graphql_api_id": "gid://shopify/Customer/1"}, None),
        ("orders/create", {"id": True}, None),
        ("orders/edited", {"order_edit": "nope"}, None),
        ("refunds/create", ["not", "an", "object"], None),
    ],
)
def test_the_order_a_delivery_is_about(topic: str, payload: Any, expected: str | None) -> None:
    assert order_id_in(topic, payload) == expected


def test_a_delivery_keeps_shopify_headers_and_the_raw_body() -> None:
    body, headers = webhook_request(order_body(), topic="orders/paid", webhook_id="w-9", event_id="e-9")
    delivery = read_delivery(lower(headers) | {"cookie": "session=abc"}, body, NOW)

    assert (delivery.shop, delivery.topic, delivery.webhook_id, delivery.event_id) == (
        "alpha.myshopify.com",
        "orders/paid",
        "w-9",
        "e-9",
    )
    assert (delivery.api_version, delivery.order_id, delivery.body, delivery.received_at) == ("2026-10", GID, body, NOW)
    assert delivery.known_topic
    assert delivery.problem is None
    assert "x-shopify-hmac-sha256" in delivery.headers
    assert "cookie" not in delivery.headers


def test_an_unknown_topic_is_kept_and_flagged() -> None:
    body, headers = webhook_request(b'{"id": 1}', topic="carts/create")

    delivery = read_delivery(lower(headers), body, NOW)

    assert (delivery.known_topic, delivery.order_id) == (False, None)


def test_a_body_that_is_not_json_is_kept_with_its_problem() -> None:
    body, headers = webhook_request(b"{not json")

    delivery = read_delivery(lower(headers), body, NOW)

    assert (delivery.problem, delivery.order_id, delivery.body) == (BODY_NOT_JSON, None, b"{not json")


def test_an_order_topic_without_an_order_is_kept_with_its_problem() -> None:
    body, headers = webhook_request(json.dumps({"name": "#1001"}).encode(), topic="orders/updated")

    assert read_delivery(lower(headers), body, NOW).problem == ORDER_NOT_FOUND


@pytest.mark.parametrize("missing", ["X-Shopify-Topic", "X-Shopify-Webhook-Id", "X-Shopify-Shop-Domain"])
def test_a_delivery_without_an_identifying_header_is_bad_input(missing: str) -> None:
    body, headers = webhook_request(drop=(missing,))

    with pytest.raises(BadInput, match=missing.lower()):
        read_delivery(lower(headers), body, NOW)


def test_optional_headers_may_be_absent() -> None:
    body, headers = webhook_request(drop=("X-Shopify-Event-Id", "X-Shopify-API-Version", "X-Shopify-Triggered-At"))

    delivery = read_delivery(lower(headers), body, NOW)

    assert (delivery.event_id, delivery.api_version, delivery.triggered_at) == (None, None, None)
