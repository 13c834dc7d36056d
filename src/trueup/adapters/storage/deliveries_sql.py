"""Storing webhook deliveries, each once, and queueing the job each calls for (the service layer says which)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, false, func, select, true, update

from trueup.adapters.storage import dialects, jobs_sql
from trueup.adapters.storage.tables import counters, deliveries
from trueup.service_layer.ports import EXPIRED_BODY, IncomingDelivery, IntakeStats, JobRequest, NotUnderstood

DUPLICATES = "duplicate_deliveries"
REFUSED = "refused:"  # + the reason: one counter per reason


def accept(
    connection: Connection, batch: Sequence[IncomingDelivery], job_for: Callable[[IncomingDelivery], JobRequest | None]
) -> list[bool]:
    """Insert each new delivery (skipping duplicates by webhook id or event id) and queue its job.

    One statement per table for the whole batch: RETURNING makes SQLAlchemy send multi-row VALUES
    ("insertmanyvalues"), and says which rows went in, ON CONFLICT having skipped those already stored
    (also by a concurrent transaction). Few statements matter: each one hands the GIL back and forth
    with the HTTP event loop.
    """
    repeats = _repeats(batch)
    candidates = [delivery for index, delivery in enumerate(batch) if index not in repeats]
    inserted: set[str] = set()
    if candidates:
        statement = dialects.insert(connection, deliveries).on_conflict_do_nothing().returning(deliveries.c.webhook_id)
        inserted = set(connection.execute(statement, [_row(d) for d in candidates]).scalars())
    accepted = [index not in repeats and delivery.webhook_id in inserted for index, delivery in enumerate(batch)]
    fresh = [delivery for delivery, new in zip(batch, accepted, strict=True) if new]
    jobs = [job for job in map(job_for, fresh) if job is not None]
    jobs_sql.enqueue_many(connection, jobs, now=batch[0].received_at)
    duplicates = Counter(delivery.shop for delivery, new in zip(batch, accepted, strict=True) if not new)
    if duplicates:
        _count(connection, DUPLICATES, sum(duplicates.values()))
    for shop, count in sorted(duplicates.items()):  # sorted: concurrent batches lock counters in one order
        _count(connection, _shop_duplicates(shop), count)
    return accepted


def _shop_duplicates(shop: str) -> str:
    return f"{DUPLICATES}:{shop}"  # within the name's 100 characters: a shop's domain is at most 77


def _event(delivery: IncomingDelivery) -> tuple[str, str, str] | None:
    return None if delivery.event_id is None else (delivery.shop, delivery.topic, delivery.event_id)


def _repeats(batch: Sequence[IncomingDelivery]) -> set[int]:
    """Indexes of deliveries that repeat an earlier one of the same batch (webhook id or event)."""
    webhooks: set[str] = set()
    events: set[tuple[str, str, str]] = set()
    repeats = set()
    for index, delivery in enumerate(batch):
        event = _event(delivery)
        if delivery.webhook_id in webhooks or (event is not None and event in events):
            repeats.add(index)
        webhooks.add(delivery.webhook_id)
        if event is not None:
            events.add(event)
    return repeats


def _row(delivery: IncomingDelivery) -> dict[str, Any]:
    return {
        "webhook_id": delivery.webhook_id,
        "shop": delivery.shop,
        "topic": delivery.topic,
        "event_id": delivery.event_id,
        "api_version": delivery.api_version,
        "triggered_at": delivery.triggered_at,
        "order_id": delivery.order_id,
        "known_topic": delivery.known_topic,
        "problem": delivery.problem,
        "headers": delivery.headers,
        "body": delivery.body,
        "received_at": delivery.received_at,
    }


def _count(connection: Connection, name: str, increment: int) -> None:
    statement = dialects.insert(connection, counters).values(name=name, value=increment)
    statement = statement.on_conflict_do_update(
        index_elements=[counters.c.name], set_={"value": counters.c.value + increment}
    )
    connection.execute(statement)


def count_refused(connection: Connection, counts: Mapping[str, int]) -> None:
    """Add `counts` (reason -> requests) to the refusal counters."""
    for reason, increment in sorted(counts.items()):
        _count(connection, REFUSED + reason, increment)


def stats(connection: Connection, shop: str | None = None) -> IntakeStats:
    """Deliveries stored, duplicates refused, unknown topics and problems, and the last arrival: of `shop`, or of
    every shop."""
    of_shop = deliveries.c.shop == shop if shop is not None else true()
    count, last = connection.execute(select(func.count(), func.max(deliveries.c.received_at)).where(of_shop)).one()
    counter = DUPLICATES if shop is None else _shop_duplicates(shop)
    duplicates = connection.execute(select(counters.c.value).where(counters.c.name == counter)).scalar()
    found = not_understood(connection, shop)
    # Refusals are counted for the endpoint as a whole: before its signature is checked, a request's shop is
    # only what it claims.
    refused = connection.execute(
        select(counters.c.name, counters.c.value).where(
            counters.c.name.startswith(REFUSED, autoescape=True), true() if shop is None else false()
        )
    )
    return IntakeStats(
        deliveries=count,
        duplicates=duplicates or 0,
        unknown_topics=found.unknown_topics,
        last_received_at=last,
        problems=found.problems,
        refused={name.removeprefix(REFUSED): int(n) for name, n in refused},
    )


def not_understood(connection: Connection, shop: str | None = None) -> NotUnderstood:
    """Deliveries kept but not understood, by problem and by unknown topic: each read from its own index
    (deliveries_with_problem, deliveries_unknown_topic), never from all the deliveries."""
    of_shop = deliveries.c.shop == shop if shop is not None else true()
    unknown = connection.execute(
        select(deliveries.c.topic, func.count())
        .where(deliveries.c.known_topic.is_(False), of_shop)
        .group_by(deliveries.c.topic)
    )
    problem = deliveries.c.problem
    problems = connection.execute(select(problem, func.count()).where(problem.is_not(None), of_shop).group_by(problem))
    return NotUnderstood(problems={name: n for name, n in problems}, unknown_topics={topic: n for topic, n in unknown})


def expire_bodies(connection: Connection, before: datetime, keep_topics: Collection[str]) -> int:
    """Replace the bodies received before `before` (but those of `keep_topics`) by EXPIRED_BODY; how many."""
    d = deliveries.c
    statement = (
        update(deliveries)
        .where(d.received_at < before, d.topic.not_in(list(keep_topics)), d.body != EXPIRED_BODY)
        .values(body=EXPIRED_BODY)
    )
    return int(connection.execute(statement).rowcount)


def purge(connection: Connection, before: datetime) -> int:
    """Delete the deliveries received before `before`; how many."""
    return int(connection.execute(delete(deliveries).where(deliveries.c.received_at < before)).rowcount)
