"""The console's pages: overview, exceptions (with bulk actions previewed and confirmed), an order, stock,
activity, the audit; and signing in and out."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from trueup.domain.email_index import looks_like_email
from trueup.domain.errors import BadInput, Cause, TrueupError
from trueup.domain.people import Action, may, sees_audit, sees_customers
from trueup.entrypoints.console import charts
from trueup.entrypoints.console.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Gate,
    new_login_csrf,
    refuse,
    remote_of,
    set_session_cookie,
)
from trueup.entrypoints.console.deps import ConsoleDeps
from trueup.entrypoints.console.email_search import email_search_refused, search_by_email
from trueup.entrypoints.console.forms import bulk_action, exception_filter, order_keys
from trueup.service_layer.activity import activity
from trueup.service_layer.console_actions import ACTION_OF, WHAT_HAPPENS, NotAllowed, act, candidates
from trueup.service_layer.exceptions_view import exceptions_report
from trueup.service_layer.inventory_status import stock_summary
from trueup.service_layer.order_timeline import find_orders, order_timeline
from trueup.service_layer.overview import overview
from trueup.service_layer.people import SignInRefused
from trueup.service_layer.worker import RECONCILED_AT

PREVIEW_ROWS = 200  # orders listed by name on a preview; all of them are acted on


def _deps(request: Request) -> ConsoleDeps:
    return request.app.state.deps


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    user = getattr(request.state, "user", None)
    session = getattr(request.state, "session", None)
    base = {
        "user": user,
        "csrf": session.csrf_token if session else "",
        "can_act": user is not None and may(user.role, Action.REPLAY),
        "sees_customers": user is not None and sees_customers(user.role),
        "shops": _deps(request).shops,
    }
    return request.app.state.templates.TemplateResponse(request, template, {**base, **context}, status_code=status)


def _safe_next(target: str | None) -> str:
    # A path of this console only: "//host" and "/\\host" would send the browser to another site.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


# --- signing in and out -------------------------------------------------------------------------------
async def login_page(request: Request) -> Response:
    token = new_login_csrf()
    response = render(
        request,
        "login.html",
        {"login_csrf": token, "next": _safe_next(request.query_params.get("next")), "error": None},
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, secure=True, httponly=True, samesite="strict", path="/login")
    return response


async def login(request: Request) -> Response:
    gate: Gate = request.app.state.gate
    form = await request.form()
    username, password = str(form.get("username") or "")[:255], str(form.get("password") or "")
    target = _safe_next(str(form.get("next") or ""))
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected or form.get("csrf") != expected:
        gate.people.audit(
            username or "-", Action.LOGIN_REFUSED, "refused: missing or wrong CSRF token", remote=remote_of(request)
        )
        return refuse(
            request, 403, "Refused: the sign-in form's security token is missing or wrong. Reload and try again."
        )
    try:
        token, _ = gate.people.sign_in(username, password, remote_of(request))
    except SignInRefused as refusal:
        fresh = new_login_csrf()
        response = render(request, "login.html", {"login_csrf": fresh, "next": target, "error": str(refusal)}, 401)
        response.set_cookie(LOGIN_CSRF_COOKIE, fresh, secure=True, httponly=True, samesite="strict", path="/login")
        return response
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, token, gate.session_seconds)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


async def logout(request: Request) -> Response:
    gate: Gate = request.app.state.gate
    gate.people.sign_out(request.state.session, remote_of(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- pages ----------------------------------------------------------------------------------------------
async def overview_page(request: Request) -> Response:
    deps = _deps(request)
    report = overview(deps.store, deps.history, deps.shops, deps.clock.now(), deps.sources)
    firing = [s for s in deps.alerts.alert_states() if s.firing] if deps.alerts is not None else []
    return render(request, "overview.html", {"report": report, "firing": firing})


async def exceptions_page(request: Request) -> Response:
    deps = _deps(request)
    try:
        chosen = exception_filter(request.query_params)
    except BadInput as error:
        return refuse(request, 400, str(error))
    report = exceptions_report(deps.history, chosen, deps.clock.now(), details=sees_customers(request.state.user.role))
    return render(
        request, "exceptions.html", {"report": report, "params": request.query_params, "causes": sorted(Cause)}
    )


async def preview(request: Request) -> Response:
    deps = _deps(request)
    form = await request.form()
    params = {key: str(value) for key, value in form.items()}
    try:
        action = bulk_action(params.get("action"))
        chosen = exception_filter(params)
    except BadInput as error:
        return refuse(request, 400, str(error))
    user = request.state.user
    if not may(user.role, ACTION_OF[action]):
        deps.people.audit(
            user.username,
            Action.REFUSED,
            f"refused: a {user.role} may not {action}",
            detail=chosen.describe(),
            remote=remote_of(request),
        )
        return refuse(request, 403, f"A {user.role} may not {action} orders.")
    entries = candidates(deps.store, action, chosen)
    return render(
        request,
        "preview.html",
        {
            "action": action,
            "what_happens": WHAT_HAPPENS[action],
            "entries": entries,
            "listed": entries[:PREVIEW_ROWS],
            "filter": chosen.describe(),
        },
    )


async def confirm(request: Request) -> Response:
    deps = _deps(request)
    form = await request.form()
    try:
        action = bulk_action(str(form.get("action") or ""))
        keys = order_keys([str(v) for v in form.getlist("key")])
    except BadInput as error:  # a forged or damaged form: refused, and recorded
        user = request.state.user
        deps.people.audit(user.username, Action.REFUSED, f"refused: {error}"[:255], remote=remote_of(request))
        return refuse(request, 400, str(error))
    try:
        outcome = act(
            deps.store,
            deps.people,
            deps.clock,
            request.state.user,
            action,
            keys,
            detail=f"filter {str(form.get('filter') or '')[:500]}",
            remote=remote_of(request),
        )
    except NotAllowed as refusal:
        return refuse(request, 403, str(refusal))
    return render(request, "done.html", {"outcome": outcome})


async def orders_page(request: Request) -> Response:
    deps = _deps(request)
    text = (request.query_params.get("q") or "").strip()[:255]
    is_email = looks_like_email(text)  # never looked up from an address: the e-mail form posts it
    found = find_orders(deps.history, text) if text and not is_email else []
    template = "orders_found.html" if request.headers.get("hx-request") else "orders.html"
    return render(request, template, {"q": "" if is_email else text, "found": found, "email_asked": is_email})


async def orders_by_email_page(request: Request) -> Response:
    refused = email_search_refused(request)
    if refused is not None:
        return refuse(request, 403, refused)
    form = await request.form()
    found = search_by_email(request, str(form.get("email") or ""))
    return render(request, "orders.html", {"q": "", "found": found, "email_asked": False, "by_email": True})


async def order_page(request: Request) -> Response:
    deps = _deps(request)
    shop, order_id = request.query_params.get("shop", ""), request.query_params.get("id", "")
    entry = deps.store.ledger_entry(shop, order_id) if shop and order_id else None
    if entry is None:
        return refuse(request, 404, "No such order in trueup's ledger.")
    timeline = order_timeline(deps.store, deps.history, entry, request.state.user.role)
    return render(request, "order.html", {"order": timeline, "entry": entry})


async def stock_page(request: Request) -> Response:
    deps = _deps(request)
    sku = (request.query_params.get("sku") or "").strip()[:255]
    levels = [(shop, level) for shop in deps.shops for level in deps.store.levels_set(shop, sku)] if sku else []
    drift = [d for d in deps.store.open_drift() if not sku or d.sku == sku]
    summary = stock_summary(deps.store, deps.clock.now())
    explained, why_not = None, None
    if sku and deps.explain_sku is not None:
        try:
            explained = deps.explain_sku(sku)
        except TrueupError as error:  # Shopify or the ERP cannot answer now: the rest of the page still can
            why_not = f"Shopify or the ERP could not be asked now: {error}"
    reconciled = {shop: deps.store.cursor(shop, RECONCILED_AT) for shop in deps.shops}
    context = {"sku": sku, "levels": levels, "drift": drift[:500], "summary": summary, "reconciled": reconciled}
    return render(request, "stock.html", {**context, "explained": explained, "why_not": why_not})


async def activity_page(request: Request) -> Response:
    deps = _deps(request)
    report = activity(deps.store, deps.history, deps.clock.now())
    context = {
        "report": report,
        "received": charts.bars(report.received),
        "posted": charts.bars(report.posted),
        "api_points": charts.bars(report.api_points),
        "budget_used": charts.bars(report.api_budget_used_percent, ceiling=100),
        "throttled": charts.bars(report.throttled),
    }
    template = "activity_charts.html" if request.headers.get("hx-request") else "activity.html"
    return render(request, template, context)


async def audit_page(request: Request) -> Response:
    deps = _deps(request)
    user = request.state.user
    records = deps.people.records.audit_records(200, username=None if sees_audit(user.role) else user.username)
    return render(request, "audit.html", {"records": records, "everyone": sees_audit(user.role)})
