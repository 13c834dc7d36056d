"""What happened, for people to read: an order's deliveries and jobs, search, activity per minute."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, String, cast, func, or_, select

from trueup.adapters.storage.ledger_sql import entry_from
from trueup.adapters.storage.tables import deliveries, jobs, ledger, stock_demand
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.service_layer.ports import DeliverySeen, JobSeen

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


def failing_jobs(connection: Connection) -> list[JobSeen]:
    j = jobs.c
    query = select(j.kind, j.state, j.attempts, j.run_at, j.created_at, j.updated_at, j.last_error, j.shop)
    query = query.where(j.state == "todo", j.attempts > 0).order_by(j.created_at)
    return [JobSeen(*row) for row in connection.execute(query)]


def find_entries(connection: Connection, text: str, limit: int) -> list[LedgerEntry]:
    text = text.strip()
    if not text:
        return []
    number = text.removeprefix("#")
    conditions = [ledger.c.name.in_([text, f"#{number}"]), ledger.c.order_id == text]
    if number.isdigit():
        conditions.append(ledger.c.order_id == f"{_ORDER_GID}{number}")
    asking = select(stock_demand.c.order_id).where(stock_demand.c.sku == text)
    conditions.append(ledger.c.order_id.in_(asking))
    needing = ledger.c.state == OrderState.EXCEPTION.value
    conditions.append(needing & cast(ledger.c.needs, String).contains(f'"{text}"', autoescape=True))
    query = select(ledger).where(or_(*conditions)).order_by(ledger.c.first_seen_at.desc()).limit(limit)
    return [entry_from(row) for row in connection.execute(query)]


def last_received_by_shop(connection: Connection) -> dict[str, datetime]:
    query = select(deliveries.c.shop, func.max(deliveries.c.received_at)).group_by(deliveries.c.shop)
    return {shop: _aware(at) for shop, at in connection.execute(query)}


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
