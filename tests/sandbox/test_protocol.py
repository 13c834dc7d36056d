"""The HTTP protocol: authentication, versions, Shopify-shaped errors for bad queries and bad ids."""

from __future__ import annotations

import pytest

from tests.sandbox.factories import TOKEN, SandboxClient

SHOP_QUERY = {"query": "{ shop { name } }"}


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Shopify-Access-Token": "wrong"}, {"Authorization": f"Bearer {TOKEN}"}],
    ids=["no token", "wrong token", "bearer"],
)
def test_anything_but_the_access_token_header_is_refused_with_shopifys_401(headers: dict[str, str]) -> None:
    client = SandboxClient()
    response = client.post("/admin/api/2026-10/graphql.json", json=SHOP_QUERY, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


def test_an_unknown_api_version_is_not_found() -> None:
    client = SandboxClient()
    response = client.post(
        "/admin/api/2019-01/graphql.json", json=SHOP_QUERY, headers={"X-Shopify-Access-Token": TOKEN}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("version", ["2026-10", "2026-07"])
def test_both_served_versions_answer(version: str) -> None:
    answer = SandboxClient().graphql("{ shop { name myshopifyDomain currencyCode } }", version=version)
    assert answer["data"]["shop"] == {
        "name": "Test Shop",
        "myshopifyDomain": "test-shop.myshopify.com",
        "currencyCode": "EUR",
    }


def test_a_body_without_a_query_is_a_bad_request() -> None:
    response = SandboxClient().post(
        "/admin/api/2026-10/graphql.json", content=b"not json", headers={"X-Shopify-Access-Token": TOKEN}
    )
    assert response.status_code == 400


def test_a_malformed_query_gets_a_parse_error_and_the_sandbox_keeps_serving() -> None:
    client = SandboxClient()
    broken = client.graphql("{ shop { name } } }")
    assert broken["errors"][0]["message"] == 'Parse error on "}" (RCURLY) at [1, 19]'
    assert "data" not in broken
    assert client.graphql("{ shop { name } }")["data"]["shop"]["name"] == "Test Shop"


def test_an_unknown_field_is_named_with_its_type_and_path() -> None:
    error = SandboxClient().graphql("query Q { shop { foo } }")["errors"][0]
    assert error["message"] == "Field 'foo' doesn't exist on type 'Shop'"
    assert error["path"] == ["query Q", "shop", "foo"]
    assert error["extensions"] == {"code": "undefinedField", "typeName": "Shop", "fieldName": "foo"}
    assert error["locations"] == [{"line": 1, "column": 18}]


def test_a_missing_required_argument_is_reported_as_graphql_ruby_does() -> None:
    error = SandboxClient().graphql("{ order { id } }")["errors"][0]
    assert error["message"] == "Field 'order' is missing required arguments: id"
    assert error["extensions"]["code"] == "missingRequiredArguments"


def test_a_field_the_sandbox_does_not_implement_fails_loudly_by_name() -> None:
    answer = SandboxClient().graphql("{ shop { name shopOwnerName } }")
    assert answer["errors"][0]["message"] == "Field 'Shop.shopOwnerName' is not implemented by the sandbox"
    assert answer["errors"][0]["path"] == ["shop", "shopOwnerName"]
    assert answer["data"] is None


def test_first_above_250_is_refused() -> None:
    answer = SandboxClient().graphql("{ products(first: 251) { nodes { id } } }")
    assert answer["errors"][0]["path"] == ["products"]
    assert "250" in answer["errors"][0]["message"]


def test_a_connection_without_first_or_last_is_refused() -> None:
    answer = SandboxClient().graphql("{ orders { nodes { id } } }")
    assert answer["errors"][0]["message"] == "you must provide one of first or last"


def test_an_unknown_order_id_is_null_and_a_malformed_one_an_error() -> None:
    client = SandboxClient()
    assert client.graphql('{ order(id: "gid://shopify/Order/1") { id } }')["data"] == {"order": None}
    malformed = client.graphql('{ order(id: "12345") { id } }')
    assert malformed["errors"][0]["path"] == ["order"]
    assert "12345" in malformed["errors"][0]["message"]


def test_an_id_of_another_type_is_not_found() -> None:
    client = SandboxClient()
    location_id = client.location("Main").id
    assert client.graphql(f'{{ order(id: "{location_id}") {{ id }} }}')["data"] == {"order": None}


def test_every_answer_carries_the_cost_extension() -> None:
    client = SandboxClient()
    for query in ("{ shop { name } }", "{ shop { foo } }", "{ shop { name"):
        cost = client.graphql(query)["extensions"]["cost"]
        assert set(cost) == {"requestedQueryCost", "actualQueryCost", "throttleStatus"}
        assert set(cost["throttleStatus"]) == {"maximumAvailable", "currentlyAvailable", "restoreRate"}


def test_a_raw_graphql_body_is_accepted() -> None:
    client = SandboxClient()
    response = client.post(
        "/admin/api/2026-10/graphql.json",
        content=b"{ shop { name } }",
        headers={"X-Shopify-Access-Token": TOKEN, "Content-Type": "application/graphql"},
    )
    assert response.json()["data"]["shop"]["name"] == "Test Shop"


def test_an_invalid_variable_is_refused_and_not_charged() -> None:
    answer = SandboxClient().graphql(
        "mutation($o: OrderCreateOrderInput!) { orderCreate(order: $o) { order { id } } }",
        {"o": {"lineItems": [{"quantity": "x"}]}},
    )
    assert answer["errors"][0]["extensions"] == {"code": "INVALID_VARIABLE", "variableName": "o"}
    assert answer["extensions"]["cost"]["actualQueryCost"] == 0
    assert answer["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 2000


def test_variables_sent_as_a_json_string_are_read() -> None:
    response = SandboxClient().post(
        "/admin/api/2026-10/graphql.json",
        json={"query": "query($n: Int!) { products(first: $n) { nodes { id } } }", "variables": '{"n": 2}'},
        headers={"X-Shopify-Access-Token": TOKEN},
    )
    assert len(response.json()["data"]["products"]["nodes"]) == 2
