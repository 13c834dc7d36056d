"""The item master of the embedded Tryton: goods and kits whose codes are the shop's SKUs.

Idempotent and batched: one call reads what exists, one creates the missing goods, one the missing kits.
Stock can be put in a warehouse the way a goods receipt would (moves from the supplier location, done).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.domain.catalogue import CatalogueItem
from trueup.local_stack.demo_business import GOODS_CATEGORY

CREATE_CHUNK = 25


def ensure_products(client: TrytonClient, items: Sequence[CatalogueItem]) -> list[str]:
    """Create the products of `items` Tryton does not have yet (kits for bundles); return the SKUs created.

    A bundle's components must be among `items` or already in Tryton."""
    existing = _product_ids(client, {i.sku for i in items} | {c.sku for i in items for c in i.components})
    unit, category = _unit_and_category(client)
    goods = [i for i in items if not i.is_bundle and i.sku not in existing]
    if goods:
        templates = [_template(i, "goods", unit, category) for i in goods]
        # In chunks: Tryton validates a whole create in one SQL statement, which SQLite's parser limits.
        for start in range(0, len(templates), CREATE_CHUNK):
            client.call("product.template", "create", templates[start : start + CREATE_CHUNK])
        existing = _product_ids(client, set(existing) | {i.sku for i in goods})
    kits = [i for i in items if i.is_bundle and i.sku not in existing]
    missing = sorted({c.sku for i in kits for c in i.components} - set(existing))
    if missing:
        raise ValueError(f"bundle components not in the catalogue nor in Tryton: {', '.join(missing)}")
    if kits:
        templates = []
        for item in kits:
            components = [
                {"product": existing[c.sku], "quantity": float(c.quantity), "unit": unit} for c in item.components
            ]
            templates.append({**_template(item, "kit", unit, category), "components": [("create", components)]})
        for start in range(0, len(templates), CREATE_CHUNK):
            client.call("product.template", "create", templates[start : start + CREATE_CHUNK])
    return [i.sku for i in goods + kits]


def receive_stock(client: TrytonClient, quantities: Mapping[str, int], warehouse: str) -> None:
    """Put `quantities` (SKU → units) into the storage of `warehouse`, as done moves from the supplier."""
    (row,) = client.call(
        "stock.location",
        "search_read",
        [("code", "=", warehouse), ("type", "=", "warehouse")],
        0,
        1,
        None,
        ["storage_location"],
    )
    (supplier,) = client.call("stock.location", "search", [("type", "=", "supplier")], 0, 1, None)
    products = _product_ids(client, set(quantities))
    unit, _ = _unit_and_category(client)
    context = client.context
    moves = [
        {
            "product": products[sku],
            "quantity": float(quantity),
            "unit": unit,
            "from_location": supplier,
            "to_location": row["storage_location"],
            "planned_date": dt.date.today(),
            "effective_date": dt.date.today(),
            "company": context["company"],
            "unit_price": Decimal(0),
            "currency": _company_currency(client, context["company"]),
        }
        for sku, quantity in quantities.items()
        if quantity
    ]
    if moves:
        client.call("stock.move", "do", client.call("stock.move", "create", moves))


def _template(item: CatalogueItem, kind: str, unit: int, category: int) -> dict[str, Any]:
    return {
        "name": item.title,
        "code": item.sku,
        "type": kind,
        "default_uom": unit,
        "salable": True,
        "sale_uom": unit,
        "list_price": item.price.amount,
        "account_category": category,
        "products": [("create", [{}])],
    }


def _product_ids(client: TrytonClient, skus: set[str]) -> dict[str, int]:
    if not skus:
        return {}
    rows = client.call(
        "product.product",
        "search_read",
        [("code", "in", sorted(skus))],
        0,
        None,
        None,
        ["code"],
        context={"active_test": False},
    )
    return {row["code"]: row["id"] for row in rows}


def _unit_and_category(client: TrytonClient) -> tuple[int, int]:
    unit = client.call("ir.model.data", "get_id", "product", "uom_unit")
    (category,) = client.call("product.category", "search", [("name", "=", GOODS_CATEGORY)], 0, 1, None)
    return unit, category


def _company_currency(client: TrytonClient, company: int) -> int:
    (row,) = client.call("company.company", "read", [company], ["currency"])
    return int(row["currency"])
