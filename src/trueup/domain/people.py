"""The people of the operations console: their roles, what each role may do, and what a viewer may see."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from trueup.domain.errors import BadInput


class Role(StrEnum):
    VIEWER = "viewer"  # sees where everything stands; no customer details beyond order name and country
    OPERATOR = "operator"  # acts on orders: replay, accept, release
    ADMIN = "admin"  # an operator who also sees the audit of everyone


class Action(StrEnum):
    """What a person can do from the console, as the audit records it."""

    LOGIN = "login"
    LOGIN_REFUSED = "login_refused"
    LOGOUT = "logout"
    REFUSED = "refused"  # a request refused: no CSRF token, a viewer trying to act, a forged form
    REPLAY = "replay"
    ACCEPT = "accept"
    RELEASE = "release"
    EMAIL_SEARCH = "email_search"  # orders looked up by a customer's e-mail (the audit keeps no e-mail)


# Which actions each role may take (beyond reading).
_ACTS = {Role.VIEWER: frozenset(), Role.OPERATOR: frozenset({Action.REPLAY, Action.ACCEPT, Action.RELEASE})}
_ACTS[Role.ADMIN] = _ACTS[Role.OPERATOR]

_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
MIN_PASSWORD_LENGTH = 12


def may(role: Role, action: Action) -> bool:
    """Whether `role` may take `action`."""
    return action in _ACTS[role]


def sees_customers(role: Role) -> bool:
    """Whether `role` sees customer details (e-mail, addresses, amounts per customer); viewers see the order's
    name and country only."""
    return role != Role.VIEWER


def sees_audit(role: Role) -> bool:
    """Whether `role` reads everyone's audit (admins); others see their own actions only."""
    return role == Role.ADMIN


def check_username(username: str) -> str:
    """The username if it is acceptable (letters, digits and . _ @ -, up to 64), else BadInput."""
    if not _USERNAME.match(username):
        raise BadInput("a username is 1 to 64 letters, digits or . _ @ -")
    return username


def check_password(password: str) -> str:
    """The password if it is long enough, else BadInput (length beats composition rules)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadInput(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    return password


@dataclass(frozen=True)
class ConsoleUser:
    username: str
    role: Role
    password_hash: str  # the KDF's own encoded form (algorithm, parameters, salt and hash)
    created_at: datetime
    disabled: bool = False


@dataclass(frozen=True)
class ConsoleSession:
    """A signed-in browser: the cookie holds a random token, the store only its hash."""

    token_hash: str
    username: str
    csrf_token: str
    created_at: datetime
    expires_at: datetime  # absolute: a session ends then, whatever its use
    last_seen_at: datetime  # idle sessions end too (see the console's settings)


@dataclass(frozen=True)
class AuditRecord:
    """One thing a person did (or tried): who, what, when, which orders, and how it went."""

    at: datetime
    username: str  # as given, also for a refused login of an unknown name
    action: Action
    outcome: str  # "done", "refused: <why>"
    orders: list[str] = field(default_factory=list)  # order names
    detail: str = ""  # the filter of a bulk action, the count queued, the reason of a refusal
    remote: str = ""  # the client's address as the console saw it
    id: int | None = None
