"""Demand Shopify has taken that the ERP does not know yet: orders received but not posted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trueup.domain.ledger import LedgerEntry
from trueup.domain.orders import ShopifyOrder

if TYPE_CHECKING:
    from trueup.service_layer.sync_order import OrderContext


def note_demand(ctx: OrderContext, order: ShopifyOrder, entry: LedgerEntry) -> None:
    """Record (or clear, once posted or cancelled) the order's quantities not yet in the ERP (not yet built)."""
