"""Shopify's privacy requests, end to end through intake's job and the worker's handler, on every store: a data
request exports what trueup holds, a customer redact leaves no copy of their e-mail, name or address in the
store, the console's audit and alert states included (on SQLite not even in the file's free pages), nor in
trueup's logs, and a shop redact erases the shop."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from tests.fakes.console_store import InMemoryConsoleStore
from tests.fakes.store import InMemoryStore
from tests.support.deliveries import T0, make_delivery, make_entry
from tests.support.postgres import MEMORY
from trueup.adapters.storage import SqlStore
from trueup.adapters.storage.console_store import SqlConsoleStore
from trueup.domain.alerts import AlertState
from trueup.domain.errors import Cause
from trueup.domain.ledger import OrderState
from trueup.domain.people import Action, AuditRecord
from trueup.service_layer.jobs import HonourPrivacyRequest, delivery_job, job_of
from trueup.service_layer.ports import ConsolePrivacy, Store
from trueup.service_layer.privacy import customer_export, honour

SHOP, OTHER_SHOP = "alpha.myshopify.com", "beta.myshopify.com"
ADA = {"email": "ada.lovelace@example.com", "name": "Augusta Ada King", "address": "12 St James's Square"}
GRACE_EMAIL = "grace.hopper@example.com"


def order_body(number: int, email: str, name: str, address: str, customer_id: int) -> bytes:
    first, _, last = name.partition(" ")
    return json.dumps(
        {
            "id": number,
            "admin_graphql_api_id": f"gid://shopify/Order/{number}",
            "email": email,
            "customer": {"id": customer_id, "email": email, "first_name": first, "last_name": last},
            "shipping_address": {"name": name, "address1": address, "city": "London"},
            "note": "",
        }
    ).encode()


def privacy_body(topic: str, orders: list[int], email: str = ADA["email"], customer_id: int = 42) -> bytes:
    key = "orders_requested" if topic == "customers/data_request" else "orders_to_redact"
    return json.dumps(
        {
            "shop_id": 1,
            "shop_domain": SHOP,
            "customer": {"id": customer_id, "email": email, "phone": "+44 20 7946 0000"},
            key: orders,
        }
    ).encode()


@pytest.fixture
def store(state_url: str) -> Iterator[Store]:
    if state_url == MEMORY:
        yield InMemoryStore(lambda: T0)
        return
    sql = SqlStore(state_url, lambda: T0)
    yield sql
    sql.close()


@pytest.fixture
def console(store: Store, state_url: str) -> Iterator[ConsolePrivacy]:
    """The console's records on the same database as `store` (the same object's data in memory)."""
    if isinstance(store, InMemoryStore):
        yield InMemoryConsoleStore(store)
        return
    records = SqlConsoleStore(state_url)
    yield records
    records.close()


class Now:
    def __call__(self):  # type: ignore[no-untyped-def]
        return T0 + timedelta(days=11)


def a_shop_with_two_customers(store: Store) -> None:
    deliveries = [
        make_delivery(webhook_id="ada-1", order_number=1, body=order_body(1, **ADA, customer_id=42)),
        make_delivery(
            webhook_id="ada-2", topic="orders/updated", order_number=1, body=order_body(1, **ADA, customer_id=42)
        ),
        # An order of Ada's not named in the request: found by her customer id and e-mail.
        make_delivery(webhook_id="ada-3", order_number=3, body=order_body(3, **ADA, customer_id=42)),
        make_delivery(
            webhook_id="grace-1",
            order_number=2,
            body=order_body(2, GRACE_EMAIL, "Grace Hopper", "1 Navy Yard", customer_id=43),
        ),
        make_delivery(
            # Another shop's customer 42 is another person: a shop's request never reaches another shop.
            webhook_id="other-shop",
            shop=OTHER_SHOP,
            order_number=9,
            body=order_body(9, GRACE_EMAIL, "Grace Hopper", "1 Navy Yard", customer_id=42),
        ),
    ]
    store.accept_deliveries(deliveries, delivery_job)
    entry = make_entry(order_number=1)
    store.save_ledger_entry(
        entry.moved_to(OrderState.EXCEPTION, T0, cause=Cause.TOTALS_MISMATCH, detail=f"party {ADA['email']} on hold")
    )
    store.save_ledger_entry(make_entry(order_number=2))


def people_looked_for_ada(console: Any) -> None:
    """What the console's people left behind about Ada: her e-mail typed as a sign-in name, her name and
    street typed as filters, and an alert quoting an ERP error that names her."""
    console.record(AuditRecord(T0, ADA["email"], Action.LOGIN_REFUSED, "refused: wrong name or password"))
    console.record(AuditRecord(T0, "olga", Action.REPLAY, "done", ["#1001"], f"filter order={ADA['name']}; 1 of 1"))
    console.record(AuditRecord(T0, "olga", Action.REFUSED, "refused", [], f"order={ADA['address']}"))
    console.record(AuditRecord(T0, "olga", Action.REPLAY, "done", ["#1002"], f"filter order={GRACE_EMAIL}; 1 of 1"))
    failing = f"1 job(s) failing for 20 min: party {ADA['name']} <{ADA['email']}> is blocked"
    console.save_alert_state(AlertState("erp_unreachable", SHOP, True, T0, None, failing))
    console.save_alert_state(AlertState("exception_cause", f"{SHOP}|totals_mismatch", True, T0, None, "1 parked"))


def deliver(store: Store, webhook_id: str, topic: str, body: bytes) -> HonourPrivacyRequest:
    delivery = make_delivery(webhook_id=webhook_id, topic=topic, order_number=None, body=body)
    job = delivery_job(delivery)
    assert job is not None
    assert job.kind == HonourPrivacyRequest.kind
    store.accept_deliveries([delivery], delivery_job)
    work = job_of(store.claim("w", T0 + timedelta(days=1), 60) or _no_job())
    while not isinstance(work, HonourPrivacyRequest):  # the orders' syncs queued before it
        work = job_of(store.claim("w", T0 + timedelta(days=1), 60) or _no_job())
    return work


def _no_job():  # type: ignore[no-untyped-def]
    raise AssertionError("the privacy request queued no job")


def everything_stored(store: Store, console: Any) -> str:
    """Every delivery body and header, every ledger detail and every job error trueup holds, and every audit
    record and alert state of the console, as text."""
    parts = [repr(console.audit_records(limit=1000)), repr(console.alert_states())]
    for shop in (SHOP, OTHER_SHOP):
        for d in store.stored_deliveries(shop):
            parts.append(d.body.decode("utf-8", "replace"))
        for state in OrderState:
            parts += [e.detail or "" for e in store.ledger_entries(state)]
    if isinstance(store, InMemoryStore):
        parts += [json.dumps(d.headers) for d in store.deliveries]
        parts += [j.last_error or "" for j in store.jobs]
    return "\n".join(parts)


def test_a_data_request_exports_what_trueup_holds_about_the_customer(store: Store, console: ConsolePrivacy) -> None:
    a_shop_with_two_customers(store)
    people_looked_for_ada(console)
    work = deliver(store, "dr-1", "customers/data_request", privacy_body("customers/data_request", [1]))

    report = honour(store, work.webhook_id, Now())

    assert report is not None
    assert (report.kind, report.customer_id, report.orders) == (
        "customers/data_request",
        "42",
        ["gid://shopify/Order/1"],
    )
    assert report.records == {"deliveries": 3, "orders": 1}
    export = customer_export(store, report, console)
    assert sorted(d["webhook_id"] for d in export["deliveries"]) == ["ada-1", "ada-2", "ada-3"]
    assert export["orders"][0]["name"] == "#1001"
    assert export["customer"]["email"] == ADA["email"]
    assert GRACE_EMAIL not in json.dumps(export)
    quoted = sorted((row["record"], row["text"]) for row in export["free_text"])
    assert quoted == [
        ("alert_states", f"1 job(s) failing for 20 min: party {ADA['name']} <{ADA['email']}> is blocked"),
        ("console_audit", ADA["email"]),
        ("console_audit", f"filter order={ADA['name']}; 1 of 1"),
        ("console_audit", f"order={ADA['address']}"),
        ("ledger", f"party {ADA['email']} on hold"),
    ]
    assert store.privacy_reports(SHOP) == [report]


def test_after_a_customer_redact_no_copy_of_their_details_remains(
    store: Store, console: ConsolePrivacy, state_url: str
) -> None:
    a_shop_with_two_customers(store)
    people_looked_for_ada(console)
    deliver(store, "dr-1", "customers/data_request", privacy_body("customers/data_request", [1]))
    work = deliver(store, "red-1", "customers/redact", privacy_body("customers/redact", [1]))
    assert ADA["email"] in everything_stored(store, console)

    with capture_logs() as logs:
        report = honour(store, work.webhook_id, Now(), console)

    assert report is not None
    # 3 orders' deliveries and the data request; 1 ledger detail; 3 audit records; 1 alert state
    assert report.records == {"deliveries": 4, "ledger": 1, "console_audit": 3, "alert_states": 1}
    held = everything_stored(store, console)
    for detail in ADA.values():
        assert detail.lower() not in held.lower(), detail
    assert GRACE_EMAIL in held, "another customer's data stays"
    audit = console.audit_records(limit=10)  # type: ignore[attr-defined]
    assert [(r.username, str(r.action), r.orders) for r in reversed(audit)] == [
        ("(redacted: customer data erased on request)", "login_refused", []),
        ("olga", "replay", ["#1001"]),
        ("olga", "refused", []),
        ("olga", "replay", ["#1002"]),
    ], "who did what, and to which orders, stays"
    assert store.stored_delivery("other-shop").body != b'{"redacted":true}'  # type: ignore[union-attr]
    assert not any(value in repr(logs) for value in ADA.values())
    assert store.accept_deliveries([make_delivery(webhook_id="ada-1")], delivery_job) == [False], "still a duplicate"
    if state_url.startswith("sqlite"):
        console.close()  # type: ignore[attr-defined]
        assert_not_in_sqlite_file(Path(state_url.removeprefix("sqlite:///")), store)


def assert_not_in_sqlite_file(path: Path, store: Store) -> None:
    store.close()  # type: ignore[attr-defined]
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for detail in ADA.values():
        assert detail.encode() not in raw, f"{detail} left in the SQLite file's free pages"
    assert GRACE_EMAIL.encode() in raw


def test_a_shop_redact_erases_the_shop_and_only_it(store: Store, console: ConsolePrivacy) -> None:
    a_shop_with_two_customers(store)
    people_looked_for_ada(console)
    console.record(AuditRecord(T0, "olga", Action.REPLAY, "done", ["#1001"], f"filter shop={SHOP}; 1 of 1"))  # type: ignore[attr-defined]
    console.save_alert_state(AlertState("silence", OTHER_SHOP, True, T0, None, "quiet"))  # type: ignore[attr-defined]
    work = deliver(store, "shop-1", "shop/redact", json.dumps({"shop_id": 1, "shop_domain": SHOP}).encode())

    report = honour(store, work.webhook_id, Now(), console)

    assert report is not None
    assert report.kind == "shop/redact"
    assert report.records["deliveries"] == 5
    assert report.records["ledger"] == 2
    assert store.stored_deliveries(SHOP) == []
    assert [d.webhook_id for d in store.stored_deliveries(OTHER_SHOP)] == ["other-shop"]
    assert store.privacy_reports(SHOP) == [report], "the proof it was done is kept"
    assert (report.records["alert_states"], report.records["console_audit"]) == (2, 1)
    assert [s.subject for s in console.alert_states()] == [OTHER_SHOP]  # type: ignore[attr-defined]
    assert SHOP not in repr(console.audit_records(limit=100))  # type: ignore[attr-defined]


def test_after_a_shop_redact_no_table_holds_a_row_of_the_shop(
    store: Store, console: ConsolePrivacy, state_url: str
) -> None:
    if isinstance(store, InMemoryStore):
        pytest.skip("reads every table of the SQL schema")
    from sqlalchemy import create_engine, func, select, true

    from tests.contract.test_store_payouts_contract import a_record
    from trueup.adapters.storage.tables import metadata, privacy_requests
    from trueup.adapters.storage.tokens_sql import SqlTokenVault
    from trueup.domain.completeness import Finding, FindingKind
    from trueup.domain.credentials import ShopToken

    a_shop_with_two_customers(store)
    people_looked_for_ada(console)
    store.save_payout_record(a_record(1, shop=SHOP, detail=f"order of {ADA['email']}"))  # type: ignore[attr-defined]
    store.save_payout_record(a_record(2, shop=OTHER_SHOP))  # type: ignore[attr-defined]
    vault = SqlTokenVault(state_url, "k" * 40)
    vault.save_token(SHOP, ShopToken("shpat_secret", T0 + timedelta(hours=1)), T0)
    vault.close()
    store.set_cursor(SHOP, "orders_polled_at", T0.isoformat())
    missing = Finding(FindingKind.CREDIT_NOTE_MISSING, SHOP, "#1001", "shopify:refund:5", "no posted credit note")
    store.replace_order_findings(SHOP, "#1001", [missing], T0)
    work = deliver(store, "shop-1", "shop/redact", json.dumps({"shop_id": 1, "shop_domain": SHOP}).encode())

    report = honour(store, work.webhook_id, Now(), console)

    assert report is not None
    assert {"payouts", "shop_tokens", "cursors", "alert_states", "completeness_findings"} <= set(report.records)
    engine = create_engine(state_url)
    with engine.connect() as connection:
        # Jobs running now (the request's own, and those this test claimed and left running) end themselves.
        left = {
            table.name: connection.execute(
                select(func.count()).where(
                    table.c.shop == SHOP, table.c.state != "doing" if table.name == "jobs" else true()
                )
            ).scalar_one()
            for table in metadata.sorted_tables
            if "shop" in table.c and table is not privacy_requests
        }
        alerts = connection.execute(select(metadata.tables["alert_states"].c.subject)).scalars().all()
        other_payouts = connection.execute(
            select(func.count()).where(metadata.tables["payouts"].c.shop == OTHER_SHOP)
        ).scalar_one()
    engine.dispose()
    assert {name: n for name, n in left.items() if n} == {}
    assert not any(SHOP in subject for subject in alerts)
    assert other_payouts == 1, "another shop's rows stay"
