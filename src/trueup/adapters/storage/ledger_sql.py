"""The completeness ledger in SQL: one row per shop order, money kept as exact text plus currency."""

from __future__ import annotations

import functools
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.engine import Row

from trueup.adapters.storage import dialects
from trueup.adapters.storage.tables import ledger
from trueup.domain.errors import Cause
from trueup.domain.ledger import OPEN_STATES, LedgerEntry, OrderState
from trueup.domain.money import Money


def _amount(money: Money | None) -> str | None:
    return None if money is None else str(money.amount)


def _currency(money: Money | None) -> str | None:
    return None if money is None else money.currency


def _money(amount: str | None, currency: str | None) -> Money | None:
    return None if amount is None or currency is None else Money(Decimal(amount), currency)


def save(connection: Connection, entry: LedgerEntry, now: datetime) -> None:
    """Insert or replace the entry of (shop, order_id)."""
    values = {
        "shop": entry.shop,
        "order_id": entry.order_id,
        "name": entry.name,
        "state": entry.state.value,
        "first_seen_at": entry.first_seen_at,
        "state_since": entry.state_since,
        "shopify_total_amount": _amount(entry.shopify_total),
        "shopify_total_currency": _currency(entry.shopify_total),
        "erp_total_amount": _amount(entry.erp_total),
        "erp_total_currency": _currency(entry.erp_total),
        "erp_sale_id": entry.erp_sale_id,
        "erp_number": entry.erp_number,
        "cause": entry.cause.value if entry.cause else None,
        "detail": entry.detail,
        "needs": entry.needs,
        "shopify_updated_at": entry.shopify_updated_at,
        "presentment_total_amount": _amount(entry.presentment_total),
        "presentment_total_currency": _currency(entry.presentment_total),
        "held_until": entry.held_until,
        "accepted_changes": entry.accepted_changes,
        "updated_at": now,
    }
    connection.execute(_upsert(connection.dialect.name), values)


@functools.cache
def _upsert(dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE of a whole entry, built once per dialect (building it costs more
    than running it)."""
    statement = dialects.insert_for(dialect, ledger)
    kept = ("shop", "order_id", "first_seen_at")
    changes = {c.name: statement.excluded[c.name] for c in ledger.columns if c.name not in kept}
    return statement.on_conflict_do_update(index_elements=["shop", "order_id"], set_=changes)


def entry_from(row: Row[Any]) -> LedgerEntry:
    """The ledger entry a row holds."""
    return LedgerEntry(
        shop=row.shop,
        order_id=row.order_id,
        name=row.name,
        state=OrderState(row.state),
        first_seen_at=row.first_seen_at,
        state_since=row.state_since,
        shopify_total=_money(row.shopify_total_amount, row.shopify_total_currency),
        erp_total=_money(row.erp_total_amount, row.erp_total_currency),
        erp_sale_id=row.erp_sale_id,
        erp_number=row.erp_number,
        cause=Cause(row.cause) if row.cause else None,
        detail=row.detail,
        needs=row.needs,
        shopify_updated_at=row.shopify_updated_at,
        presentment_total=_money(row.presentment_total_amount, row.presentment_total_currency),
        held_until=row.held_until,
        accepted_changes=row.accepted_changes,
    )


def _in_shop(query: Any, shop: str | None) -> Any:
    return query if shop is None else query.where(ledger.c.shop == shop)


_ONE = select(ledger).where(ledger.c.shop == bindparam("shop"), ledger.c.order_id == bindparam("order_id"))


def one(connection: Connection, shop: str, order_id: str) -> LedgerEntry | None:
    row = connection.execute(_ONE, {"shop": shop, "order_id": order_id}).first()
    return None if row is None else entry_from(row)


def entries(connection: Connection, state: OrderState | None, shop: str | None) -> list[LedgerEntry]:
    query = _in_shop(select(ledger), shop).order_by(ledger.c.first_seen_at, ledger.c.order_id)
    if state is not None:
        query = query.where(ledger.c.state == state.value)
    return [entry_from(row) for row in connection.execute(query)]


def counts_by_state(connection: Connection, shop: str | None) -> dict[OrderState, int]:
    query = _in_shop(select(ledger.c.state, func.count()), shop).group_by(ledger.c.state)
    return {OrderState(state): n for state, n in connection.execute(query)}


def counts_by_cause(connection: Connection, shop: str | None) -> dict[Cause, int]:
    query = _in_shop(select(ledger.c.cause, func.count()), shop)
    query = query.where(ledger.c.state == OrderState.EXCEPTION.value, ledger.c.cause.is_not(None))
    return {Cause(cause): n for cause, n in connection.execute(query.group_by(ledger.c.cause))}


def oldest_open(connection: Connection, shop: str | None) -> LedgerEntry | None:
    # One query per open state, each walking the (state, state_since) index from its start: an IN over the
    # states would sort every open entry first (measured: 65 ms for 5,000 open in 100,000 on SQLite).
    oldest = None
    for state in sorted(s.value for s in OPEN_STATES):
        query = _in_shop(select(ledger), shop).where(ledger.c.state == state)
        row = connection.execute(query.order_by(ledger.c.state_since, ledger.c.order_id).limit(1)).first()
        if row is not None and (
            oldest is None or (row.state_since, row.order_id) < (oldest.state_since, oldest.order_id)
        ):
            oldest = row
    return None if oldest is None else entry_from(oldest)
