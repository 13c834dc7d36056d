"""The job queue in SQL: per-key lock and queueing lock (partial unique indexes), leases, stored retries.

Which job of a key may run: the one already running if its lease expired (its worker died), otherwise the
oldest waiting one, and only when no other job of that key is running. The database enforces the rest:
`jobs_one_running_per_key` refuses a second running job even if two claimers race.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, func, or_, select, update
from sqlalchemy.engine import Row

from trueup.adapters.storage import dialects
from trueup.adapters.storage.tables import jobs
from trueup.service_layer.ports import Job, JobRequest

TODO, DOING, DONE = "todo", "doing", "done"


def _row(request: JobRequest, now: datetime) -> dict[str, Any]:
    return {
        "kind": request.kind,
        "key": request.key,
        "shop": request.shop,
        "payload": request.payload,
        "state": TODO,
        "attempts": 0,
        "run_at": request.run_at or now,
        "created_at": now,
        "updated_at": now,
    }


def enqueue(connection: Connection, request: JobRequest, now: datetime) -> bool:
    """Insert a waiting job; False if one for the same key and kind is already waiting."""
    statement = dialects.insert(connection, jobs).on_conflict_do_nothing().returning(jobs.c.id)
    return connection.execute(statement, _row(request, now)).first() is not None


def enqueue_many(connection: Connection, requests: Sequence[JobRequest], now: datetime) -> None:
    """Insert waiting jobs in one statement (multi-row VALUES), skipping those the queueing lock refuses."""
    if requests:
        statement = dialects.insert(connection, jobs).on_conflict_do_nothing().returning(jobs.c.id)
        connection.execute(statement, [_row(r, now) for r in requests]).all()


def next_claimable(now: datetime) -> Any:
    """SELECT of the oldest job that may run now (PostgreSQL adds FOR UPDATE SKIP LOCKED)."""
    other = jobs.alias("other")
    blocker = exists().where(
        other.c.key == jobs.c.key,
        other.c.id != jobs.c.id,
        or_(
            other.c.state == DOING,
            and_(jobs.c.state == TODO, other.c.state == TODO, other.c.id < jobs.c.id),
        ),
    )
    runnable = or_(
        and_(jobs.c.state == TODO, jobs.c.run_at <= now),
        and_(jobs.c.state == DOING, jobs.c.lease_until <= now),
    )
    return select(jobs).where(runnable, ~blocker).order_by(jobs.c.id).limit(1)


def claim(connection: Connection, worker: str, now: datetime, lease_seconds: float) -> Job | None:
    """Lease the next runnable job to `worker` (in the caller's transaction); None if there is none."""
    query = next_claimable(now)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=jobs)
    row = connection.execute(query).first()
    if row is None:
        return None
    connection.execute(
        update(jobs)
        .where(jobs.c.id == row.id)
        .values(
            state=DOING,
            attempts=jobs.c.attempts + 1,
            locked_by=worker,
            lease_until=now + timedelta(seconds=lease_seconds),
            updated_at=now,
        )
    )
    return _job(row)


def _job(row: Row[Any]) -> Job:
    # `attempts` as stored before this claim: the runs started earlier (failed, or cut short by a crash).
    return Job(
        id=row.id,
        kind=row.kind,
        key=row.key,
        shop=row.shop,
        payload=row.payload,
        attempts=row.attempts,
        run_at=row.run_at,
    )


def _held_by(job: Job, worker: str) -> Any:
    return and_(jobs.c.id == job.id, jobs.c.state == DOING, jobs.c.locked_by == worker)


def complete(connection: Connection, job: Job, worker: str, now: datetime) -> bool:
    """Mark done; False (and nothing changed) when `worker` no longer holds the job."""
    result = connection.execute(
        update(jobs).where(_held_by(job, worker)).values(state=DONE, lease_until=None, updated_at=now)
    )
    return result.rowcount == 1


def retry_later(connection: Connection, job: Job, worker: str, run_at: datetime, error: str, now: datetime) -> bool:
    """Put the job back to wait until `run_at` with its error; False when `worker` no longer holds it.

    A job of the same key and kind that was queued meanwhile is merged into this one (marked done):
    the queueing lock allows one waiting job per key and kind, and this one keeps its place in line.
    """
    held = connection.execute(select(jobs.c.id).where(_held_by(job, worker)).with_for_update()).first()
    if held is None:
        return False
    connection.execute(
        update(jobs)
        .where(jobs.c.key == job.key, jobs.c.kind == job.kind, jobs.c.state == TODO)
        .values(state=DONE, last_error=f"merged into job {job.id}", updated_at=now)
    )
    connection.execute(
        update(jobs)
        .where(jobs.c.id == job.id)
        .values(state=TODO, run_at=run_at, last_error=error, locked_by=None, lease_until=None, updated_at=now)
    )
    return True


def count(connection: Connection, state: str) -> int:
    """How many jobs are in `state`."""
    return connection.execute(select(func.count()).where(jobs.c.state == state)).scalar_one()
