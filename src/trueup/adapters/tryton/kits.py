"""Kit definitions read from Tryton's product_kit: what a bundle sold under one SKU is made of.

trueup posts a kit as its component lines rather than as one kit line that Tryton explodes into component
moves by itself. Both ship the same goods, but a kit line carries one price and one tax for the whole kit,
so the invoice, the revenue per product and a later credit note for one component could not show what
Shopify charged per component; component lines carry each component's exact share, post the same way as
Shopify's native bundles (already component line items), and leave Tryton nothing to explode.

Two calls whatever the number of SKUs: the kits among them, then their components with the fields of the
component products. A variant's own components replace its template's (Tryton's `components_used`).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from trueup.adapters.tryton.database import TrytonDatabase
from trueup.adapters.tryton.values import decimal_of
from trueup.domain.bundles import KitComponent

_COMPONENT_FIELDS = [
    "parent_template",
    "parent_product",
    "quantity",
    "fixed",
    "product.code",
    "product.list_price_used",
]


def read_kit_components(client: TrytonDatabase, skus: Iterable[str]) -> dict[str, list[KitComponent]]:
    """The components of those of `skus` that are kits in Tryton, by kit SKU, in Tryton's order."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    kits = client.call(
        "product.product",
        "search_read",
        [("code", "in", wanted), ("type", "=", "kit")],
        0,
        None,
        None,
        ["code", "template"],
    )
    if not kits:
        return {}
    by_product: dict[int, list[KitComponent]] = {}
    by_template: dict[int, list[KitComponent]] = {}
    for row in _component_rows(client, kits):
        component = _component(row)
        if row["parent_product"]:
            by_product.setdefault(row["parent_product"], []).append(component)
        else:
            by_template.setdefault(row["parent_template"], []).append(component)
    result = {kit["code"]: by_product.get(kit["id"]) or by_template.get(kit["template"], []) for kit in kits}
    return {sku: components for sku, components in result.items() if components}


def _component_rows(client: TrytonDatabase, kits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    own = ("parent_product", "in", [kit["id"] for kit in kits])
    inherited = [("parent_template", "in", [kit["template"] for kit in kits]), ("parent_product", "=", None)]
    order = [("sequence", "ASC"), ("id", "ASC")]
    rows = client.call("product.component", "search_read", ["OR", own, inherited], 0, None, order, _COMPONENT_FIELDS)
    return list(rows)


def _component(row: dict[str, Any]) -> KitComponent:
    product = row["product."]
    return KitComponent(
        sku=product["code"] or "",  # a component without a code is unknown to the item master
        quantity=decimal_of(row["quantity"]),  # a Float field in Tryton
        list_price=Decimal(product["list_price_used"] or 0),
        fixed=bool(row["fixed"]),
    )
