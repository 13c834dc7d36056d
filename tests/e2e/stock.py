"""Stock on both sides of a running stack: Shopify's levels read and changed through Shopify's own API, Tryton's
stock moved through its JSON-RPC, and trueup's reconciliation run as its command."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

import httpx

from trueup.local_stack.processes import trueup_command
from trueup.local_stack.stack import LocalStack
from trueup.local_stack.tryton_catalogue import receive_stock

T = TypeVar("T")

LEVELS = """
query E2eLevels($query: String!, $first: Int!) {
  inventoryItems(first: $first, query: $query) {
    nodes {
      id
      sku
      inventoryLevels(first: 5) {
        nodes {
          updatedAt
          location { id name }
          quantities(names: ["available", "committed"]) { name quantity }
        }
      }
    }
  }
}
"""

SET_QUANTITIES = """
mutation E2eSetQuantities($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}
"""


@dataclass(frozen=True)
class Level:
    sku: str
    item_id: str
    location_id: str
    location: str  # the location's name
    available: int
    committed: int
    updated_at: str


def call(stack: LocalStack, query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
    """One Admin API call; a throttled answer (the shop's budget is shared with trueup) is waited out."""
    deadline = time.monotonic() + 60
    while True:
        response = httpx.post(
            f"{stack.sandbox_url}/admin/api/2026-10/graphql.json",
            json={"query": query, "variables": dict(variables)},
            headers={"X-Shopify-Access-Token": stack.token},
            timeout=30,
        )
        throttled = response.status_code == 429
        if not throttled:
            response.raise_for_status()
            body: dict[str, Any] = response.json()
            errors = body.get("errors") or []
            throttled = any((e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors)
            if not throttled:
                if errors:
                    raise RuntimeError(f"the sandbox refused the call: {errors}")
                data: dict[str, Any] = body["data"]
                return data
        if time.monotonic() > deadline:
            raise RuntimeError("throttled for a minute")
        time.sleep(0.5)


def levels(stack: LocalStack, skus: Iterable[str]) -> dict[tuple[str, str], Level]:
    """Shopify's levels of `skus` at every location, by (SKU, location name)."""
    wanted = sorted(set(skus))
    search = " OR ".join(f'sku:"{sku}"' for sku in wanted)
    data = call(stack, LEVELS, {"query": search, "first": len(wanted)})
    found = {}
    for item in data["inventoryItems"]["nodes"]:
        if item["sku"] not in wanted:
            continue
        for node in item["inventoryLevels"]["nodes"]:
            quantities = {q["name"]: int(q["quantity"]) for q in node["quantities"]}
            level = Level(
                item["sku"],
                item["id"],
                node["location"]["id"],
                node["location"]["name"],
                quantities.get("available", 0),
                quantities.get("committed", 0),
                node["updatedAt"],
            )
            found[(level.sku, level.location)] = level
    return found


def available(stack: LocalStack, skus: Iterable[str], location: str) -> dict[str, int]:
    """Shopify's `available` of `skus` at the location named `location`."""
    return {sku: level.available for (sku, at), level in levels(stack, skus).items() if at == location}


def set_available(stack: LocalStack, changes: Iterable[tuple[Level, int]]) -> None:
    """Set levels by hand, as someone in Shopify's admin would (compared with the level read)."""
    quantities = [
        {
            "inventoryItemId": level.item_id,
            "locationId": level.location_id,
            "quantity": quantity,
            "changeFromQuantity": level.available,
        }
        for level, quantity in changes
    ]
    variables = {
        "input": {"name": "available", "reason": "correction", "quantities": quantities},
        "key": f"e2e-{uuid.uuid4().hex}",
    }
    errors = call(stack, SET_QUANTITIES, variables)["inventorySetQuantities"]["userErrors"]
    assert not errors, errors


def wait_for(what: str, probe: Callable[[], T], ok: Callable[[T], bool], timeout: float) -> tuple[T, float]:
    """Poll `probe` until `ok`; returns the last value and the seconds it took. Fails, showing the last value,
    when `timeout` passes first."""
    started = time.monotonic()
    while True:
        value = probe()
        elapsed = time.monotonic() - started
        if ok(value):
            return value, elapsed
        if elapsed > timeout:
            raise AssertionError(f"{what}: not seen within {timeout:.0f} s; last seen {value}")
        time.sleep(0.1)


def receive(stack: LocalStack, units: Mapping[str, int], warehouse: str) -> None:
    """A goods receipt in Tryton: done moves from the supplier into the warehouse's storage."""
    with stack.tryton_client() as client:
        receive_stock(client, units, warehouse)


def count_stock(stack: LocalStack, counted: Mapping[str, int], warehouse: str) -> None:
    """A stock count in Tryton (a confirmed `stock.inventory` of the warehouse's storage): the differences
    go to or come from lost-and-found, as done moves."""
    with stack.tryton_client() as client:
        (row,) = client.call(
            "stock.location",
            "search_read",
            [("code", "=", warehouse), ("type", "=", "warehouse")],
            0,
            1,
            None,
            ["storage_location"],
        )
        products = _products(client, counted)
        lines = [{"product": products[sku], "quantity": float(units)} for sku, units in counted.items()]
        (inventory,) = client.call(
            "stock.inventory",
            "create",
            [
                {
                    "location": row["storage_location"],
                    "date": dt.date.today(),
                    "company": client.context["company"],
                    "empty_quantity": "keep",
                    "lines": [("create", lines)],
                }
            ],
        )
        client.call("stock.inventory", "confirm", [inventory])


def _products(client: Any, skus: Iterable[str]) -> dict[str, int]:
    rows = client.call("product.product", "search_read", [("code", "in", sorted(skus))], 0, None, None, ["code"])
    return {r["code"]: r["id"] for r in rows}


def reconcile(stack: LocalStack, *args: str) -> dict[str, Any]:
    """`trueup inventory reconcile --json` as the operator runs it; the shop's report."""
    argv = trueup_command("inventory", "reconcile", "--config", str(stack.config_path), "--json", *args)
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    report: dict[str, Any] = json.loads(result.stdout)[stack.shop_domain]
    return report


def wait_stock_ready(stack: LocalStack, timeout: float = 90.0) -> None:
    """Until the workers watch Tryton's stock moves (their first cursor is taken)."""
    wait_for("trueup watching Tryton's stock", stack.stock_ready, bool, timeout)


VARIANT = "query E2eVariant($query: String!) { productVariants(first: 1, query: $query) { nodes { id sku price } } }"
ORDER_CREATE = """
mutation E2eSell($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order { id name }
    userErrors { field message }
  }
}
"""


def sell(stack: LocalStack, sku: str, quantity: int, *, pending: bool = False, unknown_sku: str = "") -> str:
    """A paid order of `quantity` of the catalogue's `sku`, taken as a storefront does (Shopify refuses it
    beyond `available`); returns its gid. `pending`: waiting for payment instead; `unknown_sku`: with a custom
    line of a SKU the ERP lacks too (trueup parks the order)."""
    (variant,) = call(stack, VARIANT, {"query": f'sku:"{sku}"'})["productVariants"]["nodes"]
    amount = str(Decimal(variant["price"]) * quantity)
    lines: list[dict[str, Any]] = [{"variantId": variant["id"], "quantity": quantity, "taxable": False}]
    if unknown_sku:
        money = {"shopMoney": {"amount": variant["price"], "currencyCode": "USD"}}
        lines.append({"title": unknown_sku, "sku": unknown_sku, "quantity": 1, "priceSet": money, "taxable": False})
        amount = str(Decimal(amount) + Decimal(variant["price"]))
    paid = [
        {"kind": "SALE", "status": "SUCCESS", "amountSet": {"shopMoney": {"amount": amount, "currencyCode": "USD"}}}
    ]
    order: dict[str, Any] = {
        "email": "stock-e2e@example.com",
        "currency": "USD",
        "financialStatus": "PENDING" if pending else "PAID",
        "lineItems": lines,
        "transactions": [] if pending else paid,
        "shippingAddress": {
            "firstName": "Ada",
            "lastName": "Byron",
            "address1": "1 Engine Row",
            "city": "Austin",
            "zip": "78701",
            "countryCode": "US",
            "provinceCode": "TX",
        },
    }
    options = {"inventoryBehaviour": "DECREMENT_OBEYING_POLICY"}
    result = call(stack, ORDER_CREATE, {"order": order, "options": options})["orderCreate"]
    assert result["userErrors"] == [], result["userErrors"]
    return str(result["order"]["id"])
