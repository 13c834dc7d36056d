"""The console's people: accounts, signing in (rate-limited, every refusal recorded), sessions that expire,
the CSRF token of each session, and the audit of every action."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta

import structlog

from trueup.domain.errors import BadInput
from trueup.domain.people import (
    Action,
    AuditRecord,
    ConsoleSession,
    ConsoleUser,
    Role,
    check_password,
    check_username,
)
from trueup.service_layer.ports import Clock, ConsoleRecords, PasswordHasher

log = structlog.get_logger(__name__)

# A password check is made for unknown names too, so that timing does not tell which names exist.
_UNKNOWN_USER_HASH_OF = "no such user: the check still costs what a real one does"


@dataclass(frozen=True)
class SessionRules:
    """How long a session lives and how many failed sign-ins are allowed."""

    lifetime: timedelta = timedelta(hours=12)  # absolute: sign in again after this, however active
    idle: timedelta = timedelta(minutes=30)  # a session unused for this long ends
    attempts: int = 5  # failed sign-ins per name (and per address, times four) in `attempts_window`
    attempts_window: timedelta = timedelta(minutes=15)


class SignInRefused(Exception):
    """A sign-in refused; the message is safe to show (it never says whether the name exists)."""


def token_hash(token: str) -> str:
    """What the store keeps of a session's token: its SHA-256 (a stolen database signs nobody in)."""
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(
    records: ConsoleRecords, hasher: PasswordHasher, clock: Clock, username: str, role: Role, password: str
) -> ConsoleUser:
    """Create a user; BadInput if the name is taken or the name or password is not acceptable."""
    check_username(username)
    check_password(password)
    if records.console_user(username) is not None:
        raise BadInput(f"user {username} exists already")
    user = ConsoleUser(username, role, hasher.hash(password), clock.now())
    records.save_user(user)
    return user


def set_password(records: ConsoleRecords, hasher: PasswordHasher, username: str, password: str) -> None:
    """Give a user a new password and end their sessions."""
    user = records.console_user(username)
    if user is None:
        raise BadInput(f"no user {username}")
    records.save_user(replace(user, password_hash=hasher.hash(check_password(password))))
    records.end_sessions(username=username)


class People:
    """Signing in and out, sessions and the audit, over the console's records."""

    def __init__(
        self, records: ConsoleRecords, hasher: PasswordHasher, clock: Clock, rules: SessionRules = SessionRules()
    ) -> None:
        self.records = records
        self._hasher = hasher
        self._clock = clock
        self.rules = rules
        self._decoy = hasher.hash(_UNKNOWN_USER_HASH_OF)

    def audit(
        self,
        username: str,
        action: Action,
        outcome: str = "done",
        orders: list[str] | None = None,
        detail: str = "",
        remote: str = "",
    ) -> None:
        """Record what a person did or tried."""
        self.records.record(AuditRecord(self._clock.now(), username, action, outcome, orders or [], detail, remote))

    def _too_many_attempts(self, username: str, remote: str) -> bool:
        since = self._clock.now() - self.rules.attempts_window
        refused = str(Action.LOGIN_REFUSED)
        by_name = self.records.count_audit(refused, since, username=username)
        by_address = self.records.count_audit(refused, since, remote=remote) if remote else 0
        return by_name >= self.rules.attempts or by_address >= 4 * self.rules.attempts

    def sign_in(self, username: str, password: str, remote: str = "") -> tuple[str, ConsoleSession]:
        """A new session's token (for the cookie) and the session; SignInRefused (recorded) otherwise."""
        if self._too_many_attempts(username, remote):
            self.audit(username, Action.LOGIN_REFUSED, "refused: too many attempts", remote=remote)
            minutes = int(self.rules.attempts_window.total_seconds() // 60)
            raise SignInRefused(f"Too many failed sign-ins: try again in {minutes} minutes.")
        user = self.records.console_user(username)
        matches = self._hasher.verify(user.password_hash if user else self._decoy, password)
        if user is None or not matches or user.disabled:
            self.audit(username, Action.LOGIN_REFUSED, "refused: wrong name or password", remote=remote)
            raise SignInRefused("Wrong name or password.")
        return self._open_session(user, remote)

    def sign_in_trusted(self, username: str, remote: str = "") -> tuple[str, ConsoleSession] | None:
        """A session for a name a trusted reverse proxy vouches for (single sign-on), if it is a known user."""
        user = self.records.console_user(username)
        if user is None or user.disabled:
            self.audit(username, Action.LOGIN_REFUSED, "refused: proxy user not known here", remote=remote)
            return None
        return self._open_session(user, remote)

    def _open_session(self, user: ConsoleUser, remote: str) -> tuple[str, ConsoleSession]:
        now = self._clock.now()
        token = secrets.token_urlsafe(32)
        session = ConsoleSession(
            token_hash(token), user.username, secrets.token_urlsafe(32), now, now + self.rules.lifetime, now
        )
        self.records.save_session(session)
        self.audit(user.username, Action.LOGIN, remote=remote)
        return token, session

    def current(self, token: str | None) -> tuple[ConsoleSession, ConsoleUser] | None:
        """The live session of a cookie's token and its user; None when absent, expired, idle or disabled."""
        if not token:
            return None
        session = self.records.console_session(token_hash(token))
        if session is None:
            return None
        now = self._clock.now()
        user = self.records.console_user(session.username)
        if now >= session.expires_at or now - session.last_seen_at >= self.rules.idle or user is None or user.disabled:
            self.records.end_sessions(token_hash=session.token_hash)
            return None
        if now - session.last_seen_at >= timedelta(minutes=1):  # one write a minute at most per session
            session = replace(session, last_seen_at=now)
            self.records.save_session(session)
        return session, user

    def sign_out(self, session: ConsoleSession, remote: str = "") -> None:
        self.records.end_sessions(token_hash=session.token_hash)
        self.audit(session.username, Action.LOGOUT, remote=remote)


def csrf_matches(session: ConsoleSession, given: str | None) -> bool:
    """Whether the form's token is this session's (compared in constant time)."""
    return bool(given) and hmac.compare_digest(session.csrf_token.encode(), (given or "").encode())
