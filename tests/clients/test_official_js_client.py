"""Shopify's official JavaScript client (@shopify/admin-api-client, pinned in tests/clients/js) talks to
the sandbox unchanged: a query and a mutation come back with their data and Shopify's `extensions.cost`."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.support.sandbox import API_VERSION, PRICES, running_sandbox, sandbox_available
from trueup.adapters.shopify.admin import ShopifyAdminClient

pytestmark = pytest.mark.node

JS_DIR = Path(__file__).parent / "js"
SCRIPT = JS_DIR / "run_admin_client.mjs"
NODE_MISSING = "Node.js not found: the official JavaScript client test needs it"
PLUS_BUCKET = 20000  # the plan the sandbox runs here


def node_ready() -> bool:
    installed = (JS_DIR / "node_modules" / "@shopify" / "admin-api-client" / "package.json").exists()
    return bool(shutil.which("node") and shutil.which("npm") and installed)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    if not node_ready():
        pytest.skip(NODE_MISSING)
    if not sandbox_available():
        pytest.skip("the Shopify sandbox app is not built yet")
    with running_sandbox(plan="plus") as running:
        yield running


def run_official_client(sandbox: Any, token: str | None = None) -> dict[str, Any]:
    node = shutil.which("node")
    assert node is not None
    command = [node, str(SCRIPT), "--url", sandbox.url, "--shop", sandbox.shop, "--version", API_VERSION]
    command += ["--token", token or sandbox.token]
    done = subprocess.run(command, cwd=JS_DIR, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def assert_shopify_cost(extensions: dict[str, Any]) -> None:
    cost = extensions["cost"]
    assert isinstance(cost["requestedQueryCost"], int)
    assert isinstance(cost["actualQueryCost"], int)
    assert 0 <= cost["actualQueryCost"] <= cost["requestedQueryCost"]
    status = cost["throttleStatus"]
    assert status["maximumAvailable"] == PLUS_BUCKET
    assert 0 <= status["currentlyAvailable"] <= status["maximumAvailable"]
    assert status["restoreRate"] > 0


def test_the_official_client_queries_the_sandbox(sandbox: Any) -> None:
    result = run_official_client(sandbox)
    query = result["query"]
    assert query["errors"] is None
    assert query["data"]["shop"]["currencyCode"] == "EUR"
    variants = query["data"]["productVariants"]["nodes"]
    assert variants
    for variant in variants:
        assert variant["id"].startswith("gid://shopify/ProductVariant/")
        assert Decimal(variant["price"]) == PRICES[variant["sku"]]
    assert_shopify_cost(query["extensions"])
    # The client sent its own request, to Shopify's own URL, with the token header, and warned of nothing.
    assert {s["clientUrl"] for s in result["sent"]} == {f"https://{sandbox.shop}/admin/api/{API_VERSION}/graphql.json"}
    assert all(s["tokenHeaderMatches"] for s in result["sent"])
    assert result["logs"] == []


def test_the_official_client_places_an_order_that_trueup_then_reads(sandbox: Any) -> None:
    result = run_official_client(sandbox)
    mutation = result["mutation"]
    assert mutation["errors"] is None
    created = mutation["data"]["orderCreate"]
    assert created["userErrors"] == []
    assert_shopify_cost(mutation["extensions"])
    unit_price = Decimal(result["variant"]["price"])
    total = created["order"]["currentTotalPriceSet"]["shopMoney"]
    assert (Decimal(total["amount"]), total["currencyCode"]) == (unit_price * 2, "EUR")

    trueup = ShopifyAdminClient(sandbox.shop, sandbox.token, base_url=sandbox.url)
    order = trueup.fetch_order(created["order"]["id"])
    trueup.close()
    assert order is not None
    assert [(line.sku, line.quantity) for line in order.lines] == [(result["variant"]["sku"], 2)]
    assert order.total_price.amount == unit_price * 2


def test_the_official_client_sees_a_bad_token_refused(sandbox: Any) -> None:
    result = run_official_client(sandbox, token="shpat_wrong")
    errors = result["query"]["errors"]
    assert errors is not None
    assert errors["networkStatusCode"] == 401
    assert result["query"]["data"] is None


def test_the_official_client_reads_payouts_and_their_balance_transactions(sandbox: Any) -> None:
    from shopify_sandbox.models.orders import OrderTransaction
    from shopify_sandbox.money import Currencies
    from shopify_sandbox.payouts import run_payouts

    state = sandbox.app.state.sandbox.state
    if not state.all("Order"):
        run_official_client(sandbox)  # its mutation places an order
    with state.lock:  # a card payment taken on that order, then paid out
        order = state.all("Order")[0]
        paid = OrderTransaction(number=state.new_number("OrderTransaction"), kind="SALE", gateway="shopify_payments",
                                amount_set=Currencies("EUR", "EUR").bag(Decimal("40.00")), order=order,
                                created_at=state.now(), processed_at=state.now())  # fmt: skip
        order.transactions.append(state.add(paid))
        run_payouts(state)
    payments = run_official_client(sandbox)["payments"]
    assert payments["errors"] is None
    account = payments["data"]["shopifyPaymentsAccount"]
    [payout] = [p for p in account["payouts"]["nodes"] if p["summary"]["chargesGross"]["amount"] == "40.00"]
    mine = [t for t in account["balanceTransactions"]["nodes"] if t["associatedPayout"]["id"] == payout["id"]]
    assert [(t["type"], t["amount"]["amount"], t["fee"]["amount"], t["net"]["amount"]) for t in mine] == [
        ("CHARGE", "40.00", "0.85", "39.15")
    ]
    assert payout["net"] == {"amount": "39.15", "currencyCode": "EUR"}
