"""InMemoryConsoleStore: the console's records (people, sessions, audit) and the History role, in memory,
reading an InMemoryStore's deliveries, jobs and ledger; held to SqlConsoleStore by
tests/contract/test_console_store_contract.py."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from tests.fakes.store import InMemoryStore
from trueup.domain.alerts import AlertState
from trueup.domain.errors import Cause
from trueup.domain.fulfilment import FulfilmentRecord, FulfilmentState
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.domain.people import AuditRecord, ConsoleSession, ConsoleUser
from trueup.service_layer.ports import DeliverySeen, JobSeen, ParkedGroup

_ORDER_GID = "gid://shopify/Order/"


class InMemoryConsoleStore:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self._lock = threading.RLock()
        self._users: dict[str, ConsoleUser] = {}
        self._sessions: dict[str, ConsoleSession] = {}
        self._audit: list[AuditRecord] = []
        self._alerts: dict[tuple[str, str], AlertState] = {}

    # --- people and sessions ----------------------------------------------------------------------
    def save_user(self, user: ConsoleUser) -> None:
        with self._lock:
            kept = self._users.get(user.username)
            self._users[user.username] = replace(user, created_at=kept.created_at) if kept else user

    def console_user(self, username: str) -> ConsoleUser | None:
        return self._users.get(username)

    def console_users(self) -> list[ConsoleUser]:
        return sorted(self._users.values(), key=lambda u: u.username)

    def save_session(self, session: ConsoleSession) -> None:
        with self._lock:
            kept = self._sessions.get(session.token_hash)
            self._sessions[session.token_hash] = (
                replace(kept, last_seen_at=session.last_seen_at, expires_at=session.expires_at) if kept else session
            )

    def console_session(self, token_hash: str) -> ConsoleSession | None:
        return self._sessions.get(token_hash)

    def end_sessions(self, token_hash: str | None = None, username: str | None = None) -> int:
        with self._lock:
            ended = [
                key
                for key, s in self._sessions.items()
                if (token_hash is None or key == token_hash) and (username is None or s.username == username)
            ]
            for key in ended:
                del self._sessions[key]
            return len(ended)

    # --- audit ------------------------------------------------------------------------------------
    def record(self, entry: AuditRecord) -> None:
        with self._lock:
            self._audit.append(replace(entry, id=len(self._audit) + 1, orders=list(entry.orders)))

    def audit_records(self, limit: int = 100, username: str | None = None) -> list[AuditRecord]:
        chosen = [r for r in reversed(self._audit) if username is None or r.username == username]
        return chosen[:limit]

    def count_audit(self, action: str, since: datetime, username: str | None = None, remote: str | None = None) -> int:
        return sum(
            1
            for r in self._audit
            if r.action == action
            and r.at >= since
            and (username is None or r.username == username)
            and (remote is None or r.remote == remote)
        )

    # --- history ----------------------------------------------------------------------------------
    def order_deliveries(self, shop: str, order_id: str) -> list[DeliverySeen]:
        found = [d for d in self._store.deliveries if (d.shop, d.order_id) == (shop, order_id)]
        return [
            DeliverySeen(d.topic, d.webhook_id, d.event_id, d.triggered_at, d.received_at, d.problem)
            for d in sorted(found, key=lambda d: d.received_at)
        ]

    def latest_order_body(self, shop: str, order_id: str) -> bytes | None:
        found = [
            d
            for d in self._store.deliveries
            if (d.shop, d.order_id) == (shop, order_id) and d.topic.startswith("orders/")
        ]
        return max(found, key=lambda d: d.received_at).body if found else None

    def order_fulfilments(self, shop: str, order_id: str) -> list[FulfilmentRecord]:
        return [r for r in self._store.fulfilment_records(shop) if r.order_id == order_id]

    def key_jobs(self, key: str) -> list[JobSeen]:
        return [
            JobSeen(r.kind, r.state, r.attempts, r.run_at, r.run_at, r.run_at, r.last_error)
            for r in self._store.jobs
            if r.key == key
        ]

    def find_entries(self, text: str, limit: int = 20) -> list[LedgerEntry]:
        text = text.strip()
        if not text:
            return []
        number = text.removeprefix("#")
        by_id = not text.startswith("#") and (number.isdigit() or text.startswith(_ORDER_GID))
        demand = self._store._inventory()["demand"]  # the sibling fake's table: (shop, order) -> {(sku, wh): n}
        asking = {order for (_, order), lines in demand.items() if any(sku == text for sku, _ in lines)}
        found = [
            e
            for e in self._store.ledger_entries()
            if e.name in (text, f"#{number}")
            or (by_id and e.order_id in (text, f"{_ORDER_GID}{number}"))
            or e.order_id in asking
            or (e.state == OrderState.EXCEPTION and json.dumps(text) in json.dumps(e.needs))
        ]
        return sorted(found, key=lambda e: e.first_seen_at, reverse=True)[:limit]

    def last_received_by_shop(self, shops: Sequence[str]) -> dict[str, datetime]:
        last: dict[str, datetime] = {}
        for d in (d for d in self._store.deliveries if d.shop in shops):
            last[d.shop] = max(last.get(d.shop, d.received_at), d.received_at)
        return last

    @staticmethod
    def _minute(at: datetime) -> datetime:
        return at.replace(second=0, microsecond=0)

    def received_per_minute(self, since: datetime, shop: str | None = None) -> dict[datetime, int]:
        return dict(
            Counter(
                self._minute(d.received_at)
                for d in self._store.deliveries
                if d.received_at >= since and shop in (None, d.shop)
            )
        )

    def _posted(self, since: datetime, shop: str | None) -> list[LedgerEntry]:
        return [e for e in self._store.ledger_entries(OrderState.POSTED, shop) if e.state_since >= since]

    def posted_per_minute(self, since: datetime, shop: str | None = None) -> dict[datetime, int]:
        return dict(Counter(self._minute(e.state_since) for e in self._posted(since, shop)))

    def posting_delays(self, since: datetime, shop: str | None = None, limit: int = 10_000) -> list[float]:
        posted = sorted(self._posted(since, shop), key=lambda e: e.state_since, reverse=True)[:limit]
        return [(e.state_since - e.first_seen_at).total_seconds() for e in posted]

    def parked_groups(
        self,
        shop: str | None = None,
        cause: Cause | None = None,
        since: datetime | None = None,
        sku: str | None = None,
        order: str | None = None,
        examples: int = 5,
    ) -> list[ParkedGroup]:
        number = (order or "").removeprefix("#")
        chosen = [
            e
            for e in self._store.ledger_entries(OrderState.EXCEPTION, shop)
            if e.cause is not None
            and cause in (None, e.cause)
            and (since is None or e.state_since >= since)
            and (not sku or json.dumps(sku) in json.dumps(e.needs))
            and (not order or e.name in (order, f"#{number}") or e.order_id in (order, f"{_ORDER_GID}{number}"))
        ]
        by_cause: dict[Cause, list[LedgerEntry]] = {}
        for entry in sorted(chosen, key=lambda e: (e.state_since, e.order_id)):
            by_cause.setdefault(entry.cause, []).append(entry)  # type: ignore[arg-type]
        groups = [ParkedGroup(c, len(es), es[0].state_since, es[:examples]) for c, es in by_cause.items()]
        return sorted(groups, key=lambda g: (-g.count, g.cause))

    def fulfilment_counts(self, shop: str) -> dict[FulfilmentState, int]:
        return dict(Counter(r.state for r in self._store.fulfilment_records(shop)))

    def failing_jobs(self) -> list[JobSeen]:
        return [
            JobSeen(r.kind, r.state, r.attempts, r.run_at, r.run_at, r.run_at, r.last_error, r.shop)
            for r in self._store.jobs
            if r.state == "todo" and r.attempts > 0
        ]

    # --- alerts -----------------------------------------------------------------------------------
    def alert_states(self) -> list[AlertState]:
        return [self._alerts[key] for key in sorted(self._alerts)]

    def save_alert_state(self, state: AlertState) -> None:
        with self._lock:
            self._alerts[(state.rule, state.subject)] = state

    # --- privacy requests -------------------------------------------------------------------------
    def redact_console_text(self, shop: str, needles: Sequence[str], replacement: str) -> dict[str, int]:
        with self._lock:
            counts = {
                "console_audit": self._redact_audit(needles, replacement),
                "alert_states": self._redact_alerts(shop, needles, replacement),
            }
        return {kind: n for kind, n in counts.items() if n}

    def console_text_about(self, shop: str, needles: Sequence[str]) -> list[tuple[str, str]]:
        with self._lock:
            found = [
                ("console_audit", text)
                for name in ("username", "outcome", "detail")
                for record in self._audit
                if _holds(text := getattr(record, name), needles)
            ]
            return found + [
                ("alert_states", state.detail)
                for state in self._alerts.values()
                if _of_shop(state.subject, shop) and _holds(state.detail, needles)
            ]

    def erase_console_shop(self, shop: str, replacement: str) -> dict[str, int]:
        with self._lock:
            erased = [key for key, state in self._alerts.items() if _of_shop(state.subject, shop)]
            for key in erased:
                del self._alerts[key]
            counts = {"console_audit": self._redact_audit([shop], replacement), "alert_states": len(erased)}
        return {kind: n for kind, n in counts.items() if n}

    def _redact_audit(self, needles: Sequence[str], replacement: str) -> int:
        redacted = 0
        for index, record in enumerate(self._audit):
            fields = {
                name: replacement
                for name in ("username", "outcome", "detail")
                if _holds(getattr(record, name), needles)
            }
            if fields:
                self._audit[index] = replace(record, **fields)
                redacted += 1
        return redacted

    def _redact_alerts(self, shop: str, needles: Sequence[str], replacement: str) -> int:
        found = [
            key
            for key, state in self._alerts.items()
            if _of_shop(state.subject, shop) and _holds(state.detail, needles)
        ]
        for key in found:
            self._alerts[key] = replace(self._alerts[key], detail=replacement)
        return len(found)


def _holds(text: str, needles: Sequence[str]) -> bool:
    return any(needle.lower() in text.lower() for needle in needles)


def _of_shop(subject: str, shop: str) -> bool:
    return subject == shop or subject.startswith(f"{shop}|")
