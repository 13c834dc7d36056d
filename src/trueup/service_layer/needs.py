"""Whether what a parked order or refund needs now exists: the one rule both replays go by.

A StructuralError names what it needs by kind (domain/errors.py): "skus" missing from the item master,
"taxes" (Shopify tax keys) the configuration does not map, "erp_taxes" (the mapped ERP taxes) the ERP lacks,
"locations" (Shopify restock locations) the configuration does not map. Each kind is checked where it is
fixed: the ERP or the configuration. Other kinds (a change after the cut-off, a warehouse) do not hold a
replay back: the order's sync decides again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from trueup.domain.inventory import location_gid
from trueup.service_layer.order_context import OrderContext


def needs_are_met(needs: Mapping[str, Sequence[str]], ctx: OrderContext) -> bool:
    """Whether everything in `needs` now exists; False when nothing is named (only a person can judge)."""
    if not needs:
        return False
    skus = list(needs.get("skus", []))
    if skus and ("" in skus or ctx.back_office.unknown_skus(skus)):
        return False
    if any(key not in ctx.policy.taxes for key in needs.get("taxes", [])):
        return False
    erp_taxes = list(needs.get("erp_taxes", []))
    if erp_taxes and ctx.back_office.unknown_taxes(erp_taxes):
        return False
    mapped = {location_gid(key) for key in ctx.policy.locations}
    return all(location_gid(location) in mapped for location in needs.get("locations", []))
