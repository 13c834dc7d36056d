"""The inventory calls of the Shopify client against scripted answers: how Shopify's refusals are classed,
how stale compares are set aside, how a bulk read's file is read, and at which priority it all runs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.unit.shopify_client.payloads import ScriptedShopify
from trueup.adapters.shopify.admin import ShopifyAdminClient
from trueup.adapters.shopify.cost_budget import CostBudget, Priority
from trueup.adapters.shopify.graphql import ShopifyQueryError
from trueup.adapters.shopify.inventory import levels_from_jsonl, search_value
from trueup.domain.errors import BadInput, Cause, StructuralError, TransientError
from trueup.domain.inventory import StockWrite

NORTH = "gid://shopify/Location/1"


def w(n: int, quantity: int = 5, expected: int = 1) -> StockWrite:
    return StockWrite(f"SKU-{n}", f"gid://shopify/InventoryItem/{n}", NORTH, quantity, expected)


def answer(user_errors: list[dict[str, Any]]) -> dict[str, Any]:
    group = None if user_errors else {"id": "gid://shopify/InventoryAdjustmentGroup/1"}
    payload = {"inventorySetQuantities": {"inventoryAdjustmentGroup": group, "userErrors": user_errors}}
    return {"data": payload}


def error(code: str, index: int | None = None) -> dict[str, Any]:
    field = ["input", "quantities", str(index), "changeFromQuantity"] if index is not None else ["input"]
    return {"field": field, "message": f"{code} happened", "code": code}


class RecordingBudget(CostBudget):
    def __init__(self) -> None:
        super().__init__()
        self.priorities: list[Priority | None] = []

    def acquire(self, cost: int, priority: Priority | None = None) -> None:
        from trueup.adapters.shopify.cost_budget import current_priority

        self.priorities.append(current_priority() if priority is None else priority)
        super().acquire(cost, priority)


def client_for(handler: Any, budget: CostBudget | None = None) -> tuple[ShopifyAdminClient, ScriptedShopify]:
    scripted = ScriptedShopify({"TrueupInventorySetQuantities": handler})
    client = ShopifyAdminClient("demo.myshopify.com", "t", http=scripted.client(), budget=budget)
    return client, scripted


def test_writes_go_as_available_with_their_compare_values_and_the_key() -> None:
    client, scripted = client_for(lambda _v: answer([]))
    result = client.set_available([w(1), w(2, 9, 4)], "key-1")
    assert (result.applied, result.stale) == ((w(1), w(2, 9, 4)), ())
    _, variables, _ = scripted.requests[0]
    assert variables["key"] == "key-1"
    assert variables["input"]["name"] == "available"
    assert variables["input"]["quantities"][1] == {
        "inventoryItemId": "gid://shopify/InventoryItem/2",
        "locationId": NORTH,
        "quantity": 9,
        "changeFromQuantity": 4,
    }


def test_stale_writes_are_set_aside_and_the_others_sent_again_under_a_derived_key() -> None:
    def shopify(variables: dict[str, Any]) -> dict[str, Any]:
        items = [q["inventoryItemId"] for q in variables["input"]["quantities"]]
        stale = [i for i, item in enumerate(items) if item.endswith("/2")]
        return answer([error("CHANGE_FROM_QUANTITY_STALE", i) for i in stale])

    client, scripted = client_for(shopify)
    result = client.set_available([w(1), w(2), w(3)], "key-9")
    assert (result.applied, result.stale) == ((w(1), w(3)), (w(2),))
    keys = [variables["key"] for _, variables, _ in scripted.requests]
    assert keys == ["key-9", "key-9/1"]
    assert len(scripted.requests[1][1]["input"]["quantities"]) == 2


def test_a_stale_error_not_tied_to_a_quantity_makes_the_whole_batch_stale() -> None:
    client, scripted = client_for(lambda _v: answer([error("CHANGE_FROM_QUANTITY_STALE")]))
    result = client.set_available([w(1), w(2)], "key")
    assert (result.applied, result.stale) == ((), (w(1), w(2)))
    assert len(scripted.requests) == 1


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("INVALID_INVENTORY_ITEM", StructuralError),
        ("NON_MUTABLE_INVENTORY_ITEM", StructuralError),
        ("INVALID_LOCATION", StructuralError),
        ("IDEMPOTENCY_CONCURRENT_REQUEST", TransientError),
        ("IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED", TransientError),
        ("IDEMPOTENCY_KEY_PARAMETER_MISMATCH", BadInput),
        ("INVALID_REASON", ShopifyQueryError),
    ],
)
def test_other_refusals_are_classed_by_what_to_do(code: str, expected: type[Exception]) -> None:
    client, _ = client_for(lambda _v: answer([error(code, 0)]))
    with pytest.raises(expected):
        client.set_available([w(1)], "key")


def test_an_unknown_item_names_its_sku_and_a_bad_location_says_map_it() -> None:
    client, _ = client_for(lambda _v: answer([error("INVALID_INVENTORY_ITEM", 1)]))
    with pytest.raises(StructuralError) as unknown:
        client.set_available([w(1), w(2)], "key")
    assert (unknown.value.cause, unknown.value.needs) == (Cause.SKU_NOT_IN_SHOPIFY, {"skus": ["SKU-2"]})
    client, _ = client_for(lambda _v: answer([error("INVALID_LOCATION", 0)]))
    with pytest.raises(StructuralError) as location:
        client.set_available([w(1)], "key")
    assert location.value.cause is Cause.UNMAPPED_LOCATION


def test_inventory_calls_run_at_inventory_priority_and_leave_the_caller_at_orders() -> None:
    budget = RecordingBudget()
    client, _ = client_for(lambda _v: answer([]), budget)
    client.set_available([w(1)], "key")
    budget.acquire(1)
    assert budget.priorities == [Priority.INVENTORY, Priority.ORDERS]


def test_a_bulk_file_gives_the_levels_of_tracked_items_with_a_sku_even_out_of_order() -> None:
    lines: list[dict[str, Any]] = [
        {"id": "gid://shopify/InventoryItem/1", "sku": "A", "tracked": True},
        {
            "location": {"id": NORTH},
            "quantities": [{"name": "available", "quantity": 4}],
            "__parentId": "gid://shopify/InventoryItem/1",
        },
        {
            "location": {"id": NORTH},
            "quantities": [{"name": "available", "quantity": 7}],
            "__parentId": "gid://shopify/InventoryItem/3",
        },
        {"id": "gid://shopify/InventoryItem/2", "sku": "KIT", "tracked": False},
        {
            "location": {"id": NORTH},
            "quantities": [{"name": "available", "quantity": 1}],
            "__parentId": "gid://shopify/InventoryItem/2",
        },
        {"id": "gid://shopify/InventoryItem/3", "sku": "B", "tracked": True, "updatedAt": None},
    ]
    found = list(levels_from_jsonl([*(json.dumps(line) for line in lines), ""]))
    assert [(lv.sku, lv.inventory_item_id, lv.available) for lv in found] == [
        ("A", "gid://shopify/InventoryItem/1", 4),
        ("B", "gid://shopify/InventoryItem/3", 7),
    ]


def test_search_values_are_quoted_with_quotes_and_backslashes_escaped() -> None:
    assert search_value("TEE-M") == '"TEE-M"'
    assert search_value('A "B" \\C') == '"A \\"B\\" \\\\C"'


def bulk_shopify(statuses: list[str], run_errors: list[dict[str, Any]] | None = None) -> ScriptedShopify:
    polls = iter(statuses)

    def run(_v: dict[str, Any]) -> dict[str, Any]:
        operation = None if run_errors else {"id": "gid://shopify/BulkOperation/1", "status": "CREATED"}
        return {"data": {"bulkOperationRunQuery": {"bulkOperation": operation, "userErrors": run_errors or []}}}

    def poll(_v: dict[str, Any]) -> dict[str, Any]:
        status = next(polls)
        url = "https://storage.example/bulk.jsonl" if status == "COMPLETED" else None
        operation = {"id": "gid://shopify/BulkOperation/1", "status": status, "errorCode": None, "url": url}
        return {"data": {"bulkOperation": {**operation, "objectCount": "2", "partialDataUrl": None}}}

    return ScriptedShopify({"TrueupBulkOperationRunQuery": run, "TrueupBulkOperation": poll})


def bulk_inventory(scripted: ScriptedShopify, downloaded: list[str]) -> Any:
    from trueup.adapters.shopify.graphql import ShopifyGraphQL
    from trueup.adapters.shopify.inventory import ShopifyInventory

    lines = [
        json.dumps({"id": "gid://shopify/InventoryItem/1", "sku": "A", "tracked": True}),
        json.dumps(
            {
                "location": {"id": NORTH},
                "quantities": [{"name": "available", "quantity": 3}],
                "__parentId": "gid://shopify/InventoryItem/1",
            }
        ),
    ]
    sleeps: list[float] = []

    def download(url: str) -> Any:
        downloaded.append(url)
        return iter(lines)

    graphql = ShopifyGraphQL("demo.myshopify.com", "t", http=scripted.client())
    clock = iter(range(0, 10_000, 1))
    inventory = ShopifyInventory(
        graphql, sleep=sleeps.append, clock=lambda: float(next(clock)), download=download, bulk_timeout_seconds=50
    )
    return inventory, sleeps


def test_a_whole_catalogue_is_read_through_a_bulk_operation_polled_until_done() -> None:
    scripted = bulk_shopify(["CREATED", "RUNNING", "COMPLETED", "COMPLETED"])
    downloaded: list[str] = []
    inventory, sleeps = bulk_inventory(scripted, downloaded)
    levels = inventory.inventory_levels([NORTH, "gid://shopify/Location/9"])
    assert [(lv.sku, lv.location_id, lv.available) for lv in levels] == [("A", NORTH, 3)]
    assert downloaded == ["https://storage.example/bulk.jsonl"]
    assert len(sleeps) == 2
    assert inventory.inventory_levels(["gid://shopify/Location/9"]) == []  # another run: other locations only


@pytest.mark.parametrize("status", ["FAILED", "CANCELED", "EXPIRED"])
def test_a_bulk_operation_that_does_not_complete_is_transient(status: str) -> None:
    inventory, _ = bulk_inventory(bulk_shopify(["RUNNING", status]), [])
    with pytest.raises(TransientError, match=status):
        inventory.inventory_levels([NORTH])


def test_another_bulk_operation_in_progress_is_transient() -> None:
    refusal = [
        {"field": None, "message": "A bulk query operation is already in progress.", "code": "OPERATION_IN_PROGRESS"}
    ]
    inventory, _ = bulk_inventory(bulk_shopify([], refusal), [])
    with pytest.raises(TransientError, match="other bulk"):
        inventory.inventory_levels([NORTH])


def test_a_bulk_operation_running_past_the_timeout_is_transient() -> None:
    inventory, sleeps = bulk_inventory(bulk_shopify(["RUNNING"] * 500), [])
    with pytest.raises(TransientError, match="did not finish"):
        inventory.inventory_levels([NORTH])
    assert 0 < len(sleeps) < 500
