"""Bundles: a kit sold under one SKU becomes its components, the amounts Shopify charged spread over them.

Shopify's native bundles need none of this: each component is already its own line item (grouped by
`lineItemGroup`) carrying its own SKU and Shopify's share of the price, and posts as such. A single-SKU
bundle is one line item whose SKU the ERP defines as a kit: the warehouse must get the components, and
finance the amounts Shopify charged. Each amount of the line (price, discount, every tax line) is allocated
over the components in whole cents by a weight (list price × quantity by default), so every total of the
bundle is preserved exactly, whatever the remainders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from decimal import Decimal

from trueup.domain.money import Money, allocate, total
from trueup.domain.orders import OrderLine
from trueup.domain.taxes import TaxLine


@dataclass(frozen=True)
class KitComponent:
    """One component of a kit as the ERP defines it."""

    sku: str
    quantity: Decimal  # per kit sold (per line when `fixed`)
    # The component's list price: only a relative weight, so the ERP's currency need not be the order's.
    list_price: Decimal
    fixed: bool = False  # the quantity does not grow with the number of kits sold (Tryton's "fixed")
    weight: Decimal | None = None  # an explicit weight per unit (configuration), instead of the list price

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise ValueError(f"kit component {self.sku} needs a positive quantity, not {self.quantity}")

    def quantity_for(self, kits: int) -> Decimal:
        """How many units of this component `kits` kits take."""
        return self.quantity if self.fixed else self.quantity * kits

    def weight_for(self, kits: int) -> Decimal:
        """This component's share weight in a line of `kits` kits."""
        per_unit = self.list_price if self.weight is None else self.weight
        return max(per_unit, Decimal(0)) * self.quantity_for(kits)


def configured_among(
    skus: AbstractSet[str], configured: Mapping[str, Sequence[KitComponent]]
) -> dict[str, list[KitComponent]]:
    """The bundles of the configuration (`[bundles."SKU"]`) among `skus`."""
    return {sku: list(configured[sku]) for sku in sorted(skus & configured.keys())}


def unweighted_components(bundles: Mapping[str, Sequence[KitComponent]]) -> set[str]:
    """The SKUs of components given no explicit weight: the ERP's list prices weigh them."""
    return {c.sku for components in bundles.values() for c in components if c.weight is None}


def resolve_bundles(
    configured: Mapping[str, Sequence[KitComponent]],
    erp_kits: Mapping[str, Sequence[KitComponent]],
    list_prices: Mapping[str, Decimal] | None = None,
) -> dict[str, list[KitComponent]]:
    """Which SKUs are single-SKU bundles, and what each is made of: the ERP's kits, complemented by the
    bundles of the configuration, which override the ERP's for the SKUs they name (to set explicit weights,
    say). With `list_prices`, a configured component without a weight is weighted by the ERP's list price."""
    chosen = {
        sku: with_list_prices(components, list_prices) if list_prices is not None else list(components)
        for sku, components in configured.items()
    }
    return {**{sku: list(components) for sku, components in erp_kits.items()}, **chosen}


def with_list_prices(components: Sequence[KitComponent], list_prices: Mapping[str, Decimal]) -> list[KitComponent]:
    """`components` (of a bundle defined in configuration) with the ERP's list prices as their weights, except
    those given an explicit weight; a component the ERP has no price for weighs nothing."""
    return [
        c if c.weight is not None else replace(c, list_price=list_prices.get(c.sku, Decimal(0))) for c in components
    ]


@dataclass(frozen=True)
class ComponentShare:
    """One component's part of a bundle line: its quantity and its exact share of each amount."""

    bundle_sku: str
    bundle_title: str
    sku: str
    quantity: Decimal
    gross: Money
    discount: Money
    taxes: tuple[TaxLine, ...]

    @property
    def net(self) -> Money:
        return self.gross - self.discount

    @property
    def tax(self) -> Money:
        return total([t.amount for t in self.taxes], self.gross.currency)


def explode_kit(line: OrderLine, components: Sequence[KitComponent]) -> list[ComponentShare]:
    """The components of a kit line, with its price, discount and taxes spread by weight.

    The shares of each amount add up to the line's amount exactly (largest remainder, in minor units); a
    kit whose components all weigh nothing is spread evenly.
    """
    if not components:
        raise ValueError(f"kit {line.sku} has no components")
    weights = [c.weight_for(line.quantity) for c in components]
    gross = allocate(line.gross, weights)
    discount = allocate(line.discount, weights)
    taxes = [_spread_tax(tax, weights) for tax in line.taxes]
    return [
        ComponentShare(
            bundle_sku=line.sku,
            bundle_title=line.title,
            sku=component.sku,
            quantity=component.quantity_for(line.quantity),
            gross=gross[i],
            discount=discount[i],
            taxes=tuple(shares[i] for shares in taxes),
        )
        for i, component in enumerate(components)
    ]


def _spread_tax(tax: TaxLine, weights: Sequence[Decimal]) -> list[TaxLine]:
    return [TaxLine(tax.title, tax.rate, share) for share in allocate(tax.amount, weights)]
