"""Query cost and the leaky bucket, on a controlled clock."""

from __future__ import annotations

import pytest
from graphql import OperationDefinitionNode, parse

from shopify_sandbox.bucket import PLANS, LeakyBucket
from shopify_sandbox.clock import ManualClock
from shopify_sandbox.cost import requested_cost
from shopify_sandbox.schema import admin_schema
from tests.sandbox.factories import SandboxClient, sandbox_config


def cost_of(query: str, variables: dict | None = None) -> int:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return requested_cost(admin_schema("2026-10"), operation, {}, variables)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ shop { name currencyCode } }", 1),
        ("{ products(first: 10) { nodes { id title } } }", 12),
        ("{ products(first: 10) { edges { cursor node { id } } pageInfo { hasNextPage } } }", 12),
        ("{ products(first: 10) { nodes { id variants(first: 5) { nodes { sku } } } } }", 2 + 10 * (1 + 2 + 5)),
        ('{ order(id: "gid://shopify/Order/1") { id totalPriceSet { shopMoney { amount } } } }', 3),
        ('mutation { orderUpdate(input: {id: "gid://shopify/Order/1"}) { order { id } } }', 10),
    ],
)
def test_requested_cost_follows_shopifys_published_rules(query: str, expected: int) -> None:
    assert cost_of(query) == expected


def test_page_size_from_a_variable_counts() -> None:
    assert cost_of("query($n: Int) { orders(first: $n) { nodes { id } } }", {"n": 50}) == 52


def test_actual_cost_counts_the_items_returned_and_the_difference_is_refunded() -> None:
    client = SandboxClient()
    cost = client.graphql("{ locations(first: 100) { nodes { id } } }")["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 102
    assert cost["actualQueryCost"] == 2 + 2  # two locations in the shop
    assert cost["throttleStatus"]["currentlyAvailable"] == 2000 - 4


def test_a_query_over_1000_points_is_refused_with_max_cost_exceeded() -> None:
    answer = SandboxClient().graphql("{ products(first: 999) { nodes { id } } }")
    error = answer["errors"][0]
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert error["extensions"]["cost"] == 1001
    assert error["extensions"]["maxCost"] == 1000
    assert error["message"].startswith("Query cost is 1001, which exceeds the single query max cost limit (1000).")
    assert "data" not in answer


def test_a_burst_is_throttled_exactly_where_the_bucket_runs_dry_and_recovers_at_the_restore_rate() -> None:
    clock = ManualClock()
    client = SandboxClient(sandbox_config(clock=clock))
    query = 'mutation { orderUpdate(input: {id: "gid://shopify/Order/1"}) { order { id } } }'  # 10 points
    admitted = 0
    while "errors" not in (answer := client.graphql(query)) and admitted < 1000:
        admitted += 1
    assert admitted == 2000 // 10
    assert answer["errors"] == [
        {
            "message": "Throttled",
            "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
        }
    ]
    assert answer["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 0
    clock.advance(0.05)  # 5 points back: not yet enough for 10
    assert "errors" in client.graphql(query)
    clock.advance(0.05)
    assert "errors" not in client.graphql(query)
    assert client.get("/sandbox/api/throttled").json() == {"throttled": 2}, "each THROTTLED answer counted"


def test_the_bucket_refills_to_its_maximum_and_no_further() -> None:
    clock = ManualClock()
    bucket = LeakyBucket(PLANS["advanced"], clock)
    assert bucket.try_take(4000)
    clock.advance(5)
    assert bucket.status().currently_available == 1000
    clock.advance(3600)
    assert bucket.status().currently_available == 4000


@pytest.mark.parametrize(
    ("plan", "maximum", "rate"),
    [("standard", 2000, 100), ("advanced", 4000, 200), ("plus", 20000, 1000), ("enterprise", 40000, 2000)],
)
def test_plan_presets(plan: str, maximum: int, rate: int) -> None:
    status = SandboxClient(sandbox_config(plan=plan)).graphql("{ shop { name } }")["extensions"]["cost"][
        "throttleStatus"
    ]
    assert (status["maximumAvailable"], status["restoreRate"]) == (maximum, rate)


def test_the_plan_can_change_while_the_sandbox_runs() -> None:
    client = SandboxClient()
    response = client.post("/sandbox/plan", json={"plan": "plus"})
    assert response.json() == {"plan": "plus", "maximumAvailable": 20000, "restoreRate": 1000}
    assert client.graphql("{ shop { name } }")["extensions"]["cost"]["throttleStatus"]["restoreRate"] == 1000
    assert client.post("/sandbox/plan", json={"plan": "gold"}).status_code == 422


def test_fragments_on_alternative_types_cost_the_dearest_branch() -> None:
    query = """{ order(id: "gid://shopify/Order/1") { purchasingEntity {
        ... on Customer { id }
        ... on PurchasingCompany { company { id } location { id } contact { id } } } } }"""
    assert cost_of(query) == 1 + 1 + 3  # the order, the union, then the company branch (three objects)
