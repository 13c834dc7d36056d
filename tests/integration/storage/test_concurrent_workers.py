"""Several worker processes share one queue (SQLite file or PostgreSQL): each job runs exactly once,
one at a time per key, in order; a worker killed while holding a job loses nothing."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import random
import signal
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from trueup.adapters.storage import SqlStore, upgrade
from trueup.service_layer.ports import JobRequest

KEYS = 3  # fewer keys than workers: a worker is always tempted by the next job of a busy key
STEPS = 15  # jobs per key, each of its own kind (the queueing lock allows one waiting per key and kind)
WORKERS = 4
JOIN_TIMEOUT = 120
SPAWN = multiprocessing.get_context("spawn")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgres":
        yield request.getfixturevalue("postgres_url")
        return
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    upgrade(url)
    yield url


def enqueue_interleaved(url: str) -> None:
    with SqlStore(url) as store:
        for step in range(STEPS):
            for key in range(KEYS):
                assert store.enqueue(JobRequest(f"step-{step}", f"order-{key}", "shop", {"step": step}))


def work(url: str, name: str, log_path: str, clock_offset_s: float, seed: int, start: Any) -> None:
    """A worker process: claim, record start, work a little, record end, complete; until the queue is empty.
    Every worker waits at `start` until all have their store open, so they compete from the first job (a process
    spawned late on a busy machine would otherwise find the queue already emptied by the others)."""
    rng = random.Random(seed)
    with SqlStore(url) as store, open(log_path, "a") as log:
        start.wait(JOIN_TIMEOUT)
        while True:
            now = datetime.now(UTC) + timedelta(seconds=clock_offset_s)
            job = store.claim(name, now, lease_seconds=60)
            if job is None:
                if store.pending_jobs() == 0 and store.running_jobs() == 0:
                    return
                time.sleep(0.005)
                continue
            record = {"job": job.id, "key": job.key, "step": job.payload.get("step"), "worker": name}
            log.write(json.dumps({**record, "event": "start", "at": time.monotonic_ns()}) + "\n")
            log.flush()
            time.sleep(rng.uniform(0, 0.004))
            log.write(json.dumps({**record, "event": "end", "at": time.monotonic_ns()}) + "\n")
            log.flush()
            store.complete(job, name)


def hold_first_job(url: str, log_path: str) -> None:
    """A worker that claims one job, says so, and hangs until it is killed."""
    store = SqlStore(url)
    job = store.claim("doomed", datetime.now(UTC), lease_seconds=60)
    assert job is not None
    Path(log_path).write_text(json.dumps({"job": job.id, "key": job.key}))
    time.sleep(JOIN_TIMEOUT)


def run_workers(url: str, tmp_path: Path, clock_offset_s: float = 0.0) -> list[dict[str, Any]]:
    start = SPAWN.Barrier(WORKERS)
    processes = [
        SPAWN.Process(target=work, args=(url, f"w{n}", str(tmp_path / f"w{n}.log"), clock_offset_s, n, start))
        for n in range(WORKERS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(JOIN_TIMEOUT)
        assert process.exitcode == 0, f"worker {process.name} ended with {process.exitcode}"
    lines = [line for n in range(WORKERS) for line in (tmp_path / f"w{n}.log").read_text().splitlines()]
    return [json.loads(line) for line in lines]


def runs_by_job(events: list[dict[str, Any]]) -> dict[int, list[tuple[int, int, dict[str, Any]]]]:
    starts = {(e["worker"], e["job"]): e for e in events if e["event"] == "start"}
    runs: dict[int, list[tuple[int, int, dict[str, Any]]]] = defaultdict(list)
    for end in (e for e in events if e["event"] == "end"):
        start = starts[(end["worker"], end["job"])]
        runs[end["job"]].append((start["at"], end["at"], end))
    return runs


def assert_one_at_a_time_in_order(runs: dict[int, list[tuple[int, int, dict[str, Any]]]]) -> None:
    by_key: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for job_runs in runs.values():
        for start, end, record in job_runs:
            by_key[record["key"]].append((start, end, record["step"]))
    assert len(by_key) == KEYS
    for key, intervals in by_key.items():
        intervals.sort()
        for (_, end, _), (next_start, _, _) in itertools.pairwise(intervals):
            assert end <= next_start, f"two jobs of {key} overlapped"
        assert [step for _, _, step in intervals] == list(range(STEPS)), f"{key} ran out of order"


def test_workers_in_several_processes_run_each_job_once_one_at_a_time_per_key_in_order(
    store_url: str, tmp_path: Path
) -> None:
    enqueue_interleaved(store_url)

    runs = runs_by_job(run_workers(store_url, tmp_path))

    assert len(runs) == KEYS * STEPS
    assert all(len(job_runs) == 1 for job_runs in runs.values()), "a job ran twice"
    assert_one_at_a_time_in_order(runs)
    assert len({record["worker"] for job_runs in runs.values() for _, _, record in job_runs}) > 1
    with SqlStore(store_url) as store:
        assert (store.pending_jobs(), store.running_jobs()) == (0, 0)


def test_a_job_held_by_a_killed_worker_is_taken_over_after_its_lease_and_done_once(
    store_url: str, tmp_path: Path
) -> None:
    enqueue_interleaved(store_url)
    held_path = tmp_path / "held.json"
    doomed = SPAWN.Process(target=hold_first_job, args=(store_url, str(held_path)))
    doomed.start()
    deadline = time.monotonic() + JOIN_TIMEOUT
    while not held_path.exists() or not held_path.read_text():
        assert doomed.is_alive(), "the doomed worker died before claiming"
        assert time.monotonic() < deadline, "the doomed worker never claimed"
        time.sleep(0.01)
    os.kill(doomed.pid, signal.SIGKILL)  # type: ignore[arg-type]
    doomed.join(JOIN_TIMEOUT)
    held = json.loads(held_path.read_text())

    # The survivors' clocks run past the 60 s lease: the killed worker's job is theirs to take.
    runs = runs_by_job(run_workers(store_url, tmp_path, clock_offset_s=61))

    assert doomed.exitcode == -signal.SIGKILL
    assert len(runs) == KEYS * STEPS
    assert all(len(job_runs) == 1 for job_runs in runs.values()), "a job ran twice"
    assert held["job"] in runs, "the killed worker's job was completed by a survivor"
    assert_one_at_a_time_in_order(runs)
    with SqlStore(store_url) as store:
        assert (store.pending_jobs(), store.running_jobs()) == (0, 0)
