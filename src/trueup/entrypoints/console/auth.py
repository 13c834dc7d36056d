"""Who is asking: the session cookie (or a trusted proxy's user header), the CSRF token of every action, and
the refusals, each recorded in the audit."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from trueup.domain.people import Action, ConsoleSession, ConsoleUser, Role
from trueup.service_layer.people import People, csrf_matches

SESSION_COOKIE = "trueup_session"
LOGIN_CSRF_COOKIE = "trueup_login_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class Gate:
    """The console's rules for who may come in."""

    people: People
    session_seconds: int
    trusted_user_header: str = ""  # empty: single sign-on off
    trusted_proxies: frozenset[str] = frozenset()


def remote_of(request: Request) -> str:
    return request.client.host if request.client else ""


def set_session_cookie(response: Response, token: str, max_age: int) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, secure=True, httponly=True, samesite="lax", path="/")


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/metrics"


def refuse(request: Request, status: int, message: str) -> Response:
    """A refusal with a clear message, as JSON for the API, as a page otherwise."""
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    templates = request.app.state.templates
    context: dict[str, object] = {"message": message, "user": None, "csrf": "", "can_act": False, "shops": []}
    return templates.TemplateResponse(request, "refused.html", context, status_code=status)


def _resume(gate: Gate, request: Request) -> tuple[ConsoleSession, ConsoleUser, str | None] | None:
    """The live session (and a new cookie token when one was opened for a trusted proxy's user)."""
    current = gate.people.current(request.cookies.get(SESSION_COOKIE))
    if current is not None:
        return current[0], current[1], None
    header = gate.trusted_user_header
    if header and remote_of(request) in gate.trusted_proxies and request.headers.get(header):
        opened = gate.people.sign_in_trusted(request.headers[header].strip(), remote_of(request))
        if opened is not None:
            token, session = opened
            user = gate.people.records.console_user(session.username)
            if user is not None:
                return session, user, token
    return None


Handler = Callable[[Request], Awaitable[Response]]


def signed_in(handler: Handler, role: Role | None = None) -> Handler:
    """`handler` for signed-in people only; a POST must carry the session's CSRF token. `role`: only that role
    (admin pages). Refusals are recorded: a missing or wrong CSRF token, a role that may not, an expired session."""

    async def guarded(request: Request) -> Response:
        gate: Gate = request.app.state.gate
        resumed = _resume(gate, request)
        if resumed is None:
            if request.cookies.get(SESSION_COOKIE):
                gate.people.audit(
                    "-",
                    Action.REFUSED,
                    "refused: session expired or unknown",
                    detail=f"{request.method} {request.url.path}",
                    remote=remote_of(request),
                )
            if _wants_json(request) or request.method != "GET":
                return refuse(request, 401, "Sign in first (your session has expired or you are not signed in).")
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        session, user, new_token = resumed
        request.state.session, request.state.user = session, user
        if request.method != "GET":
            given = request.headers.get(CSRF_HEADER)
            if given is None and "form" in request.headers.get("content-type", ""):
                given = str((await request.form()).get(CSRF_FIELD) or "") or None
            if not csrf_matches(session, given):
                why = "missing" if not given else "wrong"
                gate.people.audit(
                    user.username,
                    Action.REFUSED,
                    f"refused: {why} CSRF token",
                    detail=f"{request.method} {request.url.path}",
                    remote=remote_of(request),
                )
                return refuse(
                    request, 403, f"Refused: the form's security token is {why}. Reload the page and try again."
                )
        if role is not None and user.role != role:
            gate.people.audit(
                user.username,
                Action.REFUSED,
                f"refused: needs {role}",
                detail=f"{request.method} {request.url.path}",
                remote=remote_of(request),
            )
            return refuse(request, 403, f"Only an {role} may see this.")
        response = await handler(request)
        if new_token is not None:
            set_session_cookie(response, new_token, gate.session_seconds)
        return response

    return guarded
