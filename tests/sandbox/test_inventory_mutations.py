"""inventorySetQuantities / inventoryAdjustQuantities: compare-and-set, idempotency keys, all-or-nothing."""

from __future__ import annotations

from typing import Any

from tests.sandbox.factories import RecordingBus, SandboxClient, sandbox_config

SET = """mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    userErrors { field message code }
    inventoryAdjustmentGroup { id reason
      changes { name delta quantityAfterChange item { sku } location { name } } } } }"""
ADJUST = """mutation Adjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    userErrors { field message code }
    inventoryAdjustmentGroup { changes { name delta quantityAfterChange } } } }"""


def quantity_row(
    client: SandboxClient, sku: str, location: str, quantity: int, change_from: int | None
) -> dict[str, Any]:
    return {
        "inventoryItemId": client.item(sku).id,
        "locationId": client.location(location).id,
        "quantity": quantity,
        "changeFromQuantity": change_from,
    }


def available(client: SandboxClient, sku: str, location: str) -> int:
    return client.item(sku).levels[client.location(location).number].quantity("available")


def set_input(*rows: dict[str, Any], name: str = "available") -> dict[str, Any]:
    return {"name": name, "reason": "correction", "quantities": list(rows)}


def test_set_with_the_current_quantity_applies_and_reports_the_changes() -> None:
    client = SandboxClient()
    result = client.graphql(SET, {"input": set_input(quantity_row(client, "TOTE", "Main", 8, 5)), "key": "k1"})
    payload = result["data"]["inventorySetQuantities"]
    assert payload["userErrors"] == []
    assert [
        (c["name"], c["delta"], c["quantityAfterChange"]) for c in payload["inventoryAdjustmentGroup"]["changes"]
    ] == [("available", 3, 8), ("on_hand", 3, 8)]
    assert available(client, "TOTE", "Main") == 8


def test_a_stale_change_from_quantity_applies_nothing_at_all() -> None:
    client = SandboxClient()
    rows = [quantity_row(client, "TOTE", "Second", 40, 50), quantity_row(client, "TOTE", "Main", 1, 4)]
    payload = client.graphql(SET, {"input": set_input(*rows), "key": "k1"})["data"]["inventorySetQuantities"]
    assert payload["inventoryAdjustmentGroup"] is None
    assert payload["userErrors"] == [
        {
            "field": ["input", "quantities", "1", "changeFromQuantity"],
            "message": "The specified compare quantity does not match the current quantity.",
            "code": "CHANGE_FROM_QUANTITY_STALE",
        }
    ]
    assert (available(client, "TOTE", "Second"), available(client, "TOTE", "Main")) == (50, 5)


def test_null_change_from_quantity_skips_the_check() -> None:
    client = SandboxClient()
    payload = client.graphql(SET, {"input": set_input(quantity_row(client, "TOTE", "Main", 2, None)), "key": "k1"})
    assert payload["data"]["inventorySetQuantities"]["userErrors"] == []
    assert available(client, "TOTE", "Main") == 2


def test_an_absent_change_from_quantity_is_an_error() -> None:
    client = SandboxClient()
    row = quantity_row(client, "TOTE", "Main", 2, None)
    del row["changeFromQuantity"]
    answer = client.graphql(SET, {"input": set_input(row), "key": "k1"})
    assert "changeFromQuantity" in answer["errors"][0]["message"]
    assert available(client, "TOTE", "Main") == 5


def test_the_same_key_returns_the_first_result_and_applies_nothing_twice() -> None:
    bus = RecordingBus()
    client = SandboxClient(sandbox_config(bus=bus))
    variables = {"input": set_input(quantity_row(client, "TOTE", "Main", 9, 5)), "key": "same"}
    first = client.graphql(SET, variables)["data"]["inventorySetQuantities"]
    second = client.graphql(SET, variables)["data"]["inventorySetQuantities"]
    assert second == first
    assert available(client, "TOTE", "Main") == 9
    assert bus.topics() == ["inventory_levels/update"]


def test_a_key_reused_with_other_parameters_is_refused() -> None:
    client = SandboxClient()
    client.graphql(SET, {"input": set_input(quantity_row(client, "TOTE", "Main", 9, 5)), "key": "same"})
    other = client.graphql(SET, {"input": set_input(quantity_row(client, "TOTE", "Main", 7, 9)), "key": "same"})
    assert other["data"]["inventorySetQuantities"]["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"
    assert available(client, "TOTE", "Main") == 9


def test_the_idempotent_directive_is_required() -> None:
    client = SandboxClient()
    query = SET.replace(" @idempotent(key: $key)", "").replace(", $key: String!", "")
    answer = client.graphql(query, {"input": set_input(quantity_row(client, "TOTE", "Main", 1, 5))})
    assert "@idempotent" in answer["errors"][0]["message"]
    assert available(client, "TOTE", "Main") == 5


def test_setting_on_hand_moves_available_by_the_same_delta() -> None:
    client = SandboxClient()
    client.state.all("InventoryLevel")  # levels exist from seeding
    level = client.item("TOTE").levels[client.location("Main").number]
    level.quantities_by_name["committed"] = 2  # as if an order had claimed two
    row = quantity_row(client, "TOTE", "Main", 10, 7)
    payload = client.graphql(SET, {"input": set_input(row, name="on_hand"), "key": "k"})["data"][
        "inventorySetQuantities"
    ]
    assert payload["userErrors"] == []
    assert (level.quantity("on_hand"), level.quantity("available"), level.quantity("committed")) == (10, 8, 2)


def test_unknown_items_and_names_are_user_errors() -> None:
    client = SandboxClient()
    row = quantity_row(client, "TOTE", "Main", 1, None)
    row["inventoryItemId"] = "gid://shopify/InventoryItem/1"
    unknown = client.graphql(SET, {"input": set_input(row), "key": "a"})["data"]["inventorySetQuantities"]
    assert unknown["userErrors"][0]["code"] == "INVALID_INVENTORY_ITEM"
    bad_name = client.graphql(
        SET, {"input": set_input(quantity_row(client, "TOTE", "Main", 1, None), name="committed"), "key": "b"}
    )
    assert bad_name["data"]["inventorySetQuantities"]["userErrors"][0]["code"] == "INVALID_NAME"


def test_adjusting_damaged_needs_a_ledger_document_and_changes_on_hand() -> None:
    client = SandboxClient()
    change = {
        "inventoryItemId": client.item("TOTE").id,
        "locationId": client.location("Main").id,
        "delta": 2,
        "changeFromQuantity": 0,
    }
    missing = client.graphql(
        ADJUST, {"input": {"name": "damaged", "reason": "damaged", "changes": [change]}, "key": "a"}
    )
    assert missing["data"]["inventoryAdjustQuantities"]["userErrors"][0]["code"] == "INVALID_QUANTITY_DOCUMENT"
    change["ledgerDocumentUri"] = "gid://wms/Damage/1"
    done = client.graphql(ADJUST, {"input": {"name": "damaged", "reason": "damaged", "changes": [change]}, "key": "b"})
    changes = done["data"]["inventoryAdjustQuantities"]["inventoryAdjustmentGroup"]["changes"]
    assert [(c["name"], c["quantityAfterChange"]) for c in changes] == [("damaged", 2), ("on_hand", 7)]


def test_adjusting_available_with_a_stale_expectation_is_refused() -> None:
    client = SandboxClient()
    change = {
        "inventoryItemId": client.item("TOTE").id,
        "locationId": client.location("Main").id,
        "delta": -1,
        "changeFromQuantity": 3,
    }
    answer = client.graphql(
        ADJUST, {"input": {"name": "available", "reason": "correction", "changes": [change]}, "key": "a"}
    )
    assert answer["data"]["inventoryAdjustQuantities"]["userErrors"][0]["code"] == "CHANGE_FROM_QUANTITY_STALE"
    assert available(client, "TOTE", "Main") == 5


def test_more_than_250_quantities_in_one_call_is_refused_whole() -> None:
    client = SandboxClient()
    row = quantity_row(client, "TOTE", "Main", 1, None)
    answer = client.graphql(SET, {"input": set_input(*[row] * 251), "key": "big"})
    assert answer["errors"][0]["message"] == "The input array size of 251 is greater than the maximum allowed of 250."
    assert answer["errors"][0]["extensions"]["code"] == "MAX_INPUT_SIZE_EXCEEDED"
    assert available(client, "TOTE", "Main") == 5
