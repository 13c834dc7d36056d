"""Refunds and returns: each Shopify refund becomes one credit memo against the order's ERP sale."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trueup.domain.ledger import LedgerEntry
from trueup.domain.orders import ShopifyOrder

if TYPE_CHECKING:
    from trueup.service_layer.sync_order import OrderContext


def credit_refunds(ctx: OrderContext, order: ShopifyOrder, entry: LedgerEntry) -> LedgerEntry:
    """Post a credit memo for each refund of `order` the ERP does not have yet (not yet built)."""
    return entry
