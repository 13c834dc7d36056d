"""SqlConsoleStore: the console's records (people, sessions, audit) and the history it reads, on the same
database as the SqlStore (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from trueup.adapters.storage import console_sql, fulfilments_sql, history_sql
from trueup.adapters.storage.engine import make_engine, reading, translate_driver_errors, writing
from trueup.domain.alerts import AlertState
from trueup.domain.errors import Cause
from trueup.domain.fulfilment import FulfilmentRecord, FulfilmentState
from trueup.domain.ledger import LedgerEntry
from trueup.domain.people import AuditRecord, ConsoleSession, ConsoleUser
from trueup.service_layer.ports import DeliverySeen, JobSeen, ParkedGroup


class SqlConsoleStore:
    """The ConsoleRecords, History, AlertRecords and ConsolePrivacy roles (service_layer/ports.py) in a database
    migrated by `upgrade`. Every method runs in its own transaction."""

    def __init__(self, url: str) -> None:
        self._engine = make_engine(url)

    def close(self) -> None:
        self._engine.dispose()

    # --- people and sessions ----------------------------------------------------------------------
    @translate_driver_errors
    def save_user(self, user: ConsoleUser) -> None:
        with writing(self._engine) as connection:
            console_sql.save_user(connection, user)

    @translate_driver_errors
    def console_user(self, username: str) -> ConsoleUser | None:
        with reading(self._engine) as connection:
            return console_sql.user(connection, username)

    @translate_driver_errors
    def console_users(self) -> list[ConsoleUser]:
        with reading(self._engine) as connection:
            return console_sql.users(connection)

    @translate_driver_errors
    def save_session(self, session: ConsoleSession) -> None:
        with writing(self._engine) as connection:
            console_sql.save_session(connection, session)

    @translate_driver_errors
    def console_session(self, token_hash: str) -> ConsoleSession | None:
        with reading(self._engine) as connection:
            return console_sql.session(connection, token_hash)

    @translate_driver_errors
    def end_sessions(self, token_hash: str | None = None, username: str | None = None) -> int:
        with writing(self._engine) as connection:
            return console_sql.end_sessions(connection, token_hash, username)

    # --- audit ------------------------------------------------------------------------------------
    @translate_driver_errors
    def record(self, entry: AuditRecord) -> None:
        with writing(self._engine) as connection:
            console_sql.record(connection, entry)

    @translate_driver_errors
    def audit_records(self, limit: int = 100, username: str | None = None) -> list[AuditRecord]:
        with reading(self._engine) as connection:
            return console_sql.records(connection, limit, username)

    @translate_driver_errors
    def count_audit(self, action: str, since: datetime, username: str | None = None, remote: str | None = None) -> int:
        with reading(self._engine) as connection:
            return console_sql.count(connection, action, since, username, remote)

    # --- history ----------------------------------------------------------------------------------
    @translate_driver_errors
    def order_deliveries(self, shop: str, order_id: str) -> list[DeliverySeen]:
        with reading(self._engine) as connection:
            return history_sql.order_deliveries(connection, shop, order_id)

    @translate_driver_errors
    def key_jobs(self, key: str) -> list[JobSeen]:
        with reading(self._engine) as connection:
            return history_sql.key_jobs(connection, key)

    @translate_driver_errors
    def find_entries(self, text: str, limit: int = 20) -> list[LedgerEntry]:
        with reading(self._engine) as connection:
            return history_sql.find_entries(connection, text, limit)

    @translate_driver_errors
    def last_received_by_shop(self, shops: Sequence[str]) -> dict[str, datetime]:
        with reading(self._engine) as connection:
            return history_sql.last_received_by_shop(connection, shops)

    @translate_driver_errors
    def received_per_minute(self, since: datetime, shop: str | None = None) -> dict[datetime, int]:
        with reading(self._engine) as connection:
            return history_sql.received_per_minute(connection, since, shop)

    @translate_driver_errors
    def posted_per_minute(self, since: datetime, shop: str | None = None) -> dict[datetime, int]:
        with reading(self._engine) as connection:
            return history_sql.posted_per_minute(connection, since, shop)

    @translate_driver_errors
    def posting_delays(self, since: datetime, shop: str | None = None, limit: int = 10_000) -> list[float]:
        with reading(self._engine) as connection:
            return history_sql.posting_delays(connection, since, shop, limit)

    @translate_driver_errors
    def order_fulfilments(self, shop: str, order_id: str) -> list[FulfilmentRecord]:
        with reading(self._engine) as connection:
            return fulfilments_sql.of_order(connection, shop, order_id)

    @translate_driver_errors
    def latest_order_body(self, shop: str, order_id: str) -> bytes | None:
        with reading(self._engine) as connection:
            return history_sql.latest_order_body(connection, shop, order_id)

    @translate_driver_errors
    def parked_groups(
        self,
        shop: str | None = None,
        cause: Cause | None = None,
        since: datetime | None = None,
        sku: str | None = None,
        order: str | None = None,
        examples: int = 5,
    ) -> list[ParkedGroup]:
        with reading(self._engine) as connection:
            return history_sql.parked_groups(connection, shop, cause, since, sku, order, examples)

    @translate_driver_errors
    def fulfilment_counts(self, shop: str) -> dict[FulfilmentState, int]:
        with reading(self._engine) as connection:
            return history_sql.fulfilment_counts(connection, shop)

    @translate_driver_errors
    def failing_jobs(self) -> list[JobSeen]:
        with reading(self._engine) as connection:
            return history_sql.failing_jobs(connection)

    # --- alerts -----------------------------------------------------------------------------------
    @translate_driver_errors
    def alert_states(self) -> list[AlertState]:
        with reading(self._engine) as connection:
            return console_sql.alerts(connection)

    @translate_driver_errors
    def save_alert_state(self, state: AlertState) -> None:
        with writing(self._engine) as connection:
            console_sql.save_alert(connection, state)

    # --- privacy requests -------------------------------------------------------------------------
    @translate_driver_errors
    def redact_console_text(self, shop: str, needles: Sequence[str], replacement: str) -> dict[str, int]:
        with writing(self._engine) as connection:
            counts = {
                "console_audit": console_sql.redact_audit(connection, needles, replacement),
                "alert_states": console_sql.redact_alerts(connection, shop, needles, replacement),
            }
        return {kind: n for kind, n in counts.items() if n}

    @translate_driver_errors
    def console_text_about(self, shop: str, needles: Sequence[str]) -> list[tuple[str, str]]:
        with reading(self._engine) as connection:
            return console_sql.text_about(connection, shop, needles)

    @translate_driver_errors
    def erase_console_shop(self, shop: str, replacement: str) -> dict[str, int]:
        with writing(self._engine) as connection:
            counts = {
                "console_audit": console_sql.redact_audit(connection, [shop], replacement),
                "alert_states": console_sql.erase_alerts(connection, shop),
            }
        return {kind: n for kind, n in counts.items() if n}
