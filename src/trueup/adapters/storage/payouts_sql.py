"""Payout records in SQL: one row per Shopify Payments payout, money kept as exact text plus currency."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.engine import Row

from trueup.adapters.storage import dialects
from trueup.adapters.storage.engine import reading, translate_driver_errors, writing
from trueup.adapters.storage.tables import payouts
from trueup.domain.errors import Cause
from trueup.domain.money import Money
from trueup.domain.payouts import PayoutRecord, PayoutState, PayoutStatus


def save(connection: Connection, record: PayoutRecord) -> None:
    """Insert or replace the record of (shop, payout_id); the time it was first seen is kept."""
    values = {
        "shop": record.shop,
        "payout_id": record.payout_id,
        "status": record.status.value,
        "issued_at": record.issued_at,
        "net": str(record.net.amount),
        "currency": record.net.currency,
        "state": record.state.value,
        "totals": {kind: str(money.amount) for kind, money in record.totals.items()},
        "transactions": record.transactions,
        "entry_id": record.entry_id,
        "returned_entry_id": record.returned_entry_id,
        "cause": record.cause.value if record.cause else None,
        "detail": record.detail,
        "needs": dict(record.needs),
        "first_seen_at": record.first_seen_at,
        "updated_at": record.updated_at,
    }
    statement = dialects.insert(connection, payouts)
    kept = ("shop", "payout_id", "first_seen_at")
    changes = {c.name: statement.excluded[c.name] for c in payouts.columns if c.name not in kept}
    connection.execute(statement.on_conflict_do_update(index_elements=["shop", "payout_id"], set_=changes), values)


def record_from(row: Row[Any]) -> PayoutRecord:
    return PayoutRecord(
        shop=row.shop,
        payout_id=row.payout_id,
        status=PayoutStatus(row.status),
        issued_at=row.issued_at,
        net=Money(Decimal(row.net), row.currency),
        state=PayoutState(row.state),
        first_seen_at=row.first_seen_at,
        updated_at=row.updated_at,
        totals={kind: Money(Decimal(amount), row.currency) for kind, amount in (row.totals or {}).items()},
        transactions=row.transactions,
        entry_id=row.entry_id,
        returned_entry_id=row.returned_entry_id,
        cause=Cause(row.cause) if row.cause else None,
        detail=row.detail,
        needs=dict(row.needs or {}),
    )


def one(connection: Connection, shop: str, payout_id: str) -> PayoutRecord | None:
    row = connection.execute(select(payouts).where(payouts.c.shop == shop, payouts.c.payout_id == payout_id)).first()
    return record_from(row) if row is not None else None


def listed(
    connection: Connection,
    shop: str | None,
    issued_from: datetime | None,
    issued_before: datetime | None,
    states: Iterable[PayoutState] | None,
) -> list[PayoutRecord]:
    query = select(payouts)
    if shop is not None:
        query = query.where(payouts.c.shop == shop)
    if issued_from is not None:
        query = query.where(payouts.c.issued_at >= issued_from)
    if issued_before is not None:
        query = query.where(payouts.c.issued_at < issued_before)
    if states is not None:
        query = query.where(payouts.c.state.in_([state.value for state in states]))
    query = query.order_by(payouts.c.issued_at, payouts.c.shop, payouts.c.payout_id)
    return [record_from(row) for row in connection.execute(query)]


class PayoutRecordsSql:
    """The payout part of SqlStore (a mixin, so the store's own module stays small); each method one
    transaction."""

    _engine: Engine

    @translate_driver_errors
    def payout_record(self, shop: str, payout_id: str) -> PayoutRecord | None:
        with reading(self._engine) as connection:
            return one(connection, shop, payout_id)

    @translate_driver_errors
    def save_payout_record(self, record: PayoutRecord) -> None:
        with writing(self._engine) as connection:
            save(connection, record)

    @translate_driver_errors
    def payout_records(
        self,
        shop: str | None = None,
        issued_from: datetime | None = None,
        issued_before: datetime | None = None,
        states: Iterable[PayoutState] | None = None,
    ) -> list[PayoutRecord]:
        with reading(self._engine) as connection:
            return listed(connection, shop, issued_from, issued_before, states)
