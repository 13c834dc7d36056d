"""What a person does from the console, each recorded in the audit: replay parked orders, accept a change
after the cut-off, release a held order; one at a time or all those a filter matches, previewed first.

What an action changes is queued work in the store (a sync per order), so a worker restarting mid-action
loses nothing: the jobs wait for the next worker, and a replay queued twice is one job (queueing lock)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from trueup.domain.errors import Cause
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.domain.people import Action, ConsoleUser, may
from trueup.service_layer.exceptions_view import ExceptionFilter, matching_exceptions
from trueup.service_layer.hold_window import release_entries
from trueup.service_layer.people import People
from trueup.service_layer.ports import Clock, Store
from trueup.service_layer.post_purchase import accept_entries
from trueup.service_layer.replay import replay_entries


class Bulk(StrEnum):
    REPLAY = "replay"
    ACCEPT = "accept"
    RELEASE = "release"


ACTION_OF = {Bulk.REPLAY: Action.REPLAY, Bulk.ACCEPT: Action.ACCEPT, Bulk.RELEASE: Action.RELEASE}
WHAT_HAPPENS = {
    Bulk.REPLAY: "each order is queued for a new sync: it posts if its cause is fixed, or is parked again",
    Bulk.ACCEPT: "the change after the cut-off is accepted as it stands; the order goes back to posted",
    Bulk.RELEASE: "the order leaves its hold window now and posts to the ERP",
}


class NotAllowed(Exception):
    """The user's role may not take this action (recorded)."""


@dataclass(frozen=True)
class Outcome:
    action: Bulk
    orders: list[str]  # the names acted on
    skipped: int  # selected but no longer in a state the action applies to


def candidates(store: Store, action: Bulk, chosen: ExceptionFilter) -> list[LedgerEntry]:
    """The orders `action` would act on under the filter: the preview."""
    if action == Bulk.RELEASE:
        held = store.ledger_entries(OrderState.HELD, shop=chosen.shop)
        return [e for e in held if ExceptionFilter(order=chosen.order).matches(e)]
    entries = matching_exceptions(store, chosen)
    if action == Bulk.ACCEPT:
        return [e for e in entries if e.cause == Cause.CHANGED_AFTER_CUT_OFF]
    return entries


def selected_entries(store: Store, keys: Sequence[tuple[str, str]]) -> list[LedgerEntry]:
    """The ledger entries of the (shop, order id) pairs a confirmed preview listed (unknown ones left out)."""
    found = (store.ledger_entry(shop, order_id) for shop, order_id in keys)
    return [entry for entry in found if entry is not None]


def act(
    store: Store,
    people: People,
    clock: Clock,
    user: ConsoleUser,
    action: Bulk,
    keys: Sequence[tuple[str, str]],
    detail: str = "",
    remote: str = "",
) -> Outcome:
    """Take `action` on the orders of `keys` (shop, order id) as `user`, and record it. NotAllowed (recorded)
    when the user's role may not."""
    if not may(user.role, ACTION_OF[action]):
        people.audit(
            user.username, Action.REFUSED, f"refused: a {user.role} may not {action}", detail=detail, remote=remote
        )
        raise NotAllowed(f"A {user.role} may not {action} orders.")
    entries = selected_entries(store, keys)
    if action == Bulk.REPLAY:
        names = replay_entries(store, entries)
    elif action == Bulk.ACCEPT:
        names = [entry.name for entry in accept_entries(store, entries)]
    else:
        names = [released.order for released in release_entries(store, clock, entries)]
    skipped = len(keys) - len(names)
    note = f"{detail}; {len(names)} of {len(keys)} selected" if detail else f"{len(names)} of {len(keys)} selected"
    people.audit(user.username, ACTION_OF[action], "done", orders=names, detail=note, remote=remote)
    return Outcome(action, names, skipped)
