"""A running job's lease, kept alive by a heartbeat, and the fence that stops a job whose lease was lost.

A worker's lease on a job is short (seconds), so that a dead worker's jobs are taken over quickly. While the
job runs, a heartbeat thread renews it every quarter of the lease. The lease is lost when the store says the
job is no longer this worker's (its lease expired and another worker took it) or when no renewal has
succeeded for three quarters of the lease (the store cannot be reached, or the process was frozen): the
worker then treats the job as someone else's. Every call the job makes to Shopify, the ERP or the store goes
through a fence that raises `LeaseLost` once the lease is lost, so the job stops at its next step instead of
writing what its new holder will write: a job never runs twice at once, and its result is committed once.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

import structlog

from trueup.domain.errors import TransientError, TrueupError
from trueup.service_layer.ports import Clock, Job, JobQueue

log = structlog.get_logger(__name__)

T = TypeVar("T")

RENEWALS_PER_LEASE = 4  # renewed every quarter of the lease
_GIVE_UP_AFTER = 0.75  # held no longer than three quarters of the lease after its last renewal


class LeaseLost(TrueupError):
    """The job's lease is no longer this worker's: the job stops, and its new holder runs it."""


class Lease:
    """`worker`'s lease on `job`, as far as the worker knows: renewed by `renew`, checked by `check`."""

    def __init__(self, queue: JobQueue, clock: Clock, job: Job, worker: str, lease_seconds: float) -> None:
        self.queue = queue
        self.clock = clock
        self.job = job
        self.worker = worker
        self.lease_seconds = lease_seconds
        self._held_until = self._until(clock.now())
        self._taken_over = False

    def _until(self, renewed_at: datetime) -> datetime:
        return renewed_at + timedelta(seconds=self.lease_seconds * _GIVE_UP_AFTER)

    @property
    def held(self) -> bool:
        """False once the job was taken over, or when no renewal has succeeded for too long."""
        return not self._taken_over and self.clock.now() < self._held_until

    def renew(self) -> bool:
        """Renew the lease now; whether it is still held. A store that cannot be reached is tried again at the
        next beat, until the lease runs out."""
        if self._taken_over:
            return False
        now = self.clock.now()
        try:
            renewed = self.queue.renew_lease(self.job, self.worker, now, self.lease_seconds)
        except TransientError as error:
            log.warning("lease_renewal_failed", job_id=self.job.id, kind=self.job.kind, error=str(error))
            return self.held
        if not renewed:
            self._taken_over = True
            log.warning("lease_lost", job_id=self.job.id, kind=self.job.kind, key=self.job.key, worker=self.worker)
            return False
        self._held_until = self._until(now)
        return True

    def check(self) -> None:
        """Raise LeaseLost if the lease is no longer held."""
        if not self.held:
            raise LeaseLost(f"lease on job {self.job.id} ({self.job.kind}) lost")


class Heartbeat:
    """Renews `lease` every `every` seconds (real time) from a background thread, from `__enter__` until
    `__exit__`; it stops by itself once the lease is lost."""

    def __init__(self, lease: Lease, every: float) -> None:
        self.lease = lease
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{lease.job.id}", daemon=True)

    def __enter__(self) -> Lease:
        self._thread.start()
        return self.lease

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self.every):
            try:
                if not self.lease.renew():
                    return
            except Exception:  # a defect in the store must not end the worker; the lease runs out instead
                log.exception("lease_renewal_error", job_id=self.lease.job.id)


class _Fenced:
    """`port` with every method call checked against `lease` first."""

    def __init__(self, port: object, lease: Lease) -> None:
        self._port = port
        self._lease = lease

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._port, name)
        if not callable(attribute):
            return attribute
        return _checked(attribute, self._lease.check)


def _checked(method: Callable[..., Any], check: Callable[[], None]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        check()
        return method(*args, **kwargs)

    return call


def fenced(port: T, lease: Lease) -> T:
    """`port` whose every call first checks that `lease` is still held (LeaseLost otherwise)."""
    return cast(T, _Fenced(port, lease))
