"""Demand Shopify has taken that the ERP does not know yet: orders received but not posted.

Shopify lowers `available` as soon as it takes an order; the ERP's available falls only once the sale is
posted (Tryton's forecast then counts it). Meanwhile trueup counts the order's units as unposted demand, so
that the target it computes (ERP available − unposted demand − buffer) agrees with the level Shopify already
lowered, instead of writing the units back. Once the order is posted or cancelled its demand is cleared.
A bundle sold under one SKU counts as its components. The SKUs whose demand changes are marked for the next
stock sync, which recomputes them. Before this record exists, the order is held back by Shopify's `committed`
units, which every target also bounds (see service_layer/inventory.py).
"""

from __future__ import annotations

import math
from collections import defaultdict

from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.domain.orders import ShopifyOrder
from trueup.service_layer.bundles import bundles_among
from trueup.service_layer.order_context import OrderContext

UNKNOWN_WAREHOUSE = ""  # the ERP's default warehouse: counted against every warehouse (never oversells)


def is_unposted_demand(order: ShopifyOrder, entry: LedgerEntry) -> bool:
    """Whether the order's units are taken in Shopify but not yet in the ERP: no ERP sale, not cancelled."""
    return entry.erp_sale_id is None and order.cancelled_at is None and entry.state != OrderState.CANCELLED_UNPOSTED


def note_demand(ctx: OrderContext, order: ShopifyOrder, entry: LedgerEntry) -> None:
    """Record (or clear, once posted or cancelled) the order's quantities not yet in the ERP; nothing when stock
    is not synced (an order's demand is then bounded by Shopify's `committed` units once it is)."""
    if not ctx.track_demand:
        return
    demand: dict[tuple[str, str], int] = defaultdict(int)
    if is_unposted_demand(order, entry):
        warehouse = ctx.policy.warehouse or UNKNOWN_WAREHOUSE
        quantities: dict[str, int] = defaultdict(int)
        for line in order.lines:
            if line.sku and line.quantity > 0:
                quantities[line.sku] += line.quantity
        kits = bundles_among(ctx.back_office, ctx.policy.bundles, set(quantities), weighted=False)
        for sku, quantity in quantities.items():
            components = kits.get(sku)
            if not components:
                demand[(sku, warehouse)] += quantity
            for component in components or ():
                demand[(component.sku, warehouse)] += math.ceil(component.quantity_for(quantity))
    ctx.store.set_order_demand(order.shop, order.order_id, dict(demand))
