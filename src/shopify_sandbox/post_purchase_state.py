"""What the post-purchase features keep beside a ShopState: deferred jobs and their results.

Kept in a side table keyed by the state (not on ShopState itself) so that the core state stays H1's.
Deferred work (orderCancel, bulk operations) runs in `run_due_jobs`, which the GraphQL endpoint calls
before serving each request: a job started by one request is done by the next one after its delay, on
the sandbox clock, so tests on a ManualClock stay deterministic.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shopify_sandbox.state import ShopState

Job = Callable[[ShopState], None]


@dataclass
class _DueJob:
    due_at: float  # clock.monotonic() reading
    sequence: int
    run: Job


@dataclass
class PostPurchaseState:
    base_url: str = "http://127.0.0.1"
    jobs: list[_DueJob] = field(default_factory=list)
    job_results: dict[str, Any] = field(default_factory=dict)
    _sequence: int = 0

    def defer(self, state: ShopState, job: Job, delay_seconds: float = 0.0) -> None:
        """Run `job` once the clock has moved `delay_seconds` on, at the next `run_due_jobs`."""
        self._sequence += 1
        self.jobs.append(_DueJob(state.clock.monotonic() + delay_seconds, self._sequence, job))


_EXTENSIONS: weakref.WeakKeyDictionary[ShopState, PostPurchaseState] = weakref.WeakKeyDictionary()


def extension(state: ShopState) -> PostPurchaseState:
    """The post-purchase side table of `state` (created on first use)."""
    found = _EXTENSIONS.get(state)
    if found is None:
        found = _EXTENSIONS[state] = PostPurchaseState()
    return found


def run_due_jobs(state: ShopState) -> int:
    """Run every deferred job whose time has come, in the order they were deferred; returns how many ran.

    Jobs deferred while running (a bulk operation's next step) wait for the next call.
    """
    side = extension(state)
    now = state.clock.monotonic()
    due = sorted((job for job in side.jobs if job.due_at <= now), key=lambda job: (job.due_at, job.sequence))
    if not due:
        return 0
    side.jobs = [job for job in side.jobs if job not in due]
    with state.lock:
        for job in due:
            job.run(state)
    return len(due)


def before_request(state: ShopState, base_url: str | None = None) -> None:
    """The hook the GraphQL endpoint runs before each request: remember where the sandbox is served (bulk
    result files are linked there), run due jobs, then the payout calendar up to now."""
    if base_url:
        extension(state).base_url = base_url.rstrip("/")
    run_due_jobs(state)
    from shopify_sandbox.payouts import advance_payments  # late: keeps this module free of the payments ones

    advance_payments(state)
