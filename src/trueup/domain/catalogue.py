"""A shop's catalogue as trueup reads it: what is sold, under which SKU, and what a bundle is made of."""

from __future__ import annotations

from dataclasses import dataclass

from trueup.domain.money import Money


@dataclass(frozen=True)
class BundleComponent:
    sku: str
    quantity: int


@dataclass(frozen=True)
class CatalogueItem:
    sku: str
    title: str
    price: Money
    variant_id: str  # gid://shopify/ProductVariant/<n>
    inventory_item_id: str | None = None
    components: tuple[BundleComponent, ...] = ()  # non-empty for a bundle

    @property
    def is_bundle(self) -> bool:
        return bool(self.components)
