"""The reconciliation poll: re-read what Shopify says changed, so a webhook that never came is caught."""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog

from trueup.service_layer.jobs import SyncOrder, request
from trueup.service_layer.order_context import OrderContext

log = structlog.get_logger(__name__)

CURSOR = "orders_updated_at"


def poll_orders(ctx: OrderContext, overlap: timedelta, first_lookback: timedelta) -> int:
    """Queue a sync for every order updated since the cursor (minus `overlap`) that the ledger has not
    seen at that version. Returns how many were queued. Moves the cursor to the newest update seen."""
    shop = ctx.shopify.shop
    stored = ctx.store.cursor(shop, CURSOR)
    cursor = datetime.fromisoformat(stored) if stored else ctx.clock.now() - first_lookback
    newest, queued = cursor, 0
    # Ids only: each order is then read by its own sync, where bad data parks that order alone.
    for stamp in ctx.shopify.order_ids_updated_since(cursor - overlap):
        entry = ctx.store.ledger_entry(shop, stamp.order_id)
        seen = entry.shopify_updated_at if entry else None
        if seen is None or seen < stamp.updated_at:
            queued += ctx.store.enqueue(request(SyncOrder(shop, stamp.order_id)))
        newest = max(newest, stamp.updated_at)
    ctx.store.set_cursor(shop, CURSOR, newest.isoformat())
    if queued:
        log.info("poll_found_unsynced_orders", shop=shop, queued=queued)
    return queued
