"""Which SKUs of an order are single-SKU bundles, and what each is made of.

The ERP's kit definitions come first; trueup's configuration (`[bundles."SKU"]`) complements them with
bundles the ERP does not define as kits, and overrides them for the SKUs it names (to set explicit spread
weights, say): a configured SKU uses the configured components, whatever the ERP holds for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set

from trueup.domain.bundles import KitComponent, with_list_prices
from trueup.service_layer.ports import BackOffice


def kits_for(
    back_office: BackOffice, configured: Mapping[str, Sequence[KitComponent]], skus: Set[str]
) -> dict[str, list[KitComponent]]:
    """The components of the bundles among `skus`: one ERP look-up for the kits, one for list prices."""
    chosen = {sku: configured[sku] for sku in sorted(skus & configured.keys())}
    kits = back_office.kit_components(skus - chosen.keys())
    unpriced = {c.sku for components in chosen.values() for c in components if c.weight is None}
    prices = back_office.list_prices(unpriced) if unpriced else {}
    kits.update({sku: with_list_prices(components, prices) for sku, components in chosen.items()})
    return kits
