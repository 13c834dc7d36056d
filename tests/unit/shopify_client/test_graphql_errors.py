"""Shopify's failures become trueup's error classes at the boundary, with the wait when there is one."""

from __future__ import annotations

import httpx
import pytest

from tests.unit.shopify_client.payloads import ScriptedShopify, answer, cost_extensions
from trueup.adapters.shopify.graphql import ShopifyGraphQL, ShopifyQueryError, admin_endpoint
from trueup.adapters.shopify.queries import FETCH_ORDER, SHOP_INFO
from trueup.domain.errors import BadInput, TransientError

SHOP = "demo.myshopify.com"
TOKEN = "shpat_secret_token_value"


def client_answering(reply: httpx.Response | dict) -> tuple[ShopifyGraphQL, ScriptedShopify]:
    shopify = ScriptedShopify({name: (lambda _v: reply) for name in (FETCH_ORDER.name, SHOP_INFO.name)})
    return ShopifyGraphQL(SHOP, TOKEN, http=shopify.client()), shopify


def client_raising(exc: Exception) -> ShopifyGraphQL:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return ShopifyGraphQL(SHOP, TOKEN, http=httpx.Client(transport=httpx.MockTransport(handler)))


def throttled_body(requested: int, available: int, rate: int) -> dict:
    body = {
        "errors": [
            {"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev"}}
        ],
        "extensions": cost_extensions(requested=requested, available=available, rate=rate),
    }
    body["extensions"]["cost"]["actualQueryCost"] = None
    return body


def test_posts_to_the_versioned_endpoint_with_the_token_header_only() -> None:
    client, shopify = client_answering(answer({"order": None}))
    client.execute(FETCH_ORDER, {"id": "gid://shopify/Order/1"})
    (name, variables, headers) = shopify.requests[0]
    assert (name, variables) == (FETCH_ORDER.name, {"id": "gid://shopify/Order/1"})
    assert headers["X-Shopify-Access-Token"] == TOKEN
    assert "Authorization" not in headers


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        (None, "https://demo.myshopify.com/admin/api/2026-10/graphql.json"),
        ("http://127.0.0.1:8123/", "http://127.0.0.1:8123/admin/api/2026-10/graphql.json"),
    ],
)
def test_endpoint_follows_the_shop_or_a_base_url(base_url: str | None, expected: str) -> None:
    assert admin_endpoint(SHOP, "2026-10", base_url) == expected


@pytest.mark.parametrize(
    ("requested", "available", "rate", "wait"),
    [(700, 100, 100, 6.0), (52, 2, 50, 1.0), (1500, 0, 1000, 1.5)],
)
def test_throttled_answer_is_transient_with_the_wait_the_bucket_needs(
    requested: int, available: int, rate: int, wait: float
) -> None:
    client, _ = client_answering(throttled_body(requested, available, rate))
    with pytest.raises(TransientError) as caught:
        client.execute(FETCH_ORDER, {"id": "gid://shopify/Order/1"})
    assert caught.value.retry_after == pytest.approx(wait)


def test_http_429_honours_retry_after() -> None:
    client, _ = client_answering(httpx.Response(429, headers={"Retry-After": "2.0"}, json={"errors": "Throttled"}))
    with pytest.raises(TransientError) as caught:
        client.execute(SHOP_INFO)
    assert caught.value.retry_after == 2.0


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_transient(status: int) -> None:
    client, _ = client_answering(httpx.Response(status, text="oops"))
    with pytest.raises(TransientError):
        client.execute(SHOP_INFO)


@pytest.mark.parametrize(
    "exc", [httpx.ReadTimeout("slow"), httpx.ConnectError("refused"), httpx.RemoteProtocolError("cut")]
)
def test_network_failures_are_transient_and_chained(exc: Exception) -> None:
    with pytest.raises(TransientError) as caught:
        client_raising(exc).execute(SHOP_INFO)
    assert caught.value.__cause__ is exc


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_is_bad_input_without_the_token(status: int) -> None:
    client, _ = client_answering(httpx.Response(status, json={"errors": "[API] Invalid API key or access token"}))
    with pytest.raises(BadInput) as caught:
        client.execute(SHOP_INFO)
    assert TOKEN not in str(caught.value)
    assert SHOP in str(caught.value)


def test_an_unreadable_body_is_transient() -> None:
    client, _ = client_answering(httpx.Response(200, text="<html>gateway</html>"))
    with pytest.raises(TransientError):
        client.execute(SHOP_INFO)


def test_a_graphql_error_is_a_bug_in_trueups_query_named() -> None:
    body = {
        "errors": [
            {
                "message": "Field 'nope' doesn't exist on type 'Order'",
                "locations": [{"line": 1, "column": 9}],
                "extensions": {"code": "undefinedField", "typeName": "Order", "fieldName": "nope"},
            }
        ]
    }
    client, _ = client_answering(body)
    with pytest.raises(ShopifyQueryError) as caught:
        client.execute(FETCH_ORDER, {"id": "gid://shopify/Order/1"})
    assert caught.value.operation == FETCH_ORDER.name
    assert "nope" in str(caught.value)


def test_max_cost_exceeded_is_a_bug_in_trueups_query() -> None:
    body = {
        "errors": [
            {
                "message": "Query cost is 1200, which exceeds the single query max cost limit (1000).",
                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": 1200, "maxCost": 1000},
            }
        ]
    }
    client, _ = client_answering(body)
    with pytest.raises(ShopifyQueryError) as caught:
        client.execute(SHOP_INFO)
    assert caught.value.codes == ["MAX_COST_EXCEEDED"]


def test_access_denied_is_bad_input() -> None:
    body = {"errors": [{"message": "Access denied for orders field.", "extensions": {"code": "ACCESS_DENIED"}}]}
    client, _ = client_answering(body)
    with pytest.raises(BadInput):
        client.execute(SHOP_INFO)


def test_a_throttled_answer_teaches_the_budget_the_bucket() -> None:
    client, _ = client_answering(throttled_body(requested=700, available=100, rate=100))
    with pytest.raises(TransientError):
        client.execute(FETCH_ORDER, {"id": "gid://shopify/Order/1"})
    available = client.budget.available_now()
    assert available is not None
    assert available < 700
