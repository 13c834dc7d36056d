"""The job queue in SQL: per-key lock and queueing lock (partial unique indexes), leases, stored retries.

Which job of a key may run: the one already running if its lease expired (its worker died), otherwise the
oldest waiting one, and only when no other job of that key is running. The database enforces the rest:
`jobs_one_running_per_key` refuses a second running job even if two claimers race.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, exists, func, or_, select, update
from sqlalchemy.engine import Row

from trueup.adapters.storage import dialects
from trueup.adapters.storage.tables import jobs
from trueup.service_layer.ports import Job, JobRequest, WaitingJob

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


def _expired_lease() -> Any:
    """SELECT of the oldest running job whose lease expired (its worker died): it may run again.
    One running job per key at most (`jobs_one_running_per_key`), so nothing else can block it."""
    due = jobs.c.lease_until <= bindparam("now")
    return select(jobs).where(jobs.c.state == DOING, due).order_by(jobs.c.id).limit(1)


def _oldest_waiting() -> Any:
    """SELECT of the oldest waiting job that may run now: due, no job of its key running, none older
    waiting. Walks the partial index `jobs_waiting` in id order and stops at the first that qualifies,
    so a claim costs the same with a backlog of ten or of a hundred thousand."""
    other = jobs.alias("other")
    blocker = exists().where(
        other.c.key == jobs.c.key,
        other.c.id != jobs.c.id,
        or_(other.c.state == DOING, and_(other.c.state == TODO, other.c.id < jobs.c.id)),
    )
    due = jobs.c.run_at <= bindparam("now")
    return select(jobs).where(jobs.c.state == TODO, due, ~blocker).order_by(jobs.c.id).limit(1)


# Built once: constructing SQLAlchemy expressions costs more than running them on SQLite.
_CLAIMABLE = (_expired_lease(), _oldest_waiting())
_CLAIMABLE_LOCKED = tuple(q.with_for_update(skip_locked=True, of=jobs) for q in _CLAIMABLE)
_LEASE = (
    update(jobs)
    .where(jobs.c.id == bindparam("job_id"))
    .values(
        state=DOING,
        attempts=jobs.c.attempts + 1,
        locked_by=bindparam("worker"),
        lease_until=bindparam("lease_until"),
        updated_at=bindparam("now"),
    )
)


def claim(connection: Connection, worker: str, now: datetime, lease_seconds: float) -> Job | None:
    """Lease the next runnable job to `worker` (in the caller's transaction); None if there is none."""
    queries = _CLAIMABLE_LOCKED if connection.dialect.name == "postgresql" else _CLAIMABLE
    row = None
    for query in queries:
        row = connection.execute(query, {"now": now}).first()
        if row is not None:
            break
    if row is None:
        return None
    lease_until = now + timedelta(seconds=lease_seconds)
    connection.execute(_LEASE, {"job_id": row.id, "worker": worker, "lease_until": lease_until, "now": now})
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


_COMPLETE = (
    update(jobs)
    .where(jobs.c.id == bindparam("job_id"), jobs.c.state == DOING, jobs.c.locked_by == bindparam("worker"))
    .values(state=DONE, lease_until=None, updated_at=bindparam("now"))
)


def complete(connection: Connection, job: Job, worker: str, now: datetime) -> bool:
    """Mark done; False (and nothing changed) when `worker` no longer holds the job."""
    result = connection.execute(_COMPLETE, {"job_id": job.id, "worker": worker, "now": now})
    return result.rowcount == 1


_RENEW = (
    update(jobs)
    .where(jobs.c.id == bindparam("job_id"), jobs.c.state == DOING, jobs.c.locked_by == bindparam("worker"))
    .values(lease_until=bindparam("lease_until"), updated_at=bindparam("now"))
)


def renew_lease(connection: Connection, job: Job, worker: str, now: datetime, lease_seconds: float) -> bool:
    """Extend `worker`'s lease on a running job to `now + lease_seconds`; False (nothing changed) when the
    job is no longer `worker`'s: finished, put back, or taken over after its lease expired."""
    lease_until = now + timedelta(seconds=lease_seconds)
    values = {"job_id": job.id, "worker": worker, "lease_until": lease_until, "now": now}
    return connection.execute(_RENEW, values).rowcount == 1


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


def count(connection: Connection, state: str, shop: str | None = None) -> int:
    """How many jobs (of `shop`, or of every shop) are in `state`."""
    query = select(func.count()).where(jobs.c.state == state)
    if shop is not None:
        query = query.where(jobs.c.shop == shop)
    return connection.execute(query).scalar_one()


def waiting(connection: Connection, kind: str, shop: str | None = None) -> list[WaitingJob]:
    """The jobs of `kind` (of `shop`, or of every shop) waiting or running, oldest queued first."""
    query = select(jobs).where(jobs.c.kind == kind, jobs.c.state.in_([TODO, DOING]))
    if shop is not None:
        query = query.where(jobs.c.shop == shop)
    rows = connection.execute(query.order_by(jobs.c.created_at, jobs.c.id)).all()
    return [WaitingJob(r.kind, r.key, r.shop, r.attempts, r.last_error, r.created_at) for r in rows]


def count_retrying(connection: Connection) -> int:
    """How many jobs wait to run again after a run that failed or was cut short."""
    query = select(func.count()).where(jobs.c.state == TODO, jobs.c.attempts > 0)
    return connection.execute(query).scalar_one()


def purge_done(connection: Connection, before: datetime) -> int:
    """Delete the jobs finished before `before`; how many."""
    result = connection.execute(delete(jobs).where(jobs.c.state == DONE, jobs.c.updated_at < before))
    return int(result.rowcount)


def run_now(connection: Connection, kind: str, key: str, now: datetime) -> bool:
    """Make the waiting job of (`key`, `kind`) due at `now` if it waits for later; False if none waits."""
    waiting = and_(jobs.c.key == key, jobs.c.kind == kind, jobs.c.state == TODO)
    if connection.execute(select(jobs.c.id).where(waiting)).first() is None:
        return False
    connection.execute(update(jobs).where(waiting, jobs.c.run_at > now).values(run_at=now, updated_at=now))
    return True
