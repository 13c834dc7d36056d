"""What happened, for people to read: an order's deliveries and jobs, search, activity per minute."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, String, and_, cast, func, or_, select

from trueup.adapters.storage.ledger_sql import entry_from
from trueup.adapters.storage.tables import deliveries, fulfilments, jobs, ledger, stock_demand
from trueup.domain.errors import Cause
from trueup.domain.fulfilment import FulfilmentState
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.service_layer.ports import DeliverySeen, JobSeen, ParkedGroup

_ORDER_GID = "gid://shopify/Order/"


def order_deliveries(connection: Connection, shop: str, order_id: str) -> list[DeliverySeen]:
    d = deliveries.c
    query = select(d.topic, d.webhook_id, d.event_id, d.triggered_at, d.received_at, d.problem)
    query = query.where(d.order_id == order_id, d.shop == shop).order_by(d.received_at, d.id)
    return [DeliverySeen(*row) for row in connection.execute(query)]


def latest_order_body(connection: Connection, shop: str, order_id: str) -> bytes | None:
    d = deliveries.c
    query = select(d.body).where(d.order_id == order_id, d.shop == shop, d.topic.startswith("orders/"))
    body = connection.execute(query.order_by(d.received_at.desc(), d.id.desc()).limit(1)).scalar()
    return bytes(body) if body is not None else None


def key_jobs(connection: Connection, key: str) -> list[JobSeen]:
    j = jobs.c
    query = select(j.kind, j.state, j.attempts, j.run_at, j.created_at, j.updated_at, j.last_error)
    return [JobSeen(*row) for row in connection.execute(query.where(j.key == key).order_by(j.id))]


def _parked(shop: str | None, cause: Cause | None, since: datetime | None, sku: str | None, order: str | None) -> Any:
    conditions = [ledger.c.state == OrderState.EXCEPTION.value]
    if shop is not None:
        conditions.append(ledger.c.shop == shop)
    if cause is not None:
        conditions.append(ledger.c.cause == cause.value)
    if since is not None:
        conditions.append(ledger.c.state_since >= since)
    if sku:
        conditions.append(cast(ledger.c.needs, String).contains(json.dumps(sku), autoescape=True))
    if order:
        number = order.removeprefix("#")
        conditions.append(
            or_(ledger.c.name.in_([order, f"#{number}"]), ledger.c.order_id.in_([order, f"{_ORDER_GID}{number}"]))
        )
    return and_(*conditions)


def parked_groups(
    connection: Connection,
    shop: str | None,
    cause: Cause | None,
    since: datetime | None,
    sku: str | None,
    order: str | None,
    examples: int,
) -> list[ParkedGroup]:
    matching = _parked(shop, cause, since, sku, order)
    counted = select(ledger.c.cause, func.count(), func.min(ledger.c.state_since)).where(matching)
    groups = []
    for found, count, oldest in connection.execute(counted.group_by(ledger.c.cause)):
        if found is None:
            continue
        first = select(ledger).where(matching, ledger.c.cause == found)
        first = first.order_by(ledger.c.state_since, ledger.c.order_id).limit(examples)
        rows = [entry_from(row) for row in connection.execute(first)]
        groups.append(ParkedGroup(Cause(found), count, _aware(oldest), rows))
    return sorted(groups, key=lambda g: (-g.count, g.cause))


def fulfilment_counts(connection: Connection, shop: str) -> dict[FulfilmentState, int]:
    query = select(fulfilments.c.state, func.count()).where(fulfilments.c.shop == shop).group_by(fulfilments.c.state)
    return {FulfilmentState(state): n for state, n in connection.execute(query)}


def failing_jobs(connection: Connection) -> list[JobSeen]:
    j = jobs.c
    query = select(j.kind, j.state, j.attempts, j.run_at, j.created_at, j.updated_at, j.last_error, j.shop)
    query = query.where(j.state == "todo", j.attempts > 0).order_by(j.created_at)
    return [JobSeen(*row) for row in connection.execute(query)]


def find_entries(connection: Connection, text: str, limit: int) -> list[LedgerEntry]:
    """Each way of finding is its own query on its own index (name; id; the SKU a parked order needs or an open
    order still asks stock of), so that no OR makes the database read the whole ledger."""
    text = text.strip()
    if not text:
        return []
    number = text.removeprefix("#")
    queries = [select(ledger).where(ledger.c.name.in_([text, f"#{number}"]))]
    if not text.startswith("#") and (number.isdigit() or text.startswith(_ORDER_GID)):
        queries.append(select(ledger).where(ledger.c.order_id.in_([text, f"{_ORDER_GID}{number}"])))
    asking = select(stock_demand.c.order_id).where(stock_demand.c.sku == text)
    queries.append(select(ledger).where(ledger.c.order_id.in_(asking)))
    needing = cast(ledger.c.needs, String).contains(json.dumps(text), autoescape=True)
    queries.append(select(ledger).where(ledger.c.state == OrderState.EXCEPTION.value, needing))
    found: dict[tuple[str, str], LedgerEntry] = {}
    for query in queries:
        for row in connection.execute(query.order_by(ledger.c.first_seen_at.desc()).limit(limit)):
            found.setdefault((row.shop, row.order_id), entry_from(row))
    return sorted(found.values(), key=lambda e: e.first_seen_at, reverse=True)[:limit]


def last_received_by_shop(connection: Connection, shops: Sequence[str]) -> dict[str, datetime]:
    # Per shop, the newest delivery walking the received_at index backwards: no scan of the whole table.
    last = {}
    for shop in shops:
        query = select(deliveries.c.received_at).where(deliveries.c.shop == shop)
        at = connection.execute(query.order_by(deliveries.c.received_at.desc()).limit(1)).scalar()
        if at is not None:
            last[shop] = _aware(at)
    return last


def _minute(connection: Connection, column: Any) -> Any:
    if connection.dialect.name == "postgresql":
        return func.date_trunc("minute", column)
    return func.strftime("%Y-%m-%d %H:%M:00", column)


def _aware(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _per_minute(connection: Connection, column: Any, query: Any) -> dict[datetime, int]:
    minute = _minute(connection, column).label("minute")
    rows = connection.execute(query.add_columns(minute, func.count()).group_by(minute))
    return {_aware(at): n for at, n in rows}


def received_per_minute(connection: Connection, since: datetime, shop: str | None) -> dict[datetime, int]:
    query = select().select_from(deliveries).where(deliveries.c.received_at >= since)
    if shop is not None:
        query = query.where(deliveries.c.shop == shop)
    return _per_minute(connection, deliveries.c.received_at, query)


def _posted_since(since: datetime, shop: str | None) -> Any:
    query = select().select_from(ledger)
    query = query.where(ledger.c.state == OrderState.POSTED.value, ledger.c.state_since >= since)
    return query if shop is None else query.where(ledger.c.shop == shop)


def posted_per_minute(connection: Connection, since: datetime, shop: str | None) -> dict[datetime, int]:
    return _per_minute(connection, ledger.c.state_since, _posted_since(since, shop))


def posting_delays(connection: Connection, since: datetime, shop: str | None, limit: int) -> list[float]:
    query = _posted_since(since, shop).add_columns(ledger.c.first_seen_at, ledger.c.state_since)
    rows = connection.execute(query.order_by(ledger.c.state_since.desc()).limit(limit))
    return [(_aware(posted) - _aware(seen)).total_seconds() for seen, posted in rows]
