"""Fulfilment: what trueup did with each ERP shipment, in a table of its own (it was kept as cursors named
"fulfilment:<shipment>"); the records are moved over, so no shipment is fulfilled twice across the upgrade.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from trueup.adapters.storage.columns import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_OLD_PREFIX = "fulfilment:"


def upgrade() -> None:
    fulfilments = op.create_table(
        "fulfilments",
        sa.Column("shop", sa.String(255), primary_key=True),
        sa.Column("shipment_id", sa.String(255), primary_key=True),
        sa.Column("order_id", sa.String(255), nullable=False),
        sa.Column("sale_reference", sa.String(255), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("shipment", sa.JSON, nullable=False),
        sa.Column("fulfillment_id", sa.String(255)),
        sa.Column("fulfilments_before", sa.Integer, nullable=False),
        sa.Column("tracking_company", sa.String(255)),
        sa.Column("tracking_number", sa.String(255)),
        sa.Column("tracking_url", sa.Text),
        sa.Column("cause", sa.String(64)),
        sa.Column("detail", sa.Text),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_index("fulfilments_by_state", "fulfilments", ["state", "shop"])
    assert fulfilments is not None
    cursors = sa.table(
        "cursors", sa.column("shop"), sa.column("name"), sa.column("value"), sa.column("updated_at", UtcDateTime)
    )
    connection = op.get_bind()
    old = connection.execute(
        sa.select(cursors.c.shop, cursors.c.name, cursors.c.value, cursors.c.updated_at).where(
            cursors.c.name.like(f"{_OLD_PREFIX}%")
        )
    ).all()
    rows = [_moved(row.shop, row.name.removeprefix(_OLD_PREFIX), row.value, row.updated_at) for row in old]
    if rows:
        op.bulk_insert(fulfilments, rows)
        connection.execute(sa.delete(cursors).where(cursors.c.name.like(f"{_OLD_PREFIX}%")))


def _moved(shop: str, shipment_id: str, value: str, updated_at: object) -> dict[str, object]:
    """One old cursor value ("pending:<n>", "failed:<cause>: <detail>" or a fulfilment id) as a record. The
    old records kept neither the lines nor the order: a failed one is shown, and retried when the ERP
    writes the shipment again."""
    row: dict[str, object] = {
        "shop": shop,
        "shipment_id": shipment_id,
        "order_id": "",
        "sale_reference": "",
        "shipment": {"lines": []},
        "fulfillment_id": None,
        "fulfilments_before": 0,
        "cause": None,
        "detail": None,
        "updated_at": updated_at,
    }
    if value.startswith("pending:"):
        return row | {"state": "pending", "fulfilments_before": int(value.removeprefix("pending:") or 0)}
    if value.startswith("failed:"):
        cause, _, detail = value.removeprefix("failed:").partition(": ")
        return row | {"state": "failed", "cause": cause, "detail": detail}
    return row | {"state": "fulfilled", "fulfillment_id": value}


def downgrade() -> None:
    cursors = sa.table(
        "cursors", sa.column("shop"), sa.column("name"), sa.column("value"), sa.column("updated_at", UtcDateTime)
    )
    fulfilments = sa.table(
        "fulfilments",
        sa.column("shop"),
        sa.column("shipment_id"),
        sa.column("state"),
        sa.column("fulfillment_id"),
        sa.column("fulfilments_before"),
        sa.column("cause"),
        sa.column("detail"),
        sa.column("updated_at", UtcDateTime),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(fulfilments)).all()
    old = [
        {
            "shop": row.shop,
            "name": f"{_OLD_PREFIX}{row.shipment_id}",
            "value": row.fulfillment_id
            if row.state == "fulfilled"
            else f"pending:{row.fulfilments_before}"
            if row.state == "pending"
            else f"failed:{row.cause}: {row.detail}",
            "updated_at": row.updated_at,
        }
        for row in rows
    ]
    if old:
        op.bulk_insert(cursors, old)
    op.drop_index("fulfilments_by_state", table_name="fulfilments")
    op.drop_table("fulfilments")
