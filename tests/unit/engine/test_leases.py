"""A job's lease as its worker knows it: renewed by the heartbeat, lost when taken over or out of reach."""

from __future__ import annotations

import threading

import pytest
from tests.fakes.store import InMemoryStore
from tests.unit.engine.harness import MovableClock

from trueup.domain.errors import TransientError
from trueup.service_layer.jobs import SyncOrder, request
from trueup.service_layer.leases import Heartbeat, Lease, LeaseLost, fenced
from trueup.service_layer.ports import Job

LEASE = 10.0


def leased(clock: MovableClock, store: InMemoryStore | None = None) -> tuple[InMemoryStore, Lease]:
    store = store or InMemoryStore(clock.now)
    store.enqueue(request(SyncOrder("alpha.myshopify.com", "1")))
    job = store.claim("w1", clock.now(), LEASE)
    assert job is not None
    return store, Lease(store, clock, job, "w1", LEASE)


class UnreachableStore(InMemoryStore):
    def renew_lease(self, job: Job, worker: str, now, lease_seconds: float) -> bool:  # type: ignore[no-untyped-def]
        raise TransientError("database unavailable: OperationalError")


def test_a_renewed_lease_outlives_the_first_one_and_keeps_other_workers_off():
    clock = MovableClock()
    store, lease = leased(clock)
    clock.advance(6)
    assert lease.renew()
    clock.advance(6)  # past the first lease
    assert lease.held
    assert store.claim("w2", clock.now(), LEASE) is None


def test_without_renewals_the_lease_is_given_up_before_another_worker_may_take_it():
    clock = MovableClock()
    store, lease = leased(clock)
    clock.advance(LEASE * 0.75)
    assert not lease.held
    with pytest.raises(LeaseLost):
        lease.check()
    assert store.claim("w2", clock.now(), LEASE) is None, "given up first, taken over later"


def test_a_lease_taken_over_is_lost_for_good():
    clock = MovableClock()
    store, lease = leased(clock)
    clock.advance(LEASE)
    assert store.claim("w2", clock.now(), LEASE) is not None
    assert not lease.renew()
    assert not lease.held
    assert not lease.renew(), "never won back"


def test_a_store_out_of_reach_keeps_the_lease_only_until_it_runs_out():
    clock = MovableClock()
    _, lease = leased(clock, UnreachableStore(clock.now))
    clock.advance(LEASE / 4)
    assert lease.renew(), "one missed renewal is no loss"
    clock.advance(LEASE / 2)
    assert not lease.renew()
    with pytest.raises(LeaseLost):
        lease.check()


def test_a_fenced_port_refuses_every_call_once_the_lease_is_lost():
    clock = MovableClock()
    store, lease = leased(clock)
    calls: list[str] = []

    class Port:
        name = "erp"

        def write(self, what: str) -> str:
            calls.append(what)
            return what

    port = fenced(Port(), lease)
    assert port.write("first") == "first"
    clock.advance(LEASE)
    store.claim("w2", clock.now(), LEASE)
    with pytest.raises(LeaseLost):
        port.write("second")
    assert calls == ["first"]
    assert port.name == "erp"


def test_the_heartbeat_renews_until_it_stops_and_leaves_no_thread_behind():
    clock = MovableClock()
    store, lease = leased(clock)
    renewed = threading.Event()
    renew = store.renew_lease

    def observed(*args, **kwargs):  # type: ignore[no-untyped-def]
        kept = renew(*args, **kwargs)
        renewed.set()
        return kept

    store.renew_lease = observed  # type: ignore[method-assign]
    clock.advance(LEASE / 2)
    with Heartbeat(lease, every=0.01):
        assert renewed.wait(30), "no renewal"
    clock.advance(LEASE / 2 + 1)  # past the first lease: the renewal moved it
    assert store.claim("w2", clock.now(), LEASE) is None
    assert not [t for t in threading.enumerate() if t.name.startswith("heartbeat-")]
