"""Refund records in SQL: one row per Shopify refund, money kept as exact text plus currency."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.engine import Row

from trueup.adapters.storage import dialects
from trueup.adapters.storage.tables import refunds
from trueup.domain.errors import Cause
from trueup.domain.money import Money
from trueup.domain.refunds import RefundRecord, RefundState


def save(connection: Connection, record: RefundRecord) -> None:
    """Insert or replace the record of (shop, refund_id); the time it was first seen is kept."""
    values = {
        "shop": record.shop,
        "refund_id": record.refund_id,
        "order_id": record.order_id,
        "order_name": record.order_name,
        "ordinal": record.ordinal,
        "state": record.state.value,
        "amount": None if record.amount is None else str(record.amount.amount),
        "currency": None if record.amount is None else record.amount.currency,
        "credit_note_number": record.credit_note_number,
        "cause": record.cause.value if record.cause else None,
        "detail": record.detail,
        "needs": record.needs,
        "first_seen_at": record.first_seen_at,
        "updated_at": record.updated_at,
    }
    statement = dialects.insert(connection, refunds)
    kept = ("shop", "refund_id", "first_seen_at")
    changes = {c.name: statement.excluded[c.name] for c in refunds.columns if c.name not in kept}
    connection.execute(statement.on_conflict_do_update(index_elements=["shop", "refund_id"], set_=changes), values)


def record_from(row: Row[Any]) -> RefundRecord:
    return RefundRecord(
        shop=row.shop,
        order_id=row.order_id,
        refund_id=row.refund_id,
        order_name=row.order_name,
        ordinal=row.ordinal,
        state=RefundState(row.state),
        first_seen_at=row.first_seen_at,
        updated_at=row.updated_at,
        amount=None if row.amount is None or row.currency is None else Money(Decimal(row.amount), row.currency),
        credit_note_number=row.credit_note_number,
        cause=Cause(row.cause) if row.cause else None,
        detail=row.detail,
        needs=dict(row.needs or {}),
    )


def one(connection: Connection, shop: str, refund_id: str) -> RefundRecord | None:
    row = connection.execute(select(refunds).where(refunds.c.shop == shop, refunds.c.refund_id == refund_id)).first()
    return record_from(row) if row is not None else None


def listed(
    connection: Connection, shop: str | None, order_id: str | None, state: RefundState | None
) -> list[RefundRecord]:
    query = select(refunds)
    if shop is not None:
        query = query.where(refunds.c.shop == shop)
    if order_id is not None:
        query = query.where(refunds.c.order_id == order_id)
    if state is not None:
        query = query.where(refunds.c.state == state.value)
    query = query.order_by(refunds.c.shop, refunds.c.order_id, refunds.c.ordinal)
    return [record_from(row) for row in connection.execute(query)]


def counts(connection: Connection, shop: str | None) -> dict[RefundState, int]:
    query = select(refunds.c.state, func.count()).group_by(refunds.c.state)
    if shop is not None:
        query = query.where(refunds.c.shop == shop)
    return {RefundState(state): n for state, n in connection.execute(query)}
