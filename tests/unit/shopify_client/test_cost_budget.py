"""The cost budget keeps steady use under Shopify's bucket, on a fake clock (no real sleeping)."""

from __future__ import annotations

import threading

import pytest

from tests.unit.shopify_client.payloads import ScriptedShopify
from trueup.adapters.shopify.cost_budget import CostBudget, ThrottleStatus
from trueup.adapters.shopify.graphql import ShopifyGraphQL
from trueup.adapters.shopify.queries import FETCH_ORDER
from trueup.domain.errors import TransientError


class FakeClock:
    """Time that moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += seconds


class LeakyBucketShop:
    """Shopify's admission rule, played on the fake clock: requested cost admits, actual cost is charged."""

    def __init__(self, clock: FakeClock, maximum: float, rate: float, requested: int, actual: int) -> None:
        self.clock, self.maximum, self.rate = clock, maximum, rate
        self.requested, self.actual = requested, actual
        self.available, self.last = maximum, clock()
        self.throttled = 0
        self.served = 0
        self._lock = threading.Lock()

    def reply(self, _variables: dict) -> dict:
        with self._lock:
            now = self.clock()
            self.available = min(self.maximum, self.available + (now - self.last) * self.rate)
            self.last = now
            status = {"maximumAvailable": self.maximum, "restoreRate": self.rate}
            if self.requested > self.available:
                self.throttled += 1
                status["currentlyAvailable"] = self.available
                cost = {"requestedQueryCost": self.requested, "actualQueryCost": None, "throttleStatus": status}
                return {
                    "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
                    "extensions": {"cost": cost},
                }
            self.available -= self.actual
            self.served += 1
            status["currentlyAvailable"] = self.available
            cost = {"requestedQueryCost": self.requested, "actualQueryCost": self.actual, "throttleStatus": status}
            return {"data": {"order": None}, "extensions": {"cost": cost}}


def rig(maximum: float = 1000, rate: float = 50, requested: int = 700, actual: int = 150, max_wait: float = 60):
    clock = FakeClock()
    shop = LeakyBucketShop(clock, maximum, rate, requested, actual)
    transport = ScriptedShopify({FETCH_ORDER.name: shop.reply})
    budget = CostBudget(max_wait=max_wait, clock=clock, sleep=clock.sleep)
    client = ShopifyGraphQL("demo.myshopify.com", "t", http=transport.client(), budget=budget)
    return client, shop, clock


def test_steady_use_never_hits_throttled() -> None:
    client, shop, clock = rig()
    for _ in range(60):
        client.execute(FETCH_ORDER, {"id": "gid://shopify/Order/1"})
    assert shop.throttled == 0
    assert shop.served == 60
    assert clock.slept  # it did have to wait for the bucket to refill


def test_a_budget_that_may_not_wait_refuses_the_burst_before_shopify_throttles_it() -> None:
    client, shop, _ = rig(max_wait=0)

    def burst() -> None:
        for _ in range(60):
            client.execute(FETCH_ORDER, {"id": "gid://shopify/Order/1"})

    with pytest.raises(TransientError) as caught:
        burst()
    assert caught.value.retry_after is not None
    assert 0 < shop.served < 60
    assert shop.throttled == 0


def test_threads_sharing_a_budget_are_not_throttled() -> None:
    client, shop, _ = rig(requested=300, actual=300)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(10):
                client.execute(FETCH_ORDER, {"id": "gid://shopify/Order/1"})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert (shop.served, shop.throttled) == (40, 0)


def test_learns_the_requested_cost_shopify_reports() -> None:
    client, _, _ = rig(requested=321)
    assert client.budget.estimate(FETCH_ORDER.name, FETCH_ORDER.estimated_cost) == FETCH_ORDER.estimated_cost
    client.execute(FETCH_ORDER, {"id": "gid://shopify/Order/1"})
    assert client.budget.estimate(FETCH_ORDER.name, FETCH_ORDER.estimated_cost) == 321


def test_projects_the_refill_since_the_last_reading() -> None:
    clock = FakeClock()
    budget = CostBudget(clock=clock, sleep=clock.sleep)
    budget.settle(0, ThrottleStatus(maximum_available=1000, currently_available=100, restore_rate=50))
    clock.sleep(4)
    assert budget.available_now() == 300
    clock.sleep(100)
    assert budget.available_now() == 1000


def test_waits_exactly_what_the_refill_needs_then_reserves() -> None:
    clock = FakeClock()
    budget = CostBudget(clock=clock, sleep=clock.sleep)
    budget.settle(0, ThrottleStatus(maximum_available=1000, currently_available=100, restore_rate=50))
    budget.acquire(400)
    assert clock.slept == [6.0]
    assert budget.available_now() == 0


def test_an_over_long_wait_is_a_transient_error_with_the_wait() -> None:
    clock = FakeClock()
    budget = CostBudget(max_wait=2, clock=clock, sleep=clock.sleep)
    budget.settle(0, ThrottleStatus(maximum_available=1000, currently_available=0, restore_rate=100))
    with pytest.raises(TransientError) as caught:
        budget.acquire(500)
    assert caught.value.retry_after == 5.0
    assert clock.slept == []


def test_a_query_larger_than_the_bucket_waits_for_a_full_bucket_only() -> None:
    clock = FakeClock()
    budget = CostBudget(clock=clock, sleep=clock.sleep)
    budget.settle(0, ThrottleStatus(maximum_available=100, currently_available=0, restore_rate=10))
    budget.acquire(400)
    assert clock.slept == [10.0]


def test_first_query_goes_without_a_reading() -> None:
    clock = FakeClock()
    budget = CostBudget(clock=clock, sleep=clock.sleep)
    budget.acquire(999)
    assert clock.slept == []
    assert budget.available_now() is None
