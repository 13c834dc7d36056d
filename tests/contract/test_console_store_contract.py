"""One set of assertions for the console's records and history: the in-memory fake, SqlConsoleStore on SQLite
and on PostgreSQL (each beside the Store of the same database)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests.contract.stores import Clock
from tests.fakes.console_store import InMemoryConsoleStore
from tests.fakes.store import InMemoryStore
from tests.support.deliveries import T0, make_delivery, make_entry, order_gid
from tests.support.postgres import MEMORY
from trueup.adapters.storage import SqlStore
from trueup.adapters.storage.console_store import SqlConsoleStore
from trueup.domain.errors import Cause
from trueup.domain.ledger import OrderState
from trueup.domain.people import Action, AuditRecord, ConsoleSession, ConsoleUser, Role
from trueup.service_layer.jobs import SyncOrder, delivery_job, order_key

SHOP = "alpha.myshopify.com"


@pytest.fixture
def both(state_url: str) -> Iterator[tuple[Any, Any]]:
    """(store, console records) on one database, of each kind in turn (tests/support/postgres.py)."""
    clock = Clock()
    if state_url == MEMORY:
        store = InMemoryStore(clock)
        yield store, InMemoryConsoleStore(store)
        return
    sql_store, records = SqlStore(state_url, clock), SqlConsoleStore(state_url)
    yield sql_store, records
    records.close()
    sql_store.close()


def test_a_user_is_saved_replaced_and_listed_by_name(both: tuple[Any, Any]) -> None:
    _, records = both
    records.save_user(ConsoleUser("zoe", Role.VIEWER, "h1", T0))
    records.save_user(ConsoleUser("ann", Role.ADMIN, "h2", T0))
    records.save_user(ConsoleUser("zoe", Role.OPERATOR, "h3", T0 + timedelta(days=1), disabled=True))

    assert [u.username for u in records.console_users()] == ["ann", "zoe"]
    zoe = records.console_user("zoe")
    assert (zoe.role, zoe.password_hash, zoe.disabled, zoe.created_at) == (Role.OPERATOR, "h3", True, T0)
    assert records.console_user("nobody") is None


def test_sessions_are_found_by_hash_touched_and_ended_one_or_all_of_a_user(both: tuple[Any, Any]) -> None:
    _, records = both
    for n in (1, 2):
        records.save_session(ConsoleSession(f"hash{n}", "ann", f"csrf{n}", T0, T0 + timedelta(hours=12), T0))
    records.save_session(ConsoleSession("hash3", "bob", "csrf3", T0, T0 + timedelta(hours=12), T0))
    later = T0 + timedelta(minutes=5)
    records.save_session(ConsoleSession("hash1", "ann", "csrf1", T0, T0 + timedelta(hours=12), later))

    assert records.console_session("hash1").last_seen_at == later
    assert records.console_session("hash1").csrf_token == "csrf1"
    assert records.end_sessions(token_hash="hash1") == 1
    assert records.console_session("hash1") is None
    assert records.end_sessions(username="ann") == 1
    assert records.console_session("hash3") is not None


def test_the_audit_keeps_who_what_when_which_orders_newest_first_and_counts(both: tuple[Any, Any]) -> None:
    _, records = both
    records.record(AuditRecord(T0, "ann", Action.LOGIN_REFUSED, "refused: wrong", remote="10.0.0.1"))
    records.record(AuditRecord(T0 + timedelta(minutes=1), "ann", Action.REPLAY, "done", ["#1001", "#1002"], "x"))
    records.record(AuditRecord(T0 + timedelta(minutes=2), "bob", Action.LOGIN_REFUSED, "refused", remote="10.0.0.1"))

    latest = records.audit_records(limit=2)
    assert [(r.username, r.action) for r in latest] == [("bob", Action.LOGIN_REFUSED), ("ann", Action.REPLAY)]
    assert latest[1].orders == ["#1001", "#1002"]
    assert latest[1].at == T0 + timedelta(minutes=1)
    assert [r.action for r in records.audit_records(username="ann")] == [Action.REPLAY, Action.LOGIN_REFUSED]
    assert records.count_audit("login_refused", T0) == 2
    assert records.count_audit("login_refused", T0, username="ann") == 1
    assert records.count_audit("login_refused", T0, remote="10.0.0.1") == 2
    assert records.count_audit("login_refused", T0 + timedelta(seconds=1)) == 1


def test_an_orders_deliveries_and_jobs_are_its_own_in_order(both: tuple[Any, Any]) -> None:
    store, records = both
    store.accept_deliveries([make_delivery(order_number=7, topic="orders/create", received_at=T0)], delivery_job)
    store.accept_deliveries(
        [
            make_delivery(
                order_number=7, topic="orders/updated", received_at=T0 + timedelta(seconds=5), body=b'{"v": 2}'
            )
        ],
        delivery_job,
    )
    store.accept_deliveries([make_delivery(order_number=8)], delivery_job)

    seen = records.order_deliveries(SHOP, order_gid(7))
    assert [d.topic for d in seen] == ["orders/create", "orders/updated"]
    assert records.latest_order_body(SHOP, order_gid(7)) == b'{"v": 2}'
    assert records.latest_order_body(SHOP, order_gid(9)) is None
    jobs = records.key_jobs(order_key(SHOP, order_gid(7)))
    assert [(j.kind, j.state) for j in jobs] == [(SyncOrder.kind, "todo")]


def test_orders_are_found_by_name_id_and_a_parked_sku(both: tuple[Any, Any]) -> None:
    store, records = both
    store.save_ledger_entry(make_entry(order_number=1042, name="#1042"))
    parked = make_entry(
        order_number=7,
        name="#1007",
        state=OrderState.EXCEPTION,
        cause=Cause.SKU_NOT_IN_ITEM_MASTER,
        needs={"skus": ["CAP[/]"]},
    )
    store.save_ledger_entry(parked)

    assert [e.name for e in records.find_entries("#1042")] == ["#1042"]
    assert [e.name for e in records.find_entries("1042")] == ["#1042"]
    assert [e.name for e in records.find_entries(order_gid(7))] == ["#1007"]
    assert [e.name for e in records.find_entries("7")] == ["#1007"]
    assert records.find_entries("#7") == []  # a name, never an id
    assert [e.name for e in records.find_entries("CAP[/]")] == ["#1007"]
    assert records.find_entries("CAP") == []
    assert records.find_entries("  ") == []


def test_activity_counts_per_minute_and_posting_delays(both: tuple[Any, Any]) -> None:
    store, records = both
    for seconds in (0, 10, 70):
        store.accept_deliveries(
            [make_delivery(order_number=None, received_at=T0 + timedelta(seconds=seconds))], delivery_job
        )
    store.save_ledger_entry(make_entry(order_number=1, state=OrderState.RECEIVED, at=T0))
    store.save_ledger_entry(
        make_entry(order_number=1, state=OrderState.RECEIVED, at=T0).moved_to(
            OrderState.POSTED, T0 + timedelta(seconds=90)
        )
    )
    store.save_ledger_entry(make_entry(order_number=2, state=OrderState.POSTED, at=T0 + timedelta(seconds=30)))

    assert records.received_per_minute(T0) == {T0: 2, T0 + timedelta(minutes=1): 1}
    assert records.received_per_minute(T0, shop="beta.myshopify.com") == {}
    assert records.posted_per_minute(T0) == {T0: 1, T0 + timedelta(minutes=1): 1}
    assert sorted(records.posting_delays(T0)) == [0.0, 90.0]
    assert records.last_received_by_shop([SHOP, "beta.myshopify.com"]) == {SHOP: T0 + timedelta(seconds=70)}


def test_alert_states_are_kept_per_rule_and_subject_and_replaced(both: tuple[Any, Any]) -> None:
    from trueup.domain.alerts import AlertState

    _, records = both
    records.save_alert_state(AlertState("silence", SHOP, True, T0, None, "quiet"))
    records.save_alert_state(AlertState("exception_cause", f"{SHOP}|unmapped_tax", True, T0, None, "1 parked"))
    records.save_alert_state(AlertState("silence", SHOP, False, T0 + timedelta(minutes=5), T0, "back"))

    states = records.alert_states()
    assert [(s.rule, s.subject) for s in states] == [("exception_cause", f"{SHOP}|unmapped_tax"), ("silence", SHOP)]
    assert (states[1].firing, states[1].notified_at, states[1].detail, states[1].pending) == (False, T0, "back", True)


def test_failing_jobs_are_those_waiting_after_a_failed_run(both: tuple[Any, Any]) -> None:
    from trueup.service_layer.ports import JobRequest

    store, records = both
    store.enqueue(JobRequest("sync_order", "k1", SHOP))
    store.enqueue(JobRequest("sync_order", "k2", SHOP))
    job = store.claim("w1", T0, 30.0)
    store.retry_later(job, "w1", T0 + timedelta(minutes=1), "TransientError: Tryton did not answer in time")

    failing = records.failing_jobs()
    assert [(j.shop, j.attempts, j.last_error) for j in failing] == [
        (SHOP, 1, "TransientError: Tryton did not answer in time")
    ]


def test_parked_orders_are_grouped_by_cause_and_filtered_in_the_store(both: tuple[Any, Any]) -> None:
    store, records = both
    for n, (cause, sku) in enumerate(
        [
            (Cause.UNMAPPED_TAX, "A"),
            (Cause.SKU_NOT_IN_ITEM_MASTER, "CAP[/]"),
            (Cause.SKU_NOT_IN_ITEM_MASTER, "TEE"),
            (Cause.SKU_NOT_IN_ITEM_MASTER, "CAP[/]"),
        ],
        start=1,
    ):
        store.save_ledger_entry(
            make_entry(
                order_number=n,
                state=OrderState.EXCEPTION,
                at=T0 + timedelta(minutes=n),
                cause=cause,
                detail=f"d{n}",
                needs={"skus": [sku]},
            )
        )
    store.save_ledger_entry(make_entry(order_number=9, state=OrderState.POSTED))

    groups = records.parked_groups(examples=2)
    assert [(g.cause, g.count, g.oldest) for g in groups] == [
        (Cause.SKU_NOT_IN_ITEM_MASTER, 3, T0 + timedelta(minutes=2)),
        (Cause.UNMAPPED_TAX, 1, T0 + timedelta(minutes=1)),
    ]
    assert [e.name for e in groups[0].examples] == ["#1002", "#1003"]
    assert [(g.cause, g.count) for g in records.parked_groups(sku="CAP[/]")] == [(Cause.SKU_NOT_IN_ITEM_MASTER, 2)]
    assert [g.count for g in records.parked_groups(since=T0 + timedelta(minutes=3))] == [2]
    assert [g.count for g in records.parked_groups(cause=Cause.UNMAPPED_TAX)] == [1]
    assert [e.name for g in records.parked_groups(order="1003") for e in g.examples] == ["#1003"]
    assert [e.name for g in records.parked_groups(order=order_gid(4)) for e in g.examples] == ["#1004"]
    assert records.parked_groups(shop="beta.myshopify.com") == []
    assert records.parked_groups(sku="CAP") == []


def test_fulfilment_counts_by_state_per_shop(both: tuple[Any, Any]) -> None:
    from trueup.domain.fulfilment import FulfilmentRecord, FulfilmentState, Shipment

    store, records = both
    for n, state in enumerate([FulfilmentState.FULFILLED, FulfilmentState.FULFILLED, FulfilmentState.FAILED]):
        shipment = Shipment(f"ship-{n}", f"shopify:{SHOP}:{n}", ())
        store.save_fulfilment_record(FulfilmentRecord(SHOP, shipment, order_gid(n), state, T0))

    assert records.fulfilment_counts(SHOP) == {FulfilmentState.FULFILLED: 2, FulfilmentState.FAILED: 1}
    assert records.fulfilment_counts("beta.myshopify.com") == {}


def test_a_customer_redact_replaces_the_audit_text_and_the_shops_alert_details_quoting_them(
    both: tuple[Any, Any],
) -> None:
    from trueup.domain.alerts import AlertState

    _, records = both
    email, other = "ada.lovelace@example.com", "beta.myshopify.com"
    records.record(AuditRecord(T0, "ADA.Lovelace@example.com", Action.LOGIN_REFUSED, "refused: wrong name"))
    records.record(AuditRecord(T0, "olga", Action.REPLAY, "done", ["#1001"], f"filter order={email}; 1 of 1"))
    records.record(AuditRecord(T0, "olga", Action.REPLAY, "done", ["#1002"], "filter sku=CAP_%; 1 of 1"))
    failing = f"1 job(s) failing for 20 min: party {email} on hold"
    records.save_alert_state(AlertState("erp_unreachable", SHOP, True, T0, None, failing))
    records.save_alert_state(AlertState("findings", f"{SHOP}|payouts", True, T0, None, f"e.g. {email}"))
    records.save_alert_state(AlertState("erp_unreachable", other, True, T0, None, failing))

    assert sorted(records.console_text_about(SHOP, [email])) == [
        ("alert_states", failing),
        ("alert_states", f"e.g. {email}"),
        ("console_audit", "ADA.Lovelace@example.com"),
        ("console_audit", f"filter order={email}; 1 of 1"),
    ]

    counts = records.redact_console_text(SHOP, [email, "+44 20 7946 0000"], "(redacted)")

    assert counts == {"console_audit": 2, "alert_states": 2}
    audit = {r.orders[0] if r.orders else r.username: r for r in records.audit_records()}
    assert set(audit) == {"(redacted)", "#1001", "#1002"}
    assert (audit["(redacted)"].outcome, audit["(redacted)"].action) == ("refused: wrong name", Action.LOGIN_REFUSED)
    assert (audit["#1001"].username, audit["#1001"].detail) == ("olga", "(redacted)")
    assert audit["#1002"].detail == "filter sku=CAP_%; 1 of 1"
    details = {(s.subject, s.detail) for s in records.alert_states()}
    assert details == {(SHOP, "(redacted)"), (f"{SHOP}|payouts", "(redacted)"), (other, failing)}
    assert records.redact_console_text(SHOP, ["cap%1"], "(redacted)") == {}, "a needle is text, never a pattern"
    assert records.redact_console_text(SHOP, [], "(redacted)") == {}
    assert records.console_text_about(SHOP, [email]) == []


def test_a_shop_redact_erases_the_shops_alert_states_and_redacts_the_audit_naming_it(both: tuple[Any, Any]) -> None:
    from trueup.domain.alerts import AlertState

    _, records = both
    other = "alphabet.myshopify.com"
    records.record(AuditRecord(T0, "olga", Action.REPLAY, "done", ["#1001"], f"filter shop={SHOP}; 1 of 1"))
    records.record(AuditRecord(T0, "olga", Action.REPLAY, "done", ["#1002"], f"filter shop={other}; 1 of 1"))
    for subject in (SHOP, f"{SHOP}|unmapped_tax", other, f"{other}|unmapped_tax", "all"):
        records.save_alert_state(AlertState("silence", subject, True, T0, None, "quiet"))

    counts = records.erase_console_shop(SHOP, "(redacted)")

    assert counts == {"console_audit": 1, "alert_states": 2}
    assert sorted(s.subject for s in records.alert_states()) == ["all", other, f"{other}|unmapped_tax"]
    assert sorted(r.detail for r in records.audit_records()) == ["(redacted)", f"filter shop={other}; 1 of 1"]
