"""The console's JSON API: everything the pages show, behind the same sign-in (and CSRF on actions)."""

from __future__ import annotations

import dataclasses
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from trueup.domain.email_index import looks_like_email
from trueup.domain.errors import BadInput
from trueup.domain.people import Action, sees_audit, sees_customers
from trueup.entrypoints.console.deps import ConsoleDeps
from trueup.entrypoints.console.email_search import email_search_refused, search_by_email
from trueup.entrypoints.console.forms import bulk_action, exception_filter, order_keys
from trueup.service_layer.activity import activity
from trueup.service_layer.console_actions import NotAllowed, act, candidates
from trueup.service_layer.exceptions_view import exceptions_report
from trueup.service_layer.inventory_status import stock_summary
from trueup.service_layer.order_timeline import find_orders, order_timeline
from trueup.service_layer.overview import overview


def _deps(request: Request) -> ConsoleDeps:
    return request.app.state.deps


def _bad(error: Exception, status: int = 400) -> Response:
    return JSONResponse({"error": str(error)}, status_code=status)


def _order_row(entry: Any) -> dict[str, Any]:
    return {
        "shop": entry.shop,
        "order_id": entry.order_id,
        "name": entry.name,
        "state": str(entry.state),
        "cause": str(entry.cause) if entry.cause else None,
        "since": entry.state_since.isoformat(),
    }


async def api_overview(request: Request) -> Response:
    deps = _deps(request)
    return JSONResponse(overview(deps.store, deps.history, deps.shops, deps.clock.now(), deps.sources).to_json())


async def api_exceptions(request: Request) -> Response:
    deps = _deps(request)
    try:
        chosen = exception_filter(request.query_params)
    except BadInput as error:
        return _bad(error)
    return JSONResponse(
        exceptions_report(deps.history, chosen, deps.clock.now(), details=sees_customers(request.state.user.role))
    )


async def api_orders(request: Request) -> Response:
    text = (request.query_params.get("q") or "").strip()[:255]
    if looks_like_email(text):  # never looked up from an address (it would sit in logs): POST it instead
        return _bad(BadInput('search by e-mail with POST /api/orders/by-email {"email": ...}'))
    return JSONResponse({"orders": [_order_row(e) for e in find_orders(_deps(request).history, text)] if text else []})


async def api_orders_by_email(request: Request) -> Response:
    """POST {"email": ...}: the customer's orders (operators and admins; the e-mail stays out of addresses)."""
    refused = email_search_refused(request)
    if refused is not None:
        return _bad(BadInput(refused), 403)
    try:
        email = str(dict(await request.json()).get("email") or "")
    except (ValueError, TypeError) as error:
        return _bad(BadInput(f"expected a JSON object with an email: {type(error).__name__}"))
    return JSONResponse({"orders": [_order_row(e) for e in search_by_email(request, email)]})


async def api_order(request: Request) -> Response:
    deps = _deps(request)
    entry = deps.store.ledger_entry(request.query_params.get("shop", ""), request.query_params.get("id", ""))
    if entry is None:
        return _bad(BadInput("no such order in trueup's ledger"), 404)
    return JSONResponse(order_timeline(deps.store, deps.history, entry, request.state.user.role))


async def api_stock(request: Request) -> Response:
    deps = _deps(request)
    sku = (request.query_params.get("sku") or "").strip()[:255]
    levels = [
        {
            "shop": shop,
            "sku": level.sku,
            "location_id": level.location_id,
            "quantity": level.quantity,
            "set_at": level.set_at.isoformat(),
        }
        for shop in deps.shops
        for level in (deps.store.levels_set(shop, sku) if sku else [])
    ]
    return JSONResponse({"summary": stock_summary(deps.store, deps.clock.now()), "levels": levels})


async def api_activity(request: Request) -> Response:
    deps = _deps(request)
    return JSONResponse(activity(deps.store, deps.history, deps.clock.now()).to_json())


async def api_audit(request: Request) -> Response:
    deps = _deps(request)
    user = request.state.user
    records = deps.people.records.audit_records(200, username=None if sees_audit(user.role) else user.username)
    return JSONResponse(
        {"records": [{**dataclasses.asdict(r), "at": r.at.isoformat(), "action": str(r.action)} for r in records]}
    )


async def api_preview(request: Request) -> Response:
    deps = _deps(request)
    try:
        body = await request.json()
        params = {key: str(value) for key, value in dict(body).items() if value is not None}
        action, chosen = bulk_action(params.get("action")), exception_filter(params)
    except (BadInput, ValueError, TypeError) as error:
        return _bad(error)
    entries = candidates(deps.store, action, chosen)
    return JSONResponse(
        {"action": str(action), "filter": chosen.describe(), "orders": [_order_row(e) for e in entries]}
    )


async def api_act(request: Request) -> Response:
    deps = _deps(request)
    try:
        body = dict(await request.json())
        action = bulk_action(body.get("action"))
        keys = order_keys([f"{k.get('shop')}|{k.get('order_id')}" for k in body.get("orders", [])])
    except (BadInput, ValueError, TypeError, AttributeError) as error:  # refused, and recorded
        remote = request.client.host if request.client else ""
        deps.people.audit(request.state.user.username, Action.REFUSED, f"refused: {error}"[:255], remote=remote)
        return _bad(error)
    try:
        outcome = act(
            deps.store,
            deps.people,
            deps.clock,
            request.state.user,
            action,
            keys,
            detail="api",
            remote=request.client.host if request.client else "",
        )
    except NotAllowed as refusal:
        return _bad(refusal, 403)
    return JSONResponse({"action": str(outcome.action), "orders": outcome.orders, "skipped": outcome.skipped})
