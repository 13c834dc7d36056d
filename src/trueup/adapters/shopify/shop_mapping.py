"""Shopify's shop, locations and product variants → trueup's ShopInfo and CatalogueItem."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from trueup.domain.catalogue import BundleComponent, CatalogueItem
from trueup.domain.errors import TrueupError
from trueup.domain.inventory import ShopLocation
from trueup.domain.money import Money


class ShopDataError(TrueupError):
    """Shopify sent catalogue or shop data trueup cannot read; names the field, never the value."""


@dataclass(frozen=True)
class ShopInfo:
    name: str
    domain: str  # myshopify domain
    currency: str
    taxes_included: bool
    locations: tuple[ShopLocation, ...]


def map_shop(shop: Mapping[str, Any], locations: Sequence[Mapping[str, Any]]) -> ShopInfo:
    """The `shop` node and every location node → ShopInfo."""
    currency = shop.get("currencyCode")
    if not isinstance(currency, str) or len(currency) != 3:
        raise ShopDataError("shop.currencyCode is missing or invalid")
    return ShopInfo(
        name=str(shop.get("name") or ""),
        domain=str(shop.get("myshopifyDomain") or ""),
        currency=currency,
        taxes_included=bool(shop.get("taxesIncluded")),
        locations=tuple(
            ShopLocation(str(node["id"]), str(node.get("name") or ""), bool(node.get("isActive", True)))
            for node in locations
        ),
    )


def map_variant(node: Mapping[str, Any], currency: str, components: Sequence[Mapping[str, Any]]) -> CatalogueItem:
    """A ProductVariant node (and its component nodes, for a bundle) → CatalogueItem."""
    variant_id = str(node.get("id") or "")
    try:
        price = Decimal(str(node.get("price")))
    except InvalidOperation as exc:
        raise ShopDataError(f"productVariants price of {variant_id} is invalid") from exc
    inventory_item = node.get("inventoryItem") or {}
    return CatalogueItem(
        sku=str(node.get("sku") or ""),
        title=str(node.get("displayName") or ""),
        price=Money(price, currency),
        variant_id=variant_id,
        inventory_item_id=inventory_item.get("id"),
        components=tuple(_component(c, variant_id) for c in components),
    )


def _component(node: Mapping[str, Any], parent_id: str) -> BundleComponent:
    variant = node.get("productVariant") or {}
    quantity = node.get("quantity")
    if not isinstance(quantity, int) or quantity <= 0:
        raise ShopDataError(f"productVariantComponents quantity of {parent_id} is invalid")
    return BundleComponent(sku=str(variant.get("sku") or ""), quantity=quantity)


def has_components(node: Mapping[str, Any]) -> bool:
    """Whether the catalogue page's probe (`productVariantComponents(first: 1)`) found a component."""
    return bool(((node.get("productVariantComponents") or {}).get("nodes")) or [])
