"""bulkOperationRunQuery: CREATED → RUNNING → COMPLETED, and a JSONL file with __parentId lines."""

from __future__ import annotations

import json

from shopify_sandbox import bulk_query_shape
from tests.sandbox.post_purchase.orders import place_order, sandbox

RUN = """
mutation($query: String!) { bulkOperationRunQuery(query: $query, groupObjects: false) {
  userErrors { field message code } bulkOperation { id status } } }
"""
CURRENT = "{ currentBulkOperation { id status objectCount rootObjectCount url fileSize } }"
ORDERS = """
{ orders { edges { node { id name lineItems(first: 1) { edges { node { id sku quantity } } } } } } }
"""


def test_a_bulk_query_completes_over_two_requests_and_serves_jsonl_with_parent_ids():
    client, _ = sandbox()
    first = place_order(client, {"SHIRT-S": 1, "TOTE": 2})
    second = place_order(client, {"SHIRT-M": 1})
    started = client.graphql(RUN, {"query": ORDERS})["data"]["bulkOperationRunQuery"]
    assert started["userErrors"] == []
    assert started["bulkOperation"]["status"] == "CREATED"
    assert client.graphql(CURRENT)["data"]["currentBulkOperation"]["status"] == "RUNNING"
    done = client.graphql(CURRENT)["data"]["currentBulkOperation"]
    assert (done["status"], done["objectCount"], done["rootObjectCount"]) == ("COMPLETED", "5", "2")
    path = done["url"].removeprefix("http://sandbox.test")
    response = client.get(path)
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert int(done["fileSize"]) == len(response.content)
    assert [line.get("__parentId") for line in lines] == [None, first["id"], first["id"], None, second["id"]]
    assert lines[1]["sku"] == "SHIRT-S"
    assert "lineItems" not in lines[0]


def test_the_operation_is_readable_by_id_and_through_node():
    client, _ = sandbox()
    place_order(client, {"SHIRT-S": 1})
    operation_id = client.graphql(RUN, {"query": "{ orders { nodes { id } } }"})["data"]["bulkOperationRunQuery"][
        "bulkOperation"
    ]["id"]
    client.post("/sandbox/jobs/run")
    client.post("/sandbox/jobs/run")
    by_id = client.graphql("query($id: ID!) { bulkOperation(id: $id) { status } }", {"id": operation_id})
    by_node = client.graphql(
        "query($id: ID!) { node(id: $id) { ... on BulkOperation { status } } }", {"id": operation_id}
    )
    assert by_id["data"]["bulkOperation"]["status"] == by_node["data"]["node"]["status"] == "COMPLETED"


def test_more_pages_than_one_are_all_read(monkeypatch):
    client, _ = sandbox()
    for _ in range(3):
        place_order(client, {"STICKER": 1}, paid=False)
    monkeypatch.setattr(bulk_query_shape, "PAGE", 2)
    client.graphql(RUN, {"query": "{ orders { nodes { id name } } }"})
    client.post("/sandbox/jobs/run")
    client.post("/sandbox/jobs/run")
    assert client.graphql(CURRENT)["data"]["currentBulkOperation"]["objectCount"] == "3"


def test_a_query_without_a_connection_is_a_user_error():
    client, _ = sandbox()
    refused = client.graphql(RUN, {"query": "{ shop { name } }"})["data"]["bulkOperationRunQuery"]
    assert refused["bulkOperation"] is None
    assert refused["userErrors"][0]["field"] == ["query"]


def test_an_invalid_query_is_a_user_error_naming_the_problem():
    client, _ = sandbox()
    refused = client.graphql(RUN, {"query": "{ orders { nodes { nope } } }"})["data"]["bulkOperationRunQuery"]
    assert "nope" in refused["userErrors"][0]["message"]


def test_nested_connections_longer_than_a_page_are_read_to_the_end(monkeypatch):
    client, _ = sandbox()
    order = place_order(client, {"SHIRT-S": 1, "SHIRT-M": 1, "TOTE": 1}, paid=False)
    monkeypatch.setattr(bulk_query_shape, "PAGE", 2)
    client.graphql(RUN, {"query": ORDERS})
    client.post("/sandbox/jobs/run")
    client.post("/sandbox/jobs/run")
    done = client.graphql(CURRENT)["data"]["currentBulkOperation"]
    lines = [json.loads(line) for line in client.get(done["url"].removeprefix("http://sandbox.test")).text.splitlines()]
    assert [line.get("sku") for line in lines if line.get("__parentId") == order["id"]] == [
        "SHIRT-S",
        "SHIRT-M",
        "TOTE",
    ]
