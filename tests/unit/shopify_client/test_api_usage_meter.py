"""Each answer of Shopify is counted per minute in memory (calls, cost points, THROTTLED, the bucket's lowest
level), and the finished minutes are taken once, for the worker to store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.unit.shopify_client.payloads import ScriptedShopify, answer, cost_extensions
from trueup.adapters.shopify.api_usage import ApiUsageMeter
from trueup.adapters.shopify.graphql import ShopifyGraphQL
from trueup.adapters.shopify.queries import FETCH_ORDER
from trueup.domain.errors import TransientError

SHOP = "demo.myshopify.com"
NINE = datetime(2026, 11, 23, 9, 0, 12, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.at = NINE

    def __call__(self) -> datetime:
        return self.at


def throttled() -> dict:
    body = {
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        "extensions": cost_extensions(requested=350, available=120, rate=100),
    }
    body["extensions"]["cost"]["actualQueryCost"] = None
    return body


def a_client(replies: list[dict | httpx.Response], clock: Clock) -> ShopifyGraphQL:
    shopify = ScriptedShopify({FETCH_ORDER.name: lambda _v: replies.pop(0)})
    return ShopifyGraphQL(SHOP, "shpat_x", http=shopify.client(), usage=ApiUsageMeter(SHOP, clock))


def test_answers_are_counted_per_minute_with_their_cost_throttled_and_the_lowest_bucket_level() -> None:
    clock = Clock()
    replies = [
        answer({"order": None}, requested=352, available=1640),
        throttled(),
        httpx.Response(429, headers={"Retry-After": "2"}),
        answer({"order": None}, requested=20, available=1900),
    ]
    client = a_client(replies, clock)
    client.execute(FETCH_ORDER, {"id": "1"})
    for _ in range(2):
        with pytest.raises(TransientError):
            client.execute(FETCH_ORDER, {"id": "1"})
    clock.at = NINE + timedelta(minutes=1)
    client.execute(FETCH_ORDER, {"id": "1"})

    [nine, nine_one] = client.usage.take_usage()

    assert nine.minute == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert (nine.calls, nine.throttled, nine.requested_cost, nine.actual_cost) == (3, 2, 702, 352)
    assert (nine.lowest_available, nine.maximum_available, nine.restore_rate) == (120.0, 2000.0, 100.0)
    assert nine.budget_used_percent() == 94
    assert (nine_one.calls, nine_one.throttled, nine_one.actual_cost) == (1, 0, 20)


def test_only_finished_minutes_are_taken_and_each_only_once() -> None:
    clock = Clock()
    meter = ApiUsageMeter(SHOP, clock)
    meter.record(None, requested_cost=10, actual_cost=8)
    clock.at = NINE + timedelta(minutes=1)
    meter.record(None, requested_cost=10, actual_cost=8)
    this_minute = datetime(2026, 11, 23, 9, 1, tzinfo=UTC)

    assert [u.minute for u in meter.take_usage(before=this_minute)] == [this_minute - timedelta(minutes=1)]
    assert meter.take_usage(before=this_minute) == []
    assert [u.calls for u in meter.take_usage()] == [1]
    assert meter.take_usage() == []
