"""The inventory records: unposted demand per order, the levels trueup set, open drift, stock issues."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, func, select

from trueup.adapters.storage import dialects
from trueup.adapters.storage.tables import stock_demand, stock_dirty, stock_drift, stock_issues, stock_levels_set
from trueup.domain.inventory import Drift, LevelSet, StockIssue, StockWrite


def order_demand(connection: Connection, shop: str, order_id: str) -> dict[tuple[str, str], int]:
    query = select(stock_demand).where(stock_demand.c.shop == shop, stock_demand.c.order_id == order_id)
    return {(r.sku, r.warehouse): r.quantity for r in connection.execute(query)}


def set_order_demand(
    connection: Connection, shop: str, order_id: str, demand: Mapping[tuple[str, str], int], now: datetime
) -> set[str]:
    """Replace the order's demand; the SKUs whose demand changed are marked dirty, and returned."""
    before = order_demand(connection, shop, order_id)
    after = {key: q for key, q in demand.items() if q > 0}
    if before == after:
        return set()
    connection.execute(delete(stock_demand).where(stock_demand.c.shop == shop, stock_demand.c.order_id == order_id))
    rows = [
        {"shop": shop, "order_id": order_id, "sku": sku, "warehouse": warehouse, "quantity": q, "updated_at": now}
        for (sku, warehouse), q in sorted(after.items())
    ]
    if rows:
        connection.execute(stock_demand.insert(), rows)
    changed = {key[0] for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    mark_dirty(connection, shop, changed, now)
    return changed


def mark_dirty(connection: Connection, shop: str, skus: set[str], now: datetime) -> None:
    for sku in sorted(skus):
        statement = dialects.insert(connection, stock_dirty).values(shop=shop, sku=sku, marked_at=now)
        connection.execute(statement.on_conflict_do_update(index_elements=["shop", "sku"], set_={"marked_at": now}))


def dirty(connection: Connection, shop: str) -> dict[str, datetime]:
    rows = connection.execute(select(stock_dirty.c.sku, stock_dirty.c.marked_at).where(stock_dirty.c.shop == shop))
    return {sku: marked_at for sku, marked_at in rows}


def clear_dirty(connection: Connection, shop: str, marks: Mapping[str, datetime]) -> None:
    """Unmark the SKUs of `marks`, unless marked again since."""
    for sku, marked_at in marks.items():
        connection.execute(
            delete(stock_dirty).where(
                stock_dirty.c.shop == shop, stock_dirty.c.sku == sku, stock_dirty.c.marked_at <= marked_at
            )
        )


def unposted_demand(connection: Connection, shop: str) -> dict[tuple[str, str], int]:
    query = (
        select(stock_demand.c.sku, stock_demand.c.warehouse, func.sum(stock_demand.c.quantity))
        .where(stock_demand.c.shop == shop)
        .group_by(stock_demand.c.sku, stock_demand.c.warehouse)
    )
    return {(sku, warehouse): int(total) for sku, warehouse, total in connection.execute(query)}


def record_levels_set(connection: Connection, shop: str, writes: Sequence[StockWrite], now: datetime) -> None:
    for write in writes:
        values = {"shop": shop, "sku": write.sku, "location_id": write.location_id, "quantity": write.quantity}
        statement = dialects.insert(connection, stock_levels_set).values(**values, set_at=now)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["shop", "sku", "location_id"], set_={"quantity": write.quantity, "set_at": now}
            )
        )


def levels_set(connection: Connection, shop: str, sku: str | None) -> list[LevelSet]:
    query = select(stock_levels_set).where(stock_levels_set.c.shop == shop)
    if sku is not None:
        query = query.where(stock_levels_set.c.sku == sku)
    rows = connection.execute(query.order_by(stock_levels_set.c.sku, stock_levels_set.c.location_id))
    return [LevelSet(r.sku, r.location_id, r.quantity, r.set_at) for r in rows]


def replace_drift(connection: Connection, shop: str, drift: Sequence[Drift]) -> None:
    connection.execute(delete(stock_drift).where(stock_drift.c.shop == shop))
    rows = [
        {
            "shop": shop,
            "sku": d.sku,
            "location_id": d.location_id,
            "shopify": d.shopify,
            "target": d.target,
            "since": d.since,
        }
        for d in drift
    ]
    if rows:
        connection.execute(stock_drift.insert(), rows)


def open_drift(connection: Connection, shop: str | None) -> list[Drift]:
    query = select(stock_drift)
    if shop is not None:
        query = query.where(stock_drift.c.shop == shop)
    rows = connection.execute(query.order_by(stock_drift.c.sku, stock_drift.c.location_id))
    return [Drift(r.sku, r.location_id, r.shopify, r.target, r.since) for r in rows]


def replace_issues(connection: Connection, shop: str, issues: Sequence[StockIssue], now: datetime) -> None:
    """The shop's issues become `issues`; one already known keeps when it was first seen."""
    known = {
        (r.cause, r.sku, r.location): r.first_seen_at
        for r in connection.execute(select(stock_issues).where(stock_issues.c.shop == shop))
    }
    connection.execute(delete(stock_issues).where(stock_issues.c.shop == shop))
    unique = {(i.cause, i.sku, i.location): i for i in issues}
    rows = [
        {
            "shop": shop,
            "cause": i.cause,
            "sku": i.sku,
            "location": i.location,
            "detail": i.detail,
            "first_seen_at": known.get(key, now),
        }
        for key, i in sorted(unique.items())
    ]
    if rows:
        connection.execute(stock_issues.insert(), rows)


def issues(connection: Connection, shop: str | None) -> list[tuple[StockIssue, datetime]]:
    query = select(stock_issues)
    if shop is not None:
        query = query.where(stock_issues.c.shop == shop)
    rows = connection.execute(query.order_by(stock_issues.c.cause, stock_issues.c.sku, stock_issues.c.location))
    return [(StockIssue(r.cause, r.sku, r.location, r.detail), r.first_seen_at) for r in rows]
