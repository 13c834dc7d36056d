"""The completeness check's open findings in SQL: one row per shop, order (or payout), kind and document."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, select
from sqlalchemy.engine import Row

from trueup.adapters.storage import dialects
from trueup.adapters.storage.engine import reading, translate_driver_errors, writing
from trueup.adapters.storage.tables import completeness_findings
from trueup.domain.completeness import Finding, FindingKind, OpenFinding


def replace_all(connection: Connection, shop: str, order: str, findings: Sequence[Finding], now: datetime) -> None:
    """The order's rows replaced by `findings` in one transaction: those not found again deleted, the others
    upserted, a row found again keeping when it was first found (two checks of one order at once, a sync's and
    the sweep's, meet on the key rather than fail on it)."""
    c = completeness_findings.c
    rows = {
        (str(f.kind), f.document): {
            "shop": shop,
            "order_name": order,
            "kind": str(f.kind),
            "document": f.document,
            "detail": f.detail,
            "found_at": now,
        }
        for f in findings
    }
    gone = [~and_(c.kind == kind, c.document == document) for kind, document in rows]
    connection.execute(delete(completeness_findings).where(c.shop == shop, c.order_name == order, *gone))
    if not rows:
        return
    statement = dialects.insert(connection, completeness_findings).values(list(rows.values()))
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[c.shop, c.order_name, c.kind, c.document], set_={"detail": statement.excluded.detail}
        )
    )


def open_finding(row: Row[Any]) -> OpenFinding:
    return OpenFinding(Finding(FindingKind(row.kind), row.shop, row.order_name, row.document, row.detail), row.found_at)


class OpenFindingRecordsSql:
    """The open findings part of SqlStore (a mixin); each method one transaction."""

    _engine: Engine

    @translate_driver_errors
    def replace_order_findings(self, shop: str, order: str, findings: Sequence[Finding], now: datetime) -> None:
        with writing(self._engine) as connection:
            replace_all(connection, shop, order, findings, now)

    @translate_driver_errors
    def open_findings(self, shop: str | None = None) -> list[OpenFinding]:
        c = completeness_findings.c
        query = select(completeness_findings).order_by(c.found_at, c.shop, c.order_name, c.kind, c.document)
        if shop is not None:
            query = query.where(c.shop == shop)
        with reading(self._engine) as connection:
            return [open_finding(row) for row in connection.execute(query)]
