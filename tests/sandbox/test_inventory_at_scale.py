"""Inventory at catalogue scale: a large seeded catalogue, SKU searches joined by OR, and a bulk read of every
level that works through a large catalogue a slice at a time."""

from __future__ import annotations

import json

import pytest

from shopify_sandbox import bulk_operations, bulk_query_shape
from shopify_sandbox.config import SandboxConfig
from shopify_sandbox.large_catalogue import large_catalogue_shop, variant_sku
from tests.sandbox.factories import SandboxClient, sandbox_config

ITEMS = """query($q: String) { inventoryItems(first: 50, query: $q) { nodes { sku } } }"""
RUN = """
mutation($query: String!) { bulkOperationRunQuery(query: $query, groupObjects: false) {
  userErrors { field message code } bulkOperation { id status } } }
"""
CURRENT = "{ currentBulkOperation { status objectCount rootObjectCount url } }"
LEVELS = """
{ inventoryItems { edges { node { id sku tracked inventoryLevels { edges { node {
  location { id } quantities(names: ["available"]) { name quantity } } } } } } } }
"""


def skus(client: SandboxClient, query: str) -> list[str]:
    return [node["sku"] for node in client.graphql(ITEMS, {"q": query})["data"]["inventoryItems"]["nodes"]]


def large_client(variants: int, locations: int = 3) -> SandboxClient:
    return SandboxClient(sandbox_config(shop_spec=large_catalogue_shop(variants, locations)))


def test_a_large_catalogue_stocks_every_variant_at_every_location_the_same_way_each_time() -> None:
    spec = large_catalogue_shop(25, 3)
    assert sum(len(p.variants) for p in spec.products) == 25
    assert len(spec.locations) == 3
    assert len(spec.stock) == 75
    assert all(0 <= q <= 250 for q in spec.stock.values())
    assert large_catalogue_shop(25, 3) == spec
    assert large_catalogue_shop(25, 3, seed=2).stock != spec.stock
    assert variant_sku(12) == "BULK-00001-2"


@pytest.mark.parametrize(("variants", "locations"), [(0, 3), (10, 0), (10, 6)])
def test_a_large_catalogue_refuses_impossible_sizes(variants: int, locations: int) -> None:
    with pytest.raises(ValueError, match="large catalogue"):
        large_catalogue_shop(variants, locations)


def test_the_configuration_serves_a_large_catalogue_instead_of_the_seeded_shop() -> None:
    spec = SandboxConfig(catalogue_variants=30, catalogue_locations=2).resolve_shop_spec()
    assert sum(len(p.variants) for p in spec.products) == 30
    assert len(spec.locations) == 2


def test_a_search_joins_terms_with_or_and_and_binds_tighter() -> None:
    client = large_client(30)
    first, second, third = variant_sku(0), variant_sku(11), variant_sku(29)
    assert sorted(skus(client, f'sku:"{first}" OR sku:"{second}"')) == sorted([first, second])
    assert skus(client, f"sku:{first} AND sku:{second}") == []
    assert sorted(skus(client, f"sku:{first} sku:{second} OR sku:{third}")) == [third]
    assert skus(client, f"sku:{first}") == [first]


def test_a_bulk_read_of_levels_gives_items_then_their_levels() -> None:
    client = large_client(4, 2)
    assert client.graphql(RUN, {"query": LEVELS})["data"]["bulkOperationRunQuery"]["userErrors"] == []
    client.post("/sandbox/jobs/run")
    client.post("/sandbox/jobs/run")
    done = client.graphql(CURRENT)["data"]["currentBulkOperation"]
    assert (done["status"], done["rootObjectCount"], done["objectCount"]) == ("COMPLETED", "4", "12")
    lines = [json.loads(line) for line in client.get(done["url"].removeprefix("http://sandbox.test")).text.splitlines()]
    items = {line["id"]: line["sku"] for line in lines if "__parentId" not in line}
    levels = [line for line in lines if "__parentId" in line]
    assert sorted(items.values()) == [variant_sku(n) for n in range(4)]
    assert len(levels) == 8
    assert all(level["__parentId"] in items for level in levels)
    assert {q["name"] for level in levels for q in level["quantities"]} == {"available"}


def test_a_bulk_read_longer_than_a_slice_goes_on_at_the_next_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    client = large_client(5, 1)
    monkeypatch.setattr(bulk_query_shape, "PAGE", 2)  # three pages of items
    monkeypatch.setattr(bulk_operations, "SLICE_SECONDS", 0.0)  # one page per run of due jobs
    client.graphql(RUN, {"query": LEVELS})
    ran = [client.post("/sandbox/jobs/run").json()["ran"] for _ in range(5)]
    # Started, then one slice (one page) per run: three pages, then nothing left to do.
    assert ran == [1, 1, 1, 1, 0]
    done = client.graphql(CURRENT)["data"]["currentBulkOperation"]
    assert (done["status"], done["rootObjectCount"], done["objectCount"]) == ("COMPLETED", "5", "10")
