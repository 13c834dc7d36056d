"""The /sandbox inspection endpoints, the `serve` command, state kept in a file, and the benchmark."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from shopify_sandbox.cli import sandbox_app
from shopify_sandbox.clock import ManualClock, SystemClock
from shopify_sandbox.events import NullBus
from shopify_sandbox.extensions import load
from shopify_sandbox.order_creation import create_order
from shopify_sandbox.persistence import load_state, save_state
from shopify_sandbox.seeding import load_shop
from tests.sandbox.factories import SandboxClient, sandbox_config, shop_spec
from tests.sandbox.post_purchase.orders import place_order, sandbox


def test_state_summary_counts_what_the_shop_holds() -> None:
    summary = SandboxClient().get("/sandbox/state").json()
    assert summary["counts"]["Location"] == 2
    assert summary["counts"]["ProductVariant"] == 5
    assert summary["plan"] == "standard"


def test_inventory_and_orders_are_inspectable() -> None:
    client = SandboxClient()
    create_order(
        client.state,
        {"lineItems": [{"variantId": client.variant_id("TOTE"), "quantity": 2}]},
        {"inventoryBehaviour": "DECREMENT_IGNORING_POLICY"},
    )
    levels = client.get("/sandbox/inventory").json()["inventoryLevels"]
    tote_main = next(row for row in levels if row["sku"] == "TOTE" and row["location"] == "Main")
    assert tote_main["quantities"]["committed"] == 2
    assert tote_main["quantities"]["on_hand"] == 5
    orders = client.get("/sandbox/orders").json()["orders"]
    assert [o["name"] for o in orders] == ["#1001"]


def test_a_manual_clock_is_advanced_through_the_api() -> None:
    client = SandboxClient()
    before = client.state.now()
    response = client.post("/sandbox/clock/advance", json={"seconds": 90})
    assert response.status_code == 200
    assert (client.state.now() - before).total_seconds() == 90


def test_the_real_clock_cannot_be_advanced() -> None:
    client = SandboxClient(sandbox_config(clock=SystemClock()))
    assert client.post("/sandbox/clock/advance", json={"seconds": 1}).status_code == 409


def test_webhook_deliveries_answer_even_without_delivery() -> None:
    assert SandboxClient().get("/sandbox/webhooks/deliveries").json()["deliveries"] == []


def test_serve_offers_exactly_the_documented_options() -> None:
    result = CliRunner().invoke(sandbox_app, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--plan", "--seed", "--access-token", "--api-secret", "--state-file"):
        assert option in result.output


def test_a_saved_state_comes_back_with_its_orders(tmp_path: Path) -> None:
    state = load_shop(shop_spec(), clock=ManualClock())
    variant = next(v for v in state.all("ProductVariant") if v.sku == "TOTE")
    order = create_order(state, {"lineItems": [{"variantId": variant.id, "quantity": 1}]})
    path = tmp_path / "shop.state"
    save_state(state, path)
    restored = load_state(path, ManualClock(), NullBus())
    assert restored.by_gid(order.id, "Order").total_price_set == order.total_price_set
    assert restored.next_order_number == 1002
    with restored.lock:
        assert restored.count("Order") == 1


def test_a_missing_extension_module_is_skipped() -> None:
    assert load("shopify_sandbox.no_such_module:routes") is None
    assert load("shopify_sandbox.money:allocate") is not None


def test_a_state_file_is_written_at_shutdown_and_read_at_start(tmp_path: Path) -> None:
    from shopify_sandbox.app import create_app
    from shopify_sandbox.live_server import running_server

    path = tmp_path / "sandbox.state"
    first = create_app(sandbox_config(state_file=path))
    state = first.state.sandbox.state
    variant = next(v for v in state.all("ProductVariant") if v.sku == "TOTE")
    with running_server(first):
        create_order(state, {"lineItems": [{"variantId": variant.id, "quantity": 1}]})
    assert path.exists()
    second = SandboxClient(sandbox_config(state_file=path))
    names = second.graphql("{ orders(first: 5) { nodes { name } } }")["data"]["orders"]["nodes"]
    assert names == [{"name": "#1001"}]


def test_inspected_orders_show_their_current_totals_and_refunds() -> None:
    client, _ = sandbox()
    order = place_order(client, {"SHIRT-S": 2})
    line = {"lineItemId": order["lineItems"]["nodes"][0]["id"], "quantity": 1, "restockType": "NO_RESTOCK"}
    refund = {"orderId": order["id"], "refundLineItems": [line], "transactions": [
        {"orderId": order["id"], "amount": "24.00", "gateway": "shopify_payments", "kind": "REFUND"}]}  # fmt: skip
    mutation = 'mutation($i: RefundInput!) { refundCreate(input: $i) @idempotent(key: "r") { userErrors { message } } }'
    assert client.graphql(mutation, {"i": refund})["data"]["refundCreate"]["userErrors"] == []
    (row,) = client.get("/sandbox/orders").json()["orders"]
    assert len(row["refunds"]) == 1
    assert Decimal(row["current_total_price"]) < Decimal(row["total_price"])
    assert Decimal(row["current_subtotal_price"]) == Decimal(row["subtotal_price"]) - Decimal("20.00")
