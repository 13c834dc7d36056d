"""Tax variances, recorded when a sale is posted or amended and reported to finance: the tax part of
`trueup status` and of the console's overview (domain/tax_variances.py says what a variance is)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import structlog

from trueup.domain.credit_notes import PostedCreditNote
from trueup.domain.orders import ShopifyOrder
from trueup.domain.sales import PostedSale
from trueup.domain.tax_rounding import TaxVariance
from trueup.domain.tax_variances import WHAT_TO_DO, TaxVarianceRecord, variance_records, variance_totals
from trueup.service_layer.ports import Clock, Store

log = structlog.get_logger(__name__)


def record_tax_variances(
    store: Store, clock: Clock, order: ShopifyOrder, sale: PostedSale, *, amended: bool = False
) -> None:
    """The sale's variances, as its posting or amendment (`amended`) found them, logged and kept, replacing the
    order's earlier ones: an amendment that puts a variance right clears it. A first posting with none writes
    nothing (the order has none recorded yet)."""
    _log(order, sale.tax_variances, sale=sale.number)
    records = variance_records(order.shop, order.order_id, order.name, sale.tax_variances, clock.now())
    if records or amended:
        store.replace_tax_variances(order.shop, order.order_id, records)


def record_credit_note_tax_variances(store: Store, clock: Clock, order: ShopifyOrder, note: PostedCreditNote) -> None:
    """A refund's credit note's variances, as the note's making found them (its refunded tax against the ERP
    rate's), logged and kept beside the sale's: their amounts are credited (negative), so the order's sum nets
    what stays booked beyond the ERP's rates once the order is refunded."""
    _log(order, note.tax_variances, credit_note=note.number)
    records = variance_records(
        order.shop, order.order_id, order.name, note.tax_variances, clock.now(), credit_note=True
    )
    if records:
        store.replace_tax_variances(order.shop, order.order_id, records, credit_note=note.reference)


def variance_row(record: TaxVarianceRecord) -> dict[str, str]:
    """One variance as finance reads it."""
    return {
        "shop": record.shop,
        "order": record.order,
        "document": record.document,
        "on": "credit note" if record.credit_note else "sale",
        "tax": record.tax,
        "rate": record.rate,
        "currency": record.shopify.currency,
        "shopify": str(record.shopify.amount),
        "erp": str(record.erp.amount),
        "difference": str(record.difference.amount),
        "recorded_at": record.recorded_at.isoformat(),
    }


def tax_variances_summary(store: Store, examples: int = 3, *, shop: str | None = None) -> dict[str, object]:
    """The recorded variances (of `shop`): how many, on how many orders, Shopify's tax, the ERP rates' and the
    difference per currency, per ERP tax, what to do and the latest few; empty when there is none."""
    records = store.tax_variances(shop)
    if not records:
        return {}
    totals = variance_totals(records)
    by_tax: dict[str, list[TaxVarianceRecord]] = defaultdict(list)
    for record in records:
        by_tax[record.tax].append(record)
    return {
        "count": totals.count,
        "orders": totals.orders,
        "by_currency": {
            currency: {
                "shopify": str(totals.shopify[currency].amount),
                "erp": str(totals.erp[currency].amount),
                "difference": str(totals.difference[currency].amount),
            }
            for currency in totals.shopify
        },
        "by_tax": [
            {
                "tax": tax,
                "rate": group[-1].rate,
                "count": len(group),
                "difference": {c: str(m.amount) for c, m in variance_totals(group).difference.items()},
            }
            for tax, group in sorted(by_tax.items())
        ],
        "what_to_do": WHAT_TO_DO,
        "latest": [variance_row(r) for r in records[-examples:][::-1]],
    }


def _log(order: ShopifyOrder, variances: Iterable[TaxVariance], **document: str) -> None:
    """A log line per variance, naming the ERP document it is on (`sale=` or `credit_note=`)."""
    for variance in variances:
        log.warning(
            "tax_variance",
            shop=order.shop,
            order=order.name,
            **document,
            tax=variance.tax,
            rate=variance.rate,
            shopify=str(variance.shopify),
            erp=str(variance.erp),
            difference=str(variance.difference),
        )
