"""After posting: Shopify-side edits, address changes and cancellations reach the ERP sale before the cut-off."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trueup.domain.ledger import LedgerEntry
from trueup.domain.orders import ShopifyOrder

if TYPE_CHECKING:
    from trueup.service_layer.sync_order import OrderContext


def apply_changes(ctx: OrderContext, order: ShopifyOrder, entry: LedgerEntry) -> LedgerEntry:
    """Bring the posted ERP sale in line with the order as Shopify holds it now (not yet built)."""
    return entry
