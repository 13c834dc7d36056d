"""The Store contract for privacy requests: the in-memory fake, SqlStore on SQLite and on PostgreSQL (the `store`
fixture of tests/contract/conftest.py)."""

from __future__ import annotations

from datetime import timedelta

from tests.contract.stores import Clock
from tests.support.deliveries import T0, make_delivery, make_entry
from trueup.domain.errors import Cause
from trueup.domain.ledger import OrderState
from trueup.service_layer.jobs import delivery_job
from trueup.service_layer.ports import EXPIRED_BODY, JobRequest, PrivacyReport, Store

SHOP, OTHER = "alpha.myshopify.com", "beta.myshopify.com"
EMAIL = "ada@example.com"


def test_a_shops_deliveries_read_back_with_their_bodies_oldest_first(store: Store) -> None:
    first = make_delivery(webhook_id="wh-1", body=b'{"id": 1, "email": "ada@example.com"}')
    second = make_delivery(webhook_id="wh-2", received_at=T0 + timedelta(seconds=1))
    elsewhere = make_delivery(webhook_id="wh-3", shop=OTHER)
    store.accept_deliveries([first, second, elsewhere], delivery_job)

    kept = store.stored_deliveries(SHOP)

    assert [(d.webhook_id, d.body) for d in kept] == [("wh-1", first.body), ("wh-2", second.body)]
    assert kept[0].order_id == first.order_id
    assert kept[0].topic == "orders/create"
    assert store.stored_delivery("wh-3") is not None
    assert store.stored_delivery("nope") is None


def test_replaced_bodies_keep_the_delivery_so_a_repeat_is_still_a_duplicate(store: Store) -> None:
    delivery = make_delivery(webhook_id="wh-1", body=b'{"email": "ada@example.com"}')
    store.accept_deliveries([delivery, make_delivery(webhook_id="wh-2")], delivery_job)

    assert store.replace_delivery_bodies(["wh-1", "missing"], b"{}") == 1

    assert store.stored_delivery("wh-1").body == b"{}"  # type: ignore[union-attr]
    assert store.stored_delivery("wh-2").body == b'{"id": 1}'  # type: ignore[union-attr]
    assert store.accept_deliveries([make_delivery(webhook_id="wh-1")], delivery_job) == [False]


def test_free_text_quoting_the_customer_is_redacted_in_their_shop_only(store: Store, clock: Clock) -> None:
    for shop in (SHOP, OTHER):
        entry = make_entry(shop=shop, order_number=7)
        store.save_ledger_entry(
            entry.moved_to(
                OrderState.EXCEPTION, T0, cause=Cause.TOTALS_MISMATCH, detail=f"buyer ADA@example.com {shop}"
            )
        )
    store.save_ledger_entry(
        make_entry(order_number=8).moved_to(OrderState.EXCEPTION, T0, cause=Cause.TOTALS_MISMATCH, detail="other")
    )
    store.enqueue(JobRequest("sync_order", f"{SHOP}|x", SHOP, {}, None))
    job = store.claim("w", clock.now, 60)
    assert job is not None
    store.retry_later(job, "w", clock.now, f"party {EMAIL} refused")

    assert sorted(store.free_text_about(SHOP, [EMAIL])) == [
        ("jobs", f"party {EMAIL} refused"),
        ("ledger", f"buyer ADA@example.com {SHOP}"),
    ]
    assert store.free_text_about(SHOP, []) == []

    counts = store.redact_free_text(SHOP, [EMAIL], "(redacted)")

    assert counts == {"ledger": 1, "jobs": 1}
    assert store.ledger_entry(SHOP, "gid://shopify/Order/7").detail == "(redacted)"  # type: ignore[union-attr]
    assert store.ledger_entry(SHOP, "gid://shopify/Order/8").detail == "other"  # type: ignore[union-attr]
    assert EMAIL in (store.ledger_entry(OTHER, "gid://shopify/Order/7").detail or "").lower()  # type: ignore[union-attr]
    assert store.redact_free_text(SHOP, [], "(redacted)") == {}
    assert store.free_text_about(SHOP, [EMAIL]) == []


def test_erasing_a_shop_leaves_other_shops_and_the_running_job(store: Store, clock: Clock) -> None:
    store.accept_deliveries([make_delivery(order_number=1), make_delivery(order_number=2, shop=OTHER)], delivery_job)
    store.save_ledger_entry(make_entry(order_number=1))
    store.save_ledger_entry(make_entry(order_number=1, shop=OTHER))
    store.set_cursor(SHOP, "orders", "2026-11-27T09:00:00Z")
    store.enqueue(JobRequest("honour_privacy_request", f"{SHOP}|privacy", SHOP, {"webhook_id": "x"}, T0 - timedelta(1)))
    running = store.claim("w", clock.now, 60)
    assert running is not None
    assert running.shop == SHOP

    erased = store.erase_shop(SHOP)

    assert (erased["deliveries"], erased["ledger"], erased["jobs"], erased["cursors"]) == (1, 1, 1, 1)
    assert store.stored_deliveries(SHOP) == []
    assert store.ledger_entry(SHOP, "gid://shopify/Order/1") is None
    assert store.cursor(SHOP, "orders") is None
    assert len(store.stored_deliveries(OTHER)) == 1
    assert store.ledger_entry(OTHER, "gid://shopify/Order/1")
    store.complete(running, "w")  # the running job ends as usual


def test_privacy_reports_read_back_newest_first_and_by_shop(store: Store) -> None:
    older = PrivacyReport("wh-1", SHOP, "customers/redact", "42", ["gid://shopify/Order/1"], T0, T0, {"deliveries": 2})
    newer = PrivacyReport("wh-2", OTHER, "shop/redact", None, [], T0, T0 + timedelta(minutes=1), {})
    store.save_privacy_report(older)
    store.save_privacy_report(newer)
    store.save_privacy_report(older)  # saving again replaces

    assert store.privacy_reports() == [newer, older]
    assert store.privacy_reports(SHOP) == [older]


def test_old_bodies_expire_but_the_delivery_and_privacy_requests_stay(store: Store) -> None:
    old = make_delivery(webhook_id="old", received_at=T0, body=b'{"email": "ada@example.com"}')
    request = make_delivery(webhook_id="req", topic="customers/data_request", order_number=None, received_at=T0)
    recent = make_delivery(webhook_id="recent", received_at=T0 + timedelta(days=8))
    store.accept_deliveries([old, request, recent], delivery_job)

    expired = store.expire_delivery_bodies(T0 + timedelta(days=7), keep_topics={"customers/data_request"})
    again = store.expire_delivery_bodies(T0 + timedelta(days=7), keep_topics={"customers/data_request"})

    assert (expired, again) == (1, 0)
    assert store.stored_delivery("old").body == EXPIRED_BODY  # type: ignore[union-attr]
    assert store.stored_delivery("req").body == request.body  # type: ignore[union-attr]
    assert store.stored_delivery("recent").body == recent.body  # type: ignore[union-attr]
    assert store.accept_deliveries([make_delivery(webhook_id="old")], delivery_job) == [False], "still a repeat"
