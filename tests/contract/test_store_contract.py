"""One set of assertions for every Store: the in-memory fake, SqlStore on SQLite, SqlStore on PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from decimal import Decimal

from tests.contract.stores import Clock
from tests.support.deliveries import T0, make_delivery, make_entry, order_gid
from trueup.domain.errors import Cause
from trueup.domain.ledger import OrderState
from trueup.domain.money import Money
from trueup.domain.refunds import RefundRecord, RefundState
from trueup.service_layer.jobs import delivery_job
from trueup.service_layer.ports import IncomingDelivery, Job, JobRequest, Store

SHOP = "alpha.myshopify.com"
LEASE = 30.0


def job_for(order: int, kind: str = "sync_order", run_at: datetime | None = None) -> JobRequest:
    return JobRequest(kind=kind, key=f"{SHOP}|{order_gid(order)}", shop=SHOP, payload={"n": order}, run_at=run_at)


def claim_now(store: Store, worker: str = "w1", at: datetime = T0) -> Job | None:
    return store.claim(worker, at, LEASE)


def claimed(store: Store, worker: str = "w1", at: datetime = T0) -> Job:
    job = store.claim(worker, at, LEASE)
    assert job is not None, "a job should have been runnable"
    return job


# --- intake ---------------------------------------------------------------------------------------
def test_a_new_delivery_is_stored_and_a_repeated_webhook_id_is_a_duplicate(store: Store) -> None:
    first = make_delivery(webhook_id="wh-a")
    again = make_delivery(webhook_id="wh-a")

    assert store.accept_deliveries([first], delivery_job) == [True]
    assert store.accept_deliveries([again], delivery_job) == [False]
    stats = store.intake_stats()
    assert (stats.deliveries, stats.duplicates) == (1, 1)


def test_the_same_event_under_a_new_webhook_id_is_a_duplicate_only_for_its_topic_and_shop(store: Store) -> None:
    batch = [
        make_delivery(event_id="ev-1", topic="orders/create"),
        make_delivery(event_id="ev-1", topic="orders/create"),
        make_delivery(event_id="ev-1", topic="orders/updated"),
        make_delivery(event_id="ev-1", topic="orders/create", shop="beta.myshopify.com"),
    ]

    assert store.accept_deliveries(batch, delivery_job) == [True, False, True, True]


def test_a_delivery_about_an_order_queues_one_sync_of_that_order(store: Store) -> None:
    store.accept_deliveries([make_delivery(order_number=7), make_delivery(order_number=7)], delivery_job)

    job = claimed(store)
    assert (job.kind, job.key, job.shop) == ("sync_order", f"{SHOP}|{order_gid(7)}", SHOP)
    assert job.payload["order_id"] == order_gid(7)
    assert store.pending_jobs() == 0, "the second delivery found a sync already waiting"


def test_a_delivery_about_no_order_queues_nothing(store: Store) -> None:
    store.accept_deliveries([make_delivery(topic="app/uninstalled", order_number=None)], delivery_job)

    assert store.pending_jobs() == 0
    assert store.intake_stats().deliveries == 1


def test_a_delivery_queues_the_job_the_caller_says_it_calls_for_and_nothing_else(store: Store) -> None:
    asked: list[str] = []

    def only_the_first(delivery: IncomingDelivery) -> JobRequest | None:
        asked.append(delivery.webhook_id)
        return job_for(1) if delivery.webhook_id == "wh-1" else None

    accepted = store.accept_deliveries(
        [make_delivery(webhook_id="wh-1"), make_delivery(webhook_id="wh-2"), make_delivery(webhook_id="wh-1")],
        only_the_first,
    )

    assert accepted == [True, True, False]
    assert sorted(asked) == ["wh-1", "wh-2"]  # a duplicate calls for nothing
    job = claimed(store)
    assert (job.kind, job.key, job.payload) == (job_for(1).kind, job_for(1).key, job_for(1).payload)
    assert store.pending_jobs() == 0


def test_unknown_topics_problems_and_last_arrival_are_reported(store: Store) -> None:
    later = T0 + timedelta(minutes=5)
    store.accept_deliveries(
        [
            make_delivery(topic="carts/create", known_topic=False, order_number=None),
            make_delivery(topic="carts/create", known_topic=False, order_number=None, received_at=later),
            make_delivery(problem="body_not_json", order_number=None, body=b"{nope"),
        ],
        delivery_job,
    )

    stats = store.intake_stats()
    assert stats.unknown_topics == {"carts/create": 2}
    assert stats.problems == {"body_not_json": 1}
    assert stats.last_received_at == later


def test_deliveries_kept_but_not_understood_are_counted_per_shop_and_over_every_shop(store: Store) -> None:
    other = "beta.myshopify.com"
    store.accept_deliveries(
        [
            make_delivery(topic="carts/create", known_topic=False, order_number=None),
            make_delivery(problem="body_not_json", order_number=None, body=b"{nope"),
            make_delivery(problem="body_not_json", order_number=None, body=b"{nope"),
            make_delivery(shop=other, problem="order_not_found_in_body", order_number=None),
            make_delivery(shop=other, order_number=1),  # understood: not counted
        ],
        delivery_job,
    )

    mine, theirs, every = store.not_understood(SHOP), store.not_understood(other), store.not_understood()

    assert (mine.problems, mine.unknown_topics) == ({"body_not_json": 2}, {"carts/create": 1})
    assert (theirs.problems, theirs.unknown_topics) == ({"order_not_found_in_body": 1}, {})
    assert every.problems == {"body_not_json": 2, "order_not_found_in_body": 1}
    assert every.unknown_topics == {"carts/create": 1}
    assert (store.not_understood("nobody.myshopify.com").problems, store.intake_stats(SHOP).problems) == (
        {},
        {"body_not_json": 2},
    )


def test_intake_stats_are_kept_per_shop_and_over_every_shop(store: Store) -> None:
    other = "beta.myshopify.com"
    later = T0 + timedelta(minutes=5)
    alpha = make_delivery(webhook_id="a1", order_number=1)
    beta = make_delivery(shop=other, webhook_id="b1", order_number=1, received_at=later)
    store.accept_deliveries(
        [alpha, make_delivery(topic="x[/nope]", known_topic=False, order_number=None)], delivery_job
    )
    store.accept_deliveries([beta, dataclasses.replace(beta), dataclasses.replace(beta)], delivery_job)

    mine, theirs, every = store.intake_stats(SHOP), store.intake_stats(other), store.intake_stats()

    assert (mine.deliveries, mine.duplicates, mine.unknown_topics, mine.last_received_at) == (
        2,
        0,
        {"x[/nope]": 1},
        T0,
    )
    assert (theirs.deliveries, theirs.duplicates, theirs.unknown_topics, theirs.last_received_at) == (1, 2, {}, later)
    assert (every.deliveries, every.duplicates, every.last_received_at) == (3, 2, later)
    assert (store.pending_jobs(SHOP), store.pending_jobs(other), store.pending_jobs()) == (1, 1, 2)


def test_intake_stats_of_an_empty_store(store: Store) -> None:
    stats = store.intake_stats()
    assert (stats.deliveries, stats.duplicates, stats.unknown_topics, stats.last_received_at) == (0, 0, {}, None)
    assert stats.refused == {}


def test_refused_requests_are_counted_by_reason_and_add_up(store: Store) -> None:
    store.count_refused({"bad_signature": 3, "too_old": 1})
    store.count_refused({"bad_signature": 2, "body_too_large": 1})

    assert store.intake_stats().refused == {"bad_signature": 5, "too_old": 1, "body_too_large": 1}
    assert store.intake_stats().duplicates == 0, "refusals are not duplicates"


# --- queue: locks -----------------------------------------------------------------------------------
def test_only_one_job_waits_per_key_and_kind(store: Store) -> None:
    assert store.enqueue(job_for(1)) is True
    assert store.enqueue(job_for(1)) is False
    assert store.enqueue(job_for(1, kind="refund")) is True
    assert store.pending_jobs() == 2


def test_a_job_may_be_queued_again_once_the_waiting_one_is_running(store: Store) -> None:
    store.enqueue(job_for(1))
    claim_now(store)

    assert store.enqueue(job_for(1)) is True


def test_jobs_are_claimed_oldest_first(store: Store) -> None:
    for order in (3, 1, 2):
        store.enqueue(job_for(order))

    jobs = [claimed(store, f"w{i}") for i in range(3)]
    assert [job.payload["n"] for job in jobs] == [3, 1, 2]


def test_a_job_scheduled_later_is_not_claimed_before_its_time(store: Store) -> None:
    store.enqueue(job_for(1, run_at=T0 + timedelta(minutes=1)))

    assert claim_now(store) is None
    assert claim_now(store, at=T0 + timedelta(minutes=1)) is not None


def test_a_later_job_of_a_key_waits_while_an_earlier_one_runs(store: Store) -> None:
    store.enqueue(job_for(1))
    store.enqueue(job_for(1, kind="refund"))
    store.enqueue(job_for(2))

    first = claimed(store, "w1")
    second = claimed(store, "w2")

    assert first.kind == "sync_order"
    assert second.key == f"{SHOP}|{order_gid(2)}", "order 1's refund must wait"
    assert claim_now(store, "w3") is None
    store.complete(first, "w1")
    assert claimed(store, "w3").kind == "refund"


def test_a_later_job_of_a_key_waits_behind_an_earlier_one_scheduled_later(store: Store) -> None:
    store.enqueue(job_for(1, run_at=T0 + timedelta(minutes=5)))
    store.enqueue(job_for(1, kind="refund"))

    assert claim_now(store) is None


def test_claimed_jobs_count_as_running(store: Store) -> None:
    store.enqueue(job_for(1))
    store.enqueue(job_for(2))
    claim_now(store)

    assert (store.pending_jobs(), store.running_jobs()) == (1, 1)


# --- queue: leases, completion, retries ----------------------------------------------------------------
def test_a_job_whose_lease_expired_is_claimed_again_with_one_more_attempt(store: Store) -> None:
    store.enqueue(job_for(1))
    first = claimed(store, "dead")

    assert claim_now(store, "w2", at=T0 + timedelta(seconds=LEASE - 1)) is None
    again = claimed(store, "w2", at=T0 + timedelta(seconds=LEASE))
    assert again.id == first.id
    assert (first.attempts, again.attempts) == (0, 1), "attempts: runs started before this one"


def test_a_worker_whose_lease_was_taken_over_cannot_complete_the_job(store: Store) -> None:
    store.enqueue(job_for(1))
    job = claimed(store, "slow")
    claim_now(store, "w2", at=T0 + timedelta(seconds=LEASE))

    store.complete(job, "slow")

    assert store.running_jobs() == 1, "the new owner still holds it"
    store.complete(job, "w2")
    assert store.running_jobs() == 0


def test_a_renewed_lease_keeps_the_job_from_other_workers_until_the_renewal_runs_out(store: Store) -> None:
    store.enqueue(job_for(1))
    job = claimed(store, "busy")
    renewed_at = T0 + timedelta(seconds=LEASE - 1)

    assert store.renew_lease(job, "busy", renewed_at, LEASE)

    assert claim_now(store, "w2", at=T0 + timedelta(seconds=LEASE + 5)) is None
    assert claim_now(store, "w2", at=renewed_at + timedelta(seconds=LEASE - 1)) is None
    taken = claimed(store, "w2", at=renewed_at + timedelta(seconds=LEASE))
    assert taken.id == job.id


def test_a_lease_taken_over_cannot_be_renewed_nor_completed_by_its_old_holder(store: Store) -> None:
    store.enqueue(job_for(1))
    job = claimed(store, "stalled")
    claim_now(store, "w2", at=T0 + timedelta(seconds=LEASE))

    assert not store.renew_lease(job, "stalled", T0 + timedelta(seconds=LEASE + 1), LEASE)
    store.complete(job, "stalled")

    assert store.running_jobs() == 1, "the new holder keeps it"
    assert claim_now(store, "w3", at=T0 + timedelta(seconds=LEASE + 2)) is None, "its lease is the new holder's"


def test_an_expired_lease_nobody_took_is_still_its_holders_to_renew(store: Store) -> None:
    store.enqueue(job_for(1))
    job = claimed(store, "late")
    late = T0 + timedelta(seconds=LEASE + 1)

    assert store.renew_lease(job, "late", late, LEASE)

    assert claim_now(store, "w2", at=late + timedelta(seconds=1)) is None


def test_a_finished_or_requeued_job_has_no_lease_to_renew(store: Store) -> None:
    store.enqueue(job_for(1))
    store.enqueue(job_for(2))
    done, requeued = claimed(store), claimed(store)
    store.complete(done, "w1")
    store.retry_later(requeued, "w1", T0 + timedelta(hours=1), "ERP timed out")

    assert not store.renew_lease(done, "w1", T0, LEASE)
    assert not store.renew_lease(requeued, "w1", T0, LEASE)
    assert (store.pending_jobs(), store.running_jobs()) == (1, 0)


def test_a_completed_job_is_never_claimed_again(store: Store) -> None:
    store.enqueue(job_for(1))
    job = claimed(store)
    store.complete(job, "w1")

    assert claim_now(store, at=T0 + timedelta(days=1)) is None
    assert (store.pending_jobs(), store.running_jobs()) == (0, 0)


def test_a_retry_is_stored_and_runs_at_its_time(store: Store) -> None:
    store.enqueue(job_for(1))
    job = claimed(store)
    retry_at = T0 + timedelta(seconds=90)

    store.enqueue(job_for(2))  # never run yet: not retrying
    assert store.retrying_jobs() == 0
    store.retry_later(job, "w1", retry_at, "ERP timed out")

    assert (store.pending_jobs(), store.running_jobs(), store.retrying_jobs()) == (2, 0, 1)
    store.complete(claimed(store), "w1")  # job 2
    assert claim_now(store, at=retry_at - timedelta(seconds=1)) is None
    again = claimed(store, at=retry_at)
    assert (again.id, again.attempts, again.run_at) == (job.id, 1, retry_at)


def test_waiting_jobs_of_a_kind_say_how_often_they_ran_why_the_last_failed_and_since_when(store: Store) -> None:
    store.enqueue(job_for(1))
    store.enqueue(job_for(2))
    store.enqueue(job_for(3, kind="poll_orders"))
    store.retry_later(claimed(store), "w1", T0 + timedelta(minutes=5), "Tryton unreachable: ConnectError")

    waiting = store.waiting_jobs("sync_order")

    assert [(w.key, w.attempts, w.last_error) for w in waiting] == [
        (f"{SHOP}|{order_gid(1)}", 1, "Tryton unreachable: ConnectError"),
        (f"{SHOP}|{order_gid(2)}", 0, None),
    ]
    assert all(w.since is not None and w.shop == SHOP for w in waiting)
    assert store.waiting_jobs("sync_order", shop="other.myshopify.com") == []
    store.complete(claimed(store, at=T0 + timedelta(minutes=5)), "w1")
    assert [w.key for w in store.waiting_jobs("sync_order")] != [f"{SHOP}|{order_gid(1)}", f"{SHOP}|{order_gid(2)}"]


def test_a_retried_job_absorbs_the_same_job_queued_meanwhile_and_keeps_its_place(store: Store) -> None:
    store.enqueue(job_for(1))
    job = claimed(store)
    store.enqueue(job_for(1))

    store.retry_later(job, "w1", T0, "throttled")

    assert store.pending_jobs() == 1
    assert claimed(store).id == job.id


def test_a_retry_by_a_worker_that_lost_the_lease_changes_nothing(store: Store) -> None:
    store.enqueue(job_for(1))
    job = claimed(store, "slow")
    claim_now(store, "w2", at=T0 + timedelta(seconds=LEASE))

    store.retry_later(job, "slow", T0 + timedelta(hours=1), "late")

    assert (store.pending_jobs(), store.running_jobs()) == (0, 1)


# --- ledger ---------------------------------------------------------------------------------------------
def test_a_ledger_entry_reads_back_exactly(store: Store) -> None:
    entry = make_entry(
        state=OrderState.POSTED,
        total="1234.567",
        erp_total=Money(Decimal("1234.57"), "EUR"),
        erp_sale_id="42",
        erp_number="SO-42",
        shopify_updated_at=T0 + timedelta(seconds=5),
    )
    store.save_ledger_entry(entry)

    assert store.ledger_entry(SHOP, entry.order_id) == entry
    assert store.ledger_entry(SHOP, order_gid(999)) is None


def test_a_ledger_entry_keeps_the_presentment_total_exactly(store: Store) -> None:
    entry = make_entry(total="100.00", presentment_total=Money(Decimal("118.305"), "USD"))
    store.save_ledger_entry(entry)

    kept = store.ledger_entry(SHOP, entry.order_id)
    assert kept is not None
    assert (kept.shopify_total, kept.presentment_total) == (
        Money(Decimal("100.00"), "EUR"),
        Money(Decimal("118.305"), "USD"),
    )


def test_saving_an_entry_again_replaces_it_but_keeps_when_it_was_first_seen(store: Store) -> None:
    entry = make_entry()
    store.save_ledger_entry(entry)
    later = T0 + timedelta(hours=1)
    parked = make_entry(at=later).moved_to(
        OrderState.EXCEPTION, later, cause=Cause.SKU_NOT_IN_ITEM_MASTER, detail="TEE-M", needs={"skus": ["TEE-M"]}
    )

    store.save_ledger_entry(parked)

    kept = store.ledger_entry(SHOP, entry.order_id)
    assert kept is not None
    assert (kept.state, kept.cause, kept.needs, kept.first_seen_at) == (
        OrderState.EXCEPTION,
        Cause.SKU_NOT_IN_ITEM_MASTER,
        {"skus": ["TEE-M"]},
        T0,
    )


def test_ledger_entries_filter_by_state_and_shop(store: Store) -> None:
    store.save_ledger_entry(make_entry(order_number=1, state=OrderState.POSTED))
    store.save_ledger_entry(make_entry(order_number=2))
    store.save_ledger_entry(make_entry(order_number=3, shop="beta.myshopify.com"))

    assert [e.order_id for e in store.ledger_entries(OrderState.RECEIVED, SHOP)] == [order_gid(2)]
    assert len(store.ledger_entries()) == 3
    assert len(store.ledger_entries(shop="beta.myshopify.com")) == 1


def test_status_counts_states_and_exception_causes(store: Store) -> None:
    sku = {"cause": Cause.SKU_NOT_IN_ITEM_MASTER, "detail": "x"}
    store.save_ledger_entry(make_entry(order_number=1, state=OrderState.EXCEPTION, **sku))
    store.save_ledger_entry(make_entry(order_number=2, state=OrderState.EXCEPTION, **sku))
    store.save_ledger_entry(make_entry(order_number=3, state=OrderState.EXCEPTION, cause=Cause.UNMAPPED_TAX))
    store.save_ledger_entry(make_entry(order_number=4, state=OrderState.POSTED))

    assert store.ledger_counts() == {OrderState.EXCEPTION: 3, OrderState.POSTED: 1}
    assert store.exception_counts() == {Cause.SKU_NOT_IN_ITEM_MASTER: 2, Cause.UNMAPPED_TAX: 1}
    assert store.ledger_counts(shop="beta.myshopify.com") == {}


def test_the_oldest_open_entry_is_the_one_longest_in_an_open_state(store: Store) -> None:
    store.save_ledger_entry(make_entry(order_number=1, state=OrderState.POSTED, at=T0))
    store.save_ledger_entry(make_entry(order_number=2, at=T0 + timedelta(minutes=2)))
    store.save_ledger_entry(make_entry(order_number=3, state=OrderState.WAITING_FOR_PAYMENT, at=T0 + timedelta(1)))

    oldest = store.oldest_open_entry()
    assert oldest is not None
    assert oldest.order_id == order_gid(2)
    assert store.oldest_open_entry(shop="beta.myshopify.com") is None


# --- cursors -----------------------------------------------------------------------------------------
def test_cursors_are_kept_per_shop_and_name(store: Store) -> None:
    assert store.cursor(SHOP, "orders") is None
    store.set_cursor(SHOP, "orders", "2026-11-27T09:00:00Z")
    store.set_cursor(SHOP, "orders", "2026-11-27T10:00:00Z")
    store.set_cursor("beta.myshopify.com", "orders", "b")

    assert store.cursor(SHOP, "orders") == "2026-11-27T10:00:00Z"
    assert store.cursor("beta.myshopify.com", "orders") == "b"


# --- retention ------------------------------------------------------------------------------------
def test_purge_removes_only_finished_jobs_and_old_deliveries(store: Store, clock: Clock) -> None:
    store.enqueue(job_for(1))
    store.enqueue(job_for(2))
    store.complete(claimed(store), "w1")
    old, recent = make_delivery(received_at=T0), make_delivery(received_at=T0 + timedelta(days=2), order_number=None)
    store.accept_deliveries([old, recent], delivery_job)
    clock.now = T0 + timedelta(days=3)

    purged = (store.purge_finished_jobs(T0 + timedelta(days=1)), store.purge_deliveries(T0 + timedelta(days=1)))

    assert purged == (1, 1)
    assert store.pending_jobs() == 2  # job 2, and the sync queued by the old delivery: never purged
    assert store.intake_stats().deliveries == 1
    assert store.accept_deliveries([old], delivery_job) == [True]  # past retention a delivery is no longer known


def test_purge_keeps_what_is_recent(store: Store, clock: Clock) -> None:
    store.enqueue(job_for(1))
    store.complete(claimed(store), "w1")
    store.accept_deliveries([make_delivery(received_at=T0)], delivery_job)
    assert store.purge_finished_jobs(T0 - timedelta(days=1)) == 0
    assert store.purge_deliveries(T0 - timedelta(days=1)) == 0


# --- order changes: the hold window and accepted changes ------------------------------------------------
def test_a_job_waiting_for_later_can_be_made_due_now(store: Store) -> None:
    store.enqueue(job_for(1, run_at=T0 + timedelta(minutes=30)))
    later = T0 + timedelta(minutes=1)

    assert store.run_now("sync_order", f"{SHOP}|{order_gid(1)}", later) is True
    assert claim_now(store) is None, "due at the moment it was released, not before"
    job = claimed(store, at=later)
    assert job.payload == {"n": 1}


def test_making_due_now_needs_a_waiting_job_of_that_key_and_kind(store: Store) -> None:
    store.enqueue(job_for(1, run_at=T0 + timedelta(minutes=30)))
    store.enqueue(job_for(2))
    running = claimed(store)

    assert store.run_now("sync_order", f"{SHOP}|{order_gid(2)}", T0) is False, "it is running, not waiting"
    assert store.run_now("refund", f"{SHOP}|{order_gid(1)}", T0) is False
    assert store.run_now("sync_order", f"{SHOP}|{order_gid(3)}", T0) is False
    store.complete(running, "w1")


def test_making_due_now_never_delays_a_job_already_due(store: Store) -> None:
    store.enqueue(job_for(1))

    assert store.run_now("sync_order", f"{SHOP}|{order_gid(1)}", T0 + timedelta(hours=1)) is True
    assert claimed(store, at=T0).payload == {"n": 1}


def test_a_held_entry_keeps_when_it_is_released_and_an_accepted_change(store: Store) -> None:
    entry = make_entry(
        state=OrderState.HELD,
        held_until=T0 + timedelta(minutes=30),
        accepted_changes="TEE-M quantity 2 -> 1",
    )
    store.save_ledger_entry(entry)

    kept = store.ledger_entry(SHOP, entry.order_id)
    assert kept == entry
    assert store.ledger_counts() == {OrderState.HELD: 1}


# --- refund records -------------------------------------------------------------------------------
def a_refund_record(refund: int = 7, order: int = 1001, ordinal: int = 1, **changes: object) -> RefundRecord:
    record = RefundRecord(
        shop=SHOP,
        order_id=order_gid(order),
        refund_id=f"gid://shopify/Refund/{refund}",
        order_name=f"#{order}",
        ordinal=ordinal,
        state=RefundState.WAITING_FOR_SALE,
        first_seen_at=T0,
        updated_at=T0,
    )
    return dataclasses.replace(record, **changes)  # type: ignore[arg-type]


def test_a_refund_record_reads_back_exactly_and_keeps_when_it_was_first_seen(store: Store) -> None:
    store.save_refund_record(a_refund_record())
    later = T0 + timedelta(minutes=5)
    credited = a_refund_record(
        state=RefundState.CREDITED,
        amount=Money(Decimal("24.005"), "EUR"),
        credit_note_number="CN-17",
        first_seen_at=later,
        updated_at=later,
    )

    store.save_refund_record(credited)

    assert store.refund_record(SHOP, credited.refund_id) == dataclasses.replace(credited, first_seen_at=T0)
    assert store.refund_record(SHOP, "gid://shopify/Refund/999") is None


def test_a_parked_refund_keeps_its_cause_and_needs(store: Store) -> None:
    parked = a_refund_record(
        state=RefundState.EXCEPTION, cause=Cause.UNMAPPED_TAX, detail="VAT 10", needs={"taxes": ["VAT 10"]}
    )
    store.save_refund_record(parked)

    assert store.refund_record(SHOP, parked.refund_id) == parked


def test_refund_records_filter_by_order_and_state_ordered_by_ordinal(store: Store) -> None:
    store.save_refund_record(a_refund_record(refund=9, ordinal=2, state=RefundState.CREDITED))
    store.save_refund_record(a_refund_record(refund=8, ordinal=1, state=RefundState.CREDITED))
    store.save_refund_record(a_refund_record(refund=10, order=1002))

    assert [r.ordinal for r in store.refund_records(order_id=order_gid(1001))] == [1, 2]
    assert [r.order_id for r in store.refund_records(state=RefundState.WAITING_FOR_SALE)] == [order_gid(1002)]
    assert store.refund_records(shop="other.myshopify.com") == []
    assert store.refund_counts() == {RefundState.CREDITED: 2, RefundState.WAITING_FOR_SALE: 1}
