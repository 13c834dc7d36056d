"""Which SKUs are single-SKU bundles, and what each is made of: the ERP's kits and the configured bundles,
resolved by the domain's one rule (`domain/bundles.resolve_bundles`). Posting, amendments, credit notes,
fulfilment, unposted demand and stock all ask here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet

from trueup.domain.bundles import KitComponent, configured_among, resolve_bundles, unweighted_components
from trueup.service_layer.ports import BackOffice


def bundles_among(
    item_master: BackOffice,
    configured: Mapping[str, Sequence[KitComponent]],
    skus: AbstractSet[str],
    *,
    weighted: bool = True,
) -> dict[str, list[KitComponent]]:
    """The bundles among `skus`, with their components: one ERP look-up for the kits of the SKUs the
    configuration does not name; with `weighted` (what spreads money over components), one more for the list
    prices of configured components given no weight."""
    chosen = configured_among(skus, configured)
    rest = set(skus) - chosen.keys()
    kits = item_master.kit_components(rest) if rest else {}
    if not weighted:
        return resolve_bundles(chosen, kits)
    unpriced = unweighted_components(chosen)
    return resolve_bundles(chosen, kits, item_master.list_prices(unpriced) if unpriced else {})
