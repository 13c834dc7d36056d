"""Kit definitions as Tryton's product_kit holds them, read for posting a single-SKU bundle."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support.tryton import catalogue_item, seed_catalogue
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.adapters.tryton.kits import read_kit_components
from trueup.domain.bundles import KitComponent

pytestmark = pytest.mark.tryton


def a_kit(client: TrytonClient, *parts: tuple[str, int]) -> tuple[str, list[str]]:
    """A kit of `parts` (list price, quantity): its SKU and its components' SKUs, in order."""
    components = [catalogue_item(price=price) for price, _ in parts]
    kit = catalogue_item(components=[(c.sku, q) for c, (_, q) in zip(components, parts, strict=True)])
    seed_catalogue(client, [*components, kit])
    return kit.sku, [c.sku for c in components]


def test_a_fixed_component_is_read_as_fixed(tryton_client: TrytonClient) -> None:
    kit, (card, leaflet) = a_kit(tryton_client, ("12.00", 1), ("0.00", 1))
    (row,) = tryton_client.call("product.component", "search", [("product.code", "=", leaflet)], 0, 1, None)
    tryton_client.call("product.component", "write", [row], {"fixed": True})

    kits = read_kit_components(tryton_client, [kit])

    assert kits == {
        kit: [
            KitComponent(card, Decimal(1), Decimal("12.00")),
            KitComponent(leaflet, Decimal(1), Decimal(0), fixed=True),
        ]
    }


def test_a_variants_own_components_replace_its_templates(tryton_client: TrytonClient) -> None:
    kit, _ = a_kit(tryton_client, ("12.00", 1), ("3.00", 2))
    (other,) = seed_catalogue(tryton_client, [catalogue_item(price="7.50")])
    (variant,) = tryton_client.call("product.product", "search_read", [("code", "=", kit)], 0, 1, None, ["template"])
    (other_id,) = tryton_client.call("product.product", "search", [("code", "=", other)], 0, 1, None)
    unit = tryton_client.call("ir.model.data", "get_id", "product", "uom_unit")
    tryton_client.call(
        "product.component",
        "create",
        [
            {
                "parent_template": variant["template"],
                "parent_product": variant["id"],
                "product": other_id,
                "quantity": 3.0,
                "unit": unit,
            }
        ],
    )

    assert read_kit_components(tryton_client, [kit]) == {kit: [KitComponent(other, Decimal(3), Decimal("7.50"))]}


def test_goods_and_unknown_skus_are_not_kits(tryton_client: TrytonClient) -> None:
    (goods,) = seed_catalogue(tryton_client, [catalogue_item()])
    assert read_kit_components(tryton_client, [goods, "NO-SUCH-SKU"]) == {}
    assert read_kit_components(tryton_client, []) == {}
