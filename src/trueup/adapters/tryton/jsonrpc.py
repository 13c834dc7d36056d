"""A small JSON-RPC client for trytond 8.2, with its errors translated into trueup's.

What trytond 8.2 does (read in trytond/protocols/{dispatcher,jsonrpc,wrappers}.py and trytond/wsgi.py):
- one endpoint per database, `POST /<database>/rpc/`, body `{"id", "method", "params"}`;
- `common.db.login` with params `[login, {"password": ...}, language]` answers `[user_id, session, bus_url]`;
  a refused login is an HTTP 401 (429 when rate-limited, 404 for an unknown database);
- other calls carry `Authorization: Session base64(login:user_id:session)`; an expired or unknown session
  is an HTTP 401, and then we log in again once;
- model calls are `model.<model>.<method>` with the context as the last parameter;
- a Tryton exception comes back as HTTP 200 with `error` = its args: `["UserError", [message, description,
  domain]]`, `["UserWarning", [name, message, description]]`, `["ConcurrencyException", message]`,
  `["LoginException", [...]]`; any other server exception as `[str(exception), traceback]`;
- a database still locked after trytond's own retries ([database] retry) is an HTTP 503, a statement or RPC
  timeout an HTTP 504;
- Decimal, date and datetime travel as `{"__class__": "Decimal", "decimal": "1.20"}` and the like.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
import re
import threading
from decimal import Decimal
from typing import Any

import httpx

from trueup.domain.errors import BadInput, Cause, StructuralError, TransientError

_TRANSIENT_MARKERS = ("database is locked", "could not serialize", "deadlock", "concurrent", "timeout")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_MAX_MESSAGE = 240


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, dt.datetime):
        return {
            "__class__": "datetime",
            **{k: getattr(value, k) for k in ("year", "month", "day", "hour", "minute", "second", "microsecond")},
        }
    if isinstance(value, dt.date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    if isinstance(value, set | frozenset):
        return list(value)
    raise TypeError(f"cannot send {type(value).__name__} to Tryton")


def _decode(obj: dict[str, Any]) -> Any:
    kind = obj.get("__class__")
    if kind == "Decimal":
        return Decimal(obj["decimal"])
    if kind == "date":
        return dt.date(obj["year"], obj["month"], obj["day"])
    if kind == "datetime":
        return dt.datetime(
            obj["year"], obj["month"], obj["day"], obj["hour"], obj["minute"], obj["second"], obj["microsecond"]
        )
    return obj


def redact(message: str) -> str:
    """A Tryton message fit for logs and the ledger: no e-mail addresses, one line, bounded length."""
    one_line = " ".join(str(message).split())
    return _EMAIL.sub("<email>", one_line)[:_MAX_MESSAGE]


def error_from_reply(error: Any) -> Exception:
    """The trueup error for the `error` member of a trytond JSON-RPC reply."""
    kind, args = (error[0], error[1]) if isinstance(error, list | tuple) and len(error) == 2 else (str(error), "")
    if kind in ("UserError", "UserWarning"):
        parts = [str(a) for a in (args if isinstance(args, list | tuple) else [args]) if a]
        message = parts[1] if kind == "UserWarning" and len(parts) > 1 else (parts[0] if parts else kind)
        return StructuralError(Cause.BACK_OFFICE_REJECTED, redact(message))
    if kind == "ConcurrencyException":
        return TransientError(f"Tryton concurrency conflict: {redact(str(args))}")
    if kind == "LoginException":
        return BadInput("Tryton asked for other login parameters")
    if any(marker in kind.lower() for marker in _TRANSIENT_MARKERS):
        return TransientError(f"Tryton: {redact(kind)}")
    return StructuralError(Cause.BACK_OFFICE_REJECTED, f"Tryton server error: {redact(kind)}")


def error_from_status(status: int, *, retry_after: str | None = None) -> Exception:
    """The trueup error for an HTTP status trytond answered instead of a JSON-RPC reply."""
    if status == 429:
        return TransientError("Tryton rate limit", retry_after=float(retry_after) if retry_after else None)
    if status >= 500:
        return TransientError(f"Tryton answered HTTP {status}")
    if status in (401, 404):
        return BadInput(f"Tryton refused the login or the database (HTTP {status})")
    return StructuralError(Cause.BACK_OFFICE_REJECTED, f"Tryton answered HTTP {status}")


class TrytonClient:
    """A session on one Tryton database. Thread-safe; logs in lazily and again when the session expires."""

    def __init__(
        self,
        url: str,
        database: str,
        login: str,
        password: str,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._http = httpx.Client(base_url=f"{url.rstrip('/')}/{database}/rpc/", timeout=timeout, transport=transport)
        self._login = login
        self._password = password
        self._authorization: str | None = None
        self._context: dict[str, Any] = {}
        self._ids = itertools.count(1)
        self._login_lock = threading.Lock()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TrytonClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def context(self) -> dict[str, Any]:
        """The user's preferences (company, language, …) sent as context with every call."""
        self._ensure_session()
        return dict(self._context)

    def call(self, model: str, method: str, *args: Any, context: dict[str, Any] | None = None) -> Any:
        """Call `method` of `model` (e.g. "sale.sale", "search_read") with `args` and the session context."""
        return self.call_method(f"model.{model}.{method}", *args, context=context)

    def call_method(self, method: str, *args: Any, context: dict[str, Any] | None = None) -> Any:
        """Call a full RPC method name ("model.x.y", "wizard.x.execute", …) with the session context."""
        self._ensure_session()
        authorization = self._authorization
        try:
            return self._post(method, [*args, {**self._context, **(context or {})}], authorization)
        except _SessionExpired:
            self._relogin(authorization)
        try:
            return self._post(method, [*args, {**self._context, **(context or {})}], self._authorization)
        except _SessionExpired as error:
            raise BadInput(f"Tryton refused a fresh session for {method}") from error

    def _ensure_session(self) -> None:
        if self._authorization is None:
            self._relogin(None)

    def _relogin(self, stale: str | None) -> None:
        with self._login_lock:
            if self._authorization != stale:  # another thread logged in meanwhile
                return
            try:
                user_id, session = self._post("common.db.login", [self._login, {"password": self._password}, "en"])[:2]
            except _SessionExpired as error:
                raise BadInput(f"Tryton refused the login of user {self._login!r}") from error
            token = base64.b64encode(f"{self._login}:{user_id}:{session}".encode()).decode()
            authorization = f"Session {token}"
            self._context = self._post("model.res.user.get_preferences", [True, {}], authorization)
            self._authorization = authorization

    def _post(self, method: str, params: list[Any], authorization: str | None = None) -> Any:
        body = json.dumps({"id": next(self._ids), "method": method, "params": params}, default=_encode)
        headers = {"Content-Type": "application/json"}
        if authorization:
            headers["Authorization"] = authorization
        try:
            response = self._http.post("", content=body, headers=headers)
        except httpx.TimeoutException as error:
            raise TransientError(f"Tryton did not answer {method} in time") from error
        except httpx.TransportError as error:
            raise TransientError(f"Tryton unreachable: {type(error).__name__}") from error
        if response.status_code == 401:
            raise _SessionExpired()
        if response.status_code != 200:
            raise error_from_status(response.status_code, retry_after=response.headers.get("Retry-After"))
        try:
            reply = json.loads(response.content, object_hook=_decode)
        except ValueError as error:
            raise TransientError(f"Tryton sent a reply that is not JSON to {method}") from error
        if reply.get("error") is not None:
            raise error_from_reply(reply["error"])
        return reply.get("result")


class _SessionExpired(Exception):
    """HTTP 401: the session (or the login) was refused."""
