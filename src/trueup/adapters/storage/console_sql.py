"""The console's people, sessions and audit in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, case, delete, false, func, or_, select, update

from trueup.adapters.storage import dialects
from trueup.adapters.storage.tables import alert_states, console_audit, console_sessions, console_users
from trueup.domain.alerts import AlertState
from trueup.domain.people import Action, AuditRecord, ConsoleSession, ConsoleUser, Role


def save_user(connection: Connection, user: ConsoleUser) -> None:
    row = {
        "username": user.username,
        "role": str(user.role),
        "password_hash": user.password_hash,
        "created_at": user.created_at,
        "disabled": user.disabled,
    }
    statement = dialects.insert(connection, console_users).values(row)
    updated = {key: statement.excluded[key] for key in ("role", "password_hash", "disabled")}
    connection.execute(statement.on_conflict_do_update(index_elements=[console_users.c.username], set_=updated))


def _user(row: Any) -> ConsoleUser:
    return ConsoleUser(row.username, Role(row.role), row.password_hash, row.created_at, row.disabled)


def user(connection: Connection, username: str) -> ConsoleUser | None:
    row = connection.execute(select(console_users).where(console_users.c.username == username)).first()
    return _user(row) if row else None


def users(connection: Connection) -> list[ConsoleUser]:
    return [_user(row) for row in connection.execute(select(console_users).order_by(console_users.c.username))]


def save_session(connection: Connection, session: ConsoleSession) -> None:
    row = {
        "token_hash": session.token_hash,
        "username": session.username,
        "csrf_token": session.csrf_token,
        "created_at": session.created_at,
        "expires_at": session.expires_at,
        "last_seen_at": session.last_seen_at,
    }
    statement = dialects.insert(connection, console_sessions).values(row)
    updated = {"last_seen_at": statement.excluded.last_seen_at, "expires_at": statement.excluded.expires_at}
    connection.execute(statement.on_conflict_do_update(index_elements=[console_sessions.c.token_hash], set_=updated))


def session(connection: Connection, token_hash: str) -> ConsoleSession | None:
    row = connection.execute(select(console_sessions).where(console_sessions.c.token_hash == token_hash)).first()
    if row is None:
        return None
    return ConsoleSession(
        row.token_hash, row.username, row.csrf_token, row.created_at, row.expires_at, row.last_seen_at
    )


def end_sessions(connection: Connection, token_hash: str | None, username: str | None) -> int:
    statement = delete(console_sessions)
    if token_hash is not None:
        statement = statement.where(console_sessions.c.token_hash == token_hash)
    if username is not None:
        statement = statement.where(console_sessions.c.username == username)
    return int(connection.execute(statement).rowcount)


def record(connection: Connection, entry: AuditRecord) -> None:
    connection.execute(
        console_audit.insert().values(
            at=entry.at,
            username=entry.username[:255],
            action=str(entry.action),
            outcome=entry.outcome[:255],
            orders=list(entry.orders),
            detail=entry.detail,
            remote=entry.remote[:64],
        )
    )


def records(connection: Connection, limit: int, username: str | None) -> list[AuditRecord]:
    query = select(console_audit).order_by(console_audit.c.id.desc()).limit(limit)
    if username is not None:
        query = query.where(console_audit.c.username == username)
    return [
        AuditRecord(
            at=row.at,
            username=row.username,
            action=Action(row.action),
            outcome=row.outcome,
            orders=list(row.orders),
            detail=row.detail,
            remote=row.remote,
            id=row.id,
        )
        for row in connection.execute(query)
    ]


def count(connection: Connection, action: str, since: datetime, username: str | None, remote: str | None) -> int:
    query = select(func.count()).where(console_audit.c.action == action, console_audit.c.at >= since)
    if username is not None:
        query = query.where(console_audit.c.username == username)
    if remote is not None:
        query = query.where(console_audit.c.remote == remote)
    return int(connection.execute(query).scalar_one())


def alerts(connection: Connection) -> list[AlertState]:
    rows = connection.execute(select(alert_states).order_by(alert_states.c.rule, alert_states.c.subject))
    return [AlertState(r.rule, r.subject, r.firing, r.since, r.notified_at, r.detail) for r in rows]


def save_alert(connection: Connection, state: AlertState) -> None:
    row = {
        "rule": state.rule,
        "subject": state.subject[:255],
        "firing": state.firing,
        "since": state.since,
        "notified_at": state.notified_at,
        "detail": state.detail,
    }
    statement = dialects.insert(connection, alert_states).values(row)
    updated = {key: statement.excluded[key] for key in ("firing", "since", "notified_at", "detail")}
    statement = statement.on_conflict_do_update(
        index_elements=[alert_states.c.rule, alert_states.c.subject], set_=updated
    )
    connection.execute(statement)


# --- privacy requests (service_layer/privacy.py) ------------------------------------------------------
def _holds(column: Any, needles: Sequence[str]) -> ColumnElement[bool]:
    if not needles:
        return false()
    return or_(*(func.lower(column).contains(needle.lower(), autoescape=True) for needle in needles))


def _of_shop(shop: str) -> ColumnElement[bool]:
    subject = alert_states.c.subject
    return or_(subject == shop, subject.startswith(f"{shop}|", autoescape=True))


def redact_audit(connection: Connection, needles: Sequence[str], replacement: str) -> int:
    a = console_audit.c
    columns = (a.username, a.outcome, a.detail)
    statement = (
        update(console_audit)
        .where(or_(*(_holds(column, needles) for column in columns)))
        .values({column.name: case((_holds(column, needles), replacement), else_=column) for column in columns})
    )
    return int(connection.execute(statement).rowcount)


def redact_alerts(connection: Connection, shop: str, needles: Sequence[str], replacement: str) -> int:
    statement = (
        update(alert_states).where(_of_shop(shop), _holds(alert_states.c.detail, needles)).values(detail=replacement)
    )
    return int(connection.execute(statement).rowcount)


def erase_alerts(connection: Connection, shop: str) -> int:
    return int(connection.execute(delete(alert_states).where(_of_shop(shop))).rowcount)


def text_about(connection: Connection, shop: str, needles: Sequence[str]) -> list[tuple[str, str]]:
    a = console_audit.c
    found: list[tuple[str, str]] = []
    for column in (a.username, a.outcome, a.detail):
        found += [
            ("console_audit", text)
            for text in connection.execute(select(column).where(_holds(column, needles))).scalars()
        ]
    alerts = select(alert_states.c.detail).where(_of_shop(shop), _holds(alert_states.c.detail, needles))
    return found + [("alert_states", text) for text in connection.execute(alerts).scalars()]
