"""Tax variance records in SQL: one row per order, ERP document and ERP tax, money kept as exact text plus currency."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.engine import Row

from trueup.adapters.storage.engine import reading, translate_driver_errors, writing
from trueup.adapters.storage.tables import tax_variances
from trueup.domain.money import Money
from trueup.domain.tax_variances import TaxVarianceRecord


def replace_all(
    connection: Connection, shop: str, order_id: str, records: Sequence[TaxVarianceRecord], credit_note: str | None
) -> None:
    """The order's sale rows (or those of its credit note `credit_note`) replaced by `records` (one per
    document and ERP tax; a later one wins), in one transaction."""
    c = tax_variances.c
    which = c.document == credit_note if credit_note is not None else c.credit_note.is_(False)
    connection.execute(delete(tax_variances).where(c.shop == shop, c.order_id == order_id, which))
    rows = {
        (credit_note or r.document, r.tax): {
            "shop": shop,
            "order_id": order_id,
            "tax": r.tax,
            "order_name": r.order,
            "document": credit_note or r.document,
            "credit_note": credit_note is not None,
            "rate": r.rate,
            "shopify": str(r.shopify.amount),
            "erp": str(r.erp.amount),
            "currency": r.shopify.currency,
            "recorded_at": r.recorded_at,
        }
        for r in records
    }
    if rows:
        connection.execute(insert(tax_variances), list(rows.values()))


def record_from(row: Row[Any]) -> TaxVarianceRecord:
    return TaxVarianceRecord(
        shop=row.shop,
        order_id=row.order_id,
        order=row.order_name,
        document=row.document,
        tax=row.tax,
        rate=row.rate,
        shopify=Money(Decimal(row.shopify), row.currency),
        erp=Money(Decimal(row.erp), row.currency),
        recorded_at=row.recorded_at,
        credit_note=row.credit_note,
    )


def listed(connection: Connection, shop: str | None, order_id: str | None) -> list[TaxVarianceRecord]:
    query = select(tax_variances)
    if shop is not None:
        query = query.where(tax_variances.c.shop == shop)
    if order_id is not None:
        query = query.where(tax_variances.c.order_id == order_id)
    c = tax_variances.c
    query = query.order_by(c.recorded_at, c.shop, c.order_id, c.document, c.tax)
    return [record_from(row) for row in connection.execute(query)]


class TaxVarianceRecordsSql:
    """The tax variance part of SqlStore (a mixin); each method one transaction."""

    _engine: Engine

    @translate_driver_errors
    def replace_tax_variances(
        self, shop: str, order_id: str, records: Sequence[TaxVarianceRecord], *, credit_note: str | None = None
    ) -> None:
        with writing(self._engine) as connection:
            replace_all(connection, shop, order_id, records, credit_note)

    @translate_driver_errors
    def tax_variances(self, shop: str | None = None, order_id: str | None = None) -> list[TaxVarianceRecord]:
        with reading(self._engine) as connection:
            return listed(connection, shop, order_id)
