"""What trueup did with each ERP shipment, in SQL: one row per (shop, shipment)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.engine import Row

from trueup.adapters.storage import dialects
from trueup.adapters.storage.tables import fulfilments
from trueup.domain.errors import Cause
from trueup.domain.fulfilment import FulfilmentRecord, FulfilmentState, Shipment, ShipmentLine, Tracking


def _shipment_json(shipment: Shipment) -> dict[str, Any]:
    return {
        "lines": [[line.sku, line.quantity] for line in shipment.lines],
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "tracking_url": shipment.tracking_url,
        "warehouse": shipment.warehouse,
    }


def _shipment(shipment_id: str, sale_reference: str, data: dict[str, Any]) -> Shipment:
    return Shipment(
        shipment_id,
        sale_reference,
        tuple(ShipmentLine(str(sku), int(quantity)) for sku, quantity in data.get("lines", [])),
        carrier=data.get("carrier"),
        tracking_number=data.get("tracking_number"),
        tracking_url=data.get("tracking_url"),
        warehouse=data.get("warehouse"),
    )


def save(connection: Connection, record: FulfilmentRecord) -> None:
    """Insert or replace the record of (shop, shipment_id)."""
    values = {
        "shop": record.shop,
        "shipment_id": record.shipment_id,
        "order_id": record.order_id,
        "sale_reference": record.shipment.sale_reference,
        "state": record.state.value,
        "shipment": _shipment_json(record.shipment),
        "fulfillment_id": record.fulfillment_id,
        "fulfilments_before": record.fulfilments_before,
        "tracking_company": record.tracking.company,
        "tracking_number": record.tracking.number,
        "tracking_url": record.tracking.url,
        "cause": record.cause.value if record.cause else None,
        "detail": record.detail,
        "updated_at": record.updated_at,
    }
    connection.execute(_upsert(connection.dialect.name), values)


@functools.cache
def _upsert(dialect: str) -> Any:
    statement = dialects.insert_for(dialect, fulfilments)
    keys = ("shop", "shipment_id")
    changes = {c.name: statement.excluded[c.name] for c in fulfilments.columns if c.name not in keys}
    return statement.on_conflict_do_update(index_elements=list(keys), set_=changes)


def get(connection: Connection, shop: str, shipment_id: str) -> FulfilmentRecord | None:
    query = select(fulfilments).where(fulfilments.c.shop == shop, fulfilments.c.shipment_id == shipment_id)
    row = connection.execute(query).first()
    return None if row is None else _record(row)


def listed(
    connection: Connection, shop: str | None, states: Iterable[FulfilmentState] | None
) -> list[FulfilmentRecord]:
    query = select(fulfilments).order_by(fulfilments.c.updated_at, fulfilments.c.shipment_id)
    if shop is not None:
        query = query.where(fulfilments.c.shop == shop)
    if states is not None:
        query = query.where(fulfilments.c.state.in_([state.value for state in states]))
    return [_record(row) for row in connection.execute(query)]


def of_order(connection: Connection, shop: str, order_id: str) -> list[FulfilmentRecord]:
    """The records of one order's shipments, oldest update first."""
    query = select(fulfilments).where(fulfilments.c.shop == shop, fulfilments.c.order_id == order_id)
    return [_record(row) for row in connection.execute(query.order_by(fulfilments.c.updated_at))]


def _record(row: Row[Any]) -> FulfilmentRecord:
    updated_at: datetime = row.updated_at
    return FulfilmentRecord(
        shop=row.shop,
        shipment=_shipment(row.shipment_id, row.sale_reference, row.shipment or {}),
        order_id=row.order_id,
        state=FulfilmentState(row.state),
        updated_at=updated_at,
        fulfillment_id=row.fulfillment_id,
        fulfilments_before=row.fulfilments_before,
        tracking=Tracking(row.tracking_company, row.tracking_number, row.tracking_url),
        cause=Cause(row.cause) if row.cause else None,
        detail=row.detail,
    )
