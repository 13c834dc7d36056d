from decimal import Decimal

import pytest

from shopify_sandbox.trading import generate_shop, generate_trading
from shopify_sandbox.trading.graphql_client import AdminGraphQL, TradeError, throttle_wait_seconds
from shopify_sandbox.trading.player import TradePlayer
from tests.sandbox.trading.fake_admin_api import FakeAdminApi, planned_totals, throttled


def make_player(api: FakeAdminApi, slept: list[float]) -> TradePlayer:
    client = AdminGraphQL("http://fake", "token", http=api.client(), sleep=slept.append)
    return TradePlayer(client, sleep=slept.append)


def test_a_plan_is_played_with_every_placeholder_turned_into_an_id():
    shop = generate_shop(5)
    plan = generate_trading(5, shop, orders=300)
    api = FakeAdminApi(shop, totals=planned_totals(plan))
    player = make_player(api, [])
    player.load_ids()
    summary = player.play(plan)
    assert summary.errors == []
    assert summary.mismatched_orders == []
    assert summary.orders_placed == 300
    assert summary.follow_ups_done == len(plan) - 300 > 0
    assert "ref://" not in str(api.requests)
    assert summary.total_value["USD"] == sum(a.order.totals.total.shop for a in plan if a.order)


def test_a_throttled_answer_waits_for_the_bucket_then_retries():
    shop = generate_shop(5)
    api = FakeAdminApi(shop, script=[throttled(requested=200, available=50.0)])
    slept: list[float] = []
    player = make_player(api, slept)
    player.load_ids()
    assert slept == [1.5]  # (200 - 50) points at 100 points a second
    assert player.client.counters.throttled == 1


@pytest.mark.parametrize(
    ("extensions", "wait"),
    [
        ({"cost": {"requestedQueryCost": 1000, "throttleStatus": {"currentlyAvailable": 0, "restoreRate": 1000}}}, 1.0),
        ({"cost": {"requestedQueryCost": 10, "throttleStatus": {"currentlyAvailable": 5, "restoreRate": 50}}}, 0.1),
        (None, 1.0),
    ],
)
def test_the_throttle_wait_follows_the_throttle_status(extensions, wait):
    assert throttle_wait_seconds(extensions) == pytest.approx(wait)


def test_429_and_5xx_are_retried_after_a_wait():
    api = FakeAdminApi(generate_shop(5), script=[(429, {"errors": "Too many"}, {"Retry-After": "2"}), (503, None, {})])
    slept: list[float] = []
    player = make_player(api, slept)
    player.load_ids()
    assert slept == [2.0, 0.25]
    assert player.client.counters.retried == 2


def test_a_refused_token_stops_the_trade():
    api = FakeAdminApi(generate_shop(5), script=[(401, {"errors": "[API] Invalid API key or access token"}, {})])
    with pytest.raises(TradeError, match="401"):
        make_player(api, []).load_ids()


def test_a_sandbox_that_keeps_failing_stops_the_trade():
    api = FakeAdminApi(generate_shop(5), script=[(502, None, {})] * 10)
    with pytest.raises(TradeError, match="keeps failing"):
        make_player(api, []).load_ids()


def test_a_follow_up_of_an_order_that_was_not_placed_fails_alone():
    shop = generate_shop(5)
    plan = generate_trading(5, shop, orders=300)
    first_follow_up = next(a for a in plan if a.kind != "order_create")
    api = FakeAdminApi(shop)
    player = make_player(api, [])
    player.load_ids()
    created = [a for a in plan if a.kind == "order_create" and a.order_position != first_follow_up.order_position]
    api.totals = planned_totals(created)
    summary = player.play([*created, first_follow_up])
    assert summary.follow_ups_failed == 1
    assert summary.errors == [
        f"{first_follow_up.kind} (order {first_follow_up.order_position}): "
        f"order {first_follow_up.order_position} was not placed"
    ]


def test_an_order_total_that_differs_from_the_plan_is_reported():
    shop = generate_shop(5)
    plan = [a for a in generate_trading(5, shop, orders=10) if a.kind == "order_create"]
    paid = [a.order_position for a in plan if a.order and a.order.financial_status == "PAID"]
    api = FakeAdminApi(shop, totals=planned_totals(plan), wrong_total_for={paid[0]})
    player = make_player(api, [])
    player.load_ids()
    summary = player.play(plan)
    assert summary.mismatched_orders == [paid[0]]
    assert "999.99" in summary.errors[0]


def test_speed_paces_the_plan_on_the_clock():
    shop = generate_shop(5)
    plan = [a for a in generate_trading(5, shop, orders=3) if a.kind == "order_create"]
    slept: list[float] = []
    client = AdminGraphQL("http://fake", "token", http=FakeAdminApi(shop).client(), sleep=slept.append)
    player = TradePlayer(client, speed=10.0, sleep=slept.append, monotonic=lambda: 0.0)
    player.load_ids()
    player.play(plan)
    assert slept == [a.at_seconds / 10 for a in plan]
    assert all(isinstance(s, float) for s in slept)
    assert Decimal(0) <= Decimal(str(slept[0]))
