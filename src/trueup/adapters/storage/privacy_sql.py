"""Privacy requests in SQL: reading what is kept of a shop's deliveries, redacting free text, erasing a shop."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, func, or_, select, update

from trueup.adapters.storage import dialects
from trueup.adapters.storage.tables import deliveries, jobs, metadata, privacy_requests
from trueup.service_layer.ports import PrivacyReport, StoredDelivery

_DELIVERY = (
    deliveries.c.webhook_id,
    deliveries.c.shop,
    deliveries.c.topic,
    deliveries.c.order_id,
    deliveries.c.received_at,
    deliveries.c.body,
)
KEPT_HEADERS = ("x-shopify-topic", "x-shopify-shop-domain")
# Free-text columns that may quote a customer: (table, column); each table has a `shop` column.
FREE_TEXT = [(name, "detail") for name in ("ledger", "refunds", "fulfilments", "payouts", "stock_issues")] + [
    ("jobs", "last_error")
]


def stored_deliveries(connection: Connection, shop: str) -> list[StoredDelivery]:
    rows = connection.execute(select(*_DELIVERY).where(deliveries.c.shop == shop).order_by(deliveries.c.id))
    return [StoredDelivery(*row) for row in rows]


def stored_delivery(connection: Connection, webhook_id: str) -> StoredDelivery | None:
    row = connection.execute(select(*_DELIVERY).where(deliveries.c.webhook_id == webhook_id)).first()
    return StoredDelivery(*row) if row is not None else None


def replace_delivery_bodies(connection: Connection, webhook_ids: Sequence[str], body: bytes) -> int:
    replaced = 0
    for webhook_id in webhook_ids:
        headers = connection.execute(select(deliveries.c.headers).where(deliveries.c.webhook_id == webhook_id))
        kept = {name: value for name, value in (headers.scalar() or {}).items() if name in KEPT_HEADERS}
        result = connection.execute(
            update(deliveries).where(deliveries.c.webhook_id == webhook_id).values(body=body, headers=kept)
        )
        replaced += int(result.rowcount)
    return replaced


def _holds(column: Any, needles: Sequence[str]) -> Any:
    return or_(*(func.lower(column).contains(needle.lower(), autoescape=True) for needle in needles))


def free_text_about(connection: Connection, shop: str, needles: Sequence[str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if not needles:
        return found
    for table_name, column_name in FREE_TEXT:
        table = metadata.tables[table_name]
        column = table.c[column_name]
        rows = connection.execute(select(column).where(table.c.shop == shop, _holds(column, needles)))
        found += [(table_name, text) for text in rows.scalars()]
    return found


def redact_free_text(connection: Connection, shop: str, needles: Sequence[str], replacement: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    if not needles:
        return counts
    for table_name, column_name in FREE_TEXT:
        table = metadata.tables[table_name]
        column = table.c[column_name]
        holds = _holds(column, needles)
        result = connection.execute(update(table).where(table.c.shop == shop, holds).values({column_name: replacement}))
        if result.rowcount:
            counts[table_name] = int(result.rowcount)
    return counts


def erase_shop(connection: Connection, shop: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in reversed(metadata.sorted_tables):
        if "shop" not in table.c or table is privacy_requests:
            continue
        statement = delete(table).where(table.c.shop == shop)
        if table is jobs:
            statement = statement.where(jobs.c.state != "doing")  # the running one (the request's) ends itself
        result = connection.execute(statement)
        if result.rowcount:
            counts[table.name] = int(result.rowcount)
    return counts


def _row(report: PrivacyReport) -> dict[str, Any]:
    return {
        "webhook_id": report.webhook_id,
        "shop": report.shop,
        "kind": report.kind,
        "customer_id": report.customer_id,
        "orders": list(report.orders),
        "received_at": report.received_at,
        "done_at": report.done_at,
        "records": dict(report.records),
    }


def save_report(connection: Connection, report: PrivacyReport) -> None:
    row = _row(report)
    statement = dialects.insert(connection, privacy_requests).values(**row)
    statement = statement.on_conflict_do_update(
        index_elements=[privacy_requests.c.webhook_id],
        set_={key: value for key, value in row.items() if key != "webhook_id"},
    )
    connection.execute(statement)


def reports(connection: Connection, shop: str | None) -> list[PrivacyReport]:
    query = select(privacy_requests).order_by(privacy_requests.c.done_at.desc(), privacy_requests.c.webhook_id)
    if shop is not None:
        query = query.where(privacy_requests.c.shop == shop)
    return [
        PrivacyReport(
            webhook_id=row.webhook_id,
            shop=row.shop,
            kind=row.kind,
            customer_id=row.customer_id,
            orders=list(row.orders),
            received_at=row.received_at,
            done_at=row.done_at,
            records=dict(row.records),
        )
        for row in connection.execute(query)
    ]
