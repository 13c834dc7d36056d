"""Finding orders by a customer's e-mail in the console: operators and admins only, the e-mail posted (never in
an address, a log or the audit), hashed with each shop's key and looked up in the store's e-mail index."""

from __future__ import annotations

from starlette.requests import Request

from trueup.domain.ledger import LedgerEntry
from trueup.domain.people import Action, sees_customers
from trueup.entrypoints.console.auth import remote_of
from trueup.entrypoints.console.deps import ConsoleDeps
from trueup.service_layer.order_timeline import find_orders_by_email


def _deps(request: Request) -> ConsoleDeps:
    return request.app.state.deps


def email_search_refused(request: Request) -> str | None:
    """Why this person may not search by customer e-mail (recorded, without the e-mail), or None."""
    deps, user = _deps(request), request.state.user
    if sees_customers(user.role) and deps.email_keys:
        return None
    why = (
        "The e-mail index is off." if sees_customers(user.role) else f"A {user.role} may not search by customer e-mail."
    )
    deps.people.audit(
        user.username, Action.REFUSED, "refused: search by customer e-mail", detail=why, remote=remote_of(request)
    )
    return why


def search_by_email(request: Request, email: str) -> list[LedgerEntry]:
    """The orders of the customer with this e-mail; the search is recorded with the orders found, not the e-mail."""
    deps, user = _deps(request), request.state.user
    found = find_orders_by_email(deps.store, deps.email_keys, email[:320])
    deps.people.audit(
        user.username,
        Action.EMAIL_SEARCH,
        f"{len(found)} order(s) found",
        orders=[entry.name for entry in found],
        remote=remote_of(request),
    )
    return found
