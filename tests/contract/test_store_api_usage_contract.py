"""The Store contract for Shopify's API use per shop and minute: the in-memory fake, SqlStore on SQLite and on
PostgreSQL (the `store` fixture of tests/contract/conftest.py)."""

from __future__ import annotations

from datetime import timedelta

from tests.support.deliveries import T0
from trueup.domain.api_usage import ApiUsage
from trueup.service_layer.ports import Store

SHOP, OTHER = "alpha.myshopify.com", "beta.myshopify.com"
MINUTE = T0.replace(second=0, microsecond=0)


def a_minute(shop: str = SHOP, minutes: int = 0, **counts: float) -> ApiUsage:
    values: dict[str, float] = {
        "calls": 4,
        "throttled": 1,
        "requested_cost": 1400,
        "actual_cost": 380,
        "lowest_available": 1250.0,
        "maximum_available": 2000.0,
        "restore_rate": 100.0,
        **counts,
    }
    return ApiUsage(shop, MINUTE + timedelta(minutes=minutes), **values)  # type: ignore[arg-type]


def test_a_minute_reads_back_as_added(store: Store) -> None:
    store.add_api_usage([a_minute()])

    assert store.api_usage(MINUTE) == [a_minute()]


def test_two_workers_samples_of_one_minute_add_up_and_keep_the_lowest_bucket_level(store: Store) -> None:
    store.add_api_usage([a_minute(lowest_available=1250.0)])
    store.add_api_usage([a_minute(calls=2, throttled=0, requested_cost=700, actual_cost=90, lowest_available=310.0)])
    store.add_api_usage([a_minute(calls=1, throttled=0, requested_cost=10, actual_cost=0, lowest_available=1900.0)])

    [row] = store.api_usage(MINUTE)

    assert (row.calls, row.throttled, row.requested_cost, row.actual_cost) == (7, 1, 2110, 470)
    assert row.lowest_available == 310.0
    assert (row.maximum_available, row.restore_rate) == (2000.0, 100.0)


def test_a_minute_without_any_reading_of_the_bucket_takes_the_next_reading(store: Store) -> None:
    blind = a_minute(actual_cost=0, lowest_available=None, maximum_available=None, restore_rate=None)
    store.add_api_usage([blind])
    assert store.api_usage(MINUTE)[0].lowest_available is None

    store.add_api_usage([a_minute(calls=1, lowest_available=800.0)])

    [row] = store.api_usage(MINUTE)
    assert (row.calls, row.lowest_available, row.maximum_available, row.restore_rate) == (5, 800.0, 2000.0, 100.0)
    store.add_api_usage([blind])
    assert store.api_usage(MINUTE)[0].lowest_available == 800.0


def test_minutes_are_read_from_a_moment_on_by_minute_then_shop_and_of_one_shop(store: Store) -> None:
    store.add_api_usage([a_minute(OTHER, 1), a_minute(SHOP, 1), a_minute(SHOP, 0), a_minute(SHOP, 2)])

    listed = store.api_usage(MINUTE + timedelta(minutes=1))

    assert [(u.minute - MINUTE, u.shop) for u in listed] == [  # alpha before beta
        (timedelta(minutes=1), SHOP),
        (timedelta(minutes=1), OTHER),
        (timedelta(minutes=2), SHOP),
    ]
    assert [u.minute for u in store.api_usage(MINUTE, shop=OTHER)] == [MINUTE + timedelta(minutes=1)]


def test_the_purge_deletes_the_minutes_before_a_moment(store: Store) -> None:
    store.add_api_usage([a_minute(minutes=0), a_minute(minutes=1), a_minute(OTHER, minutes=1)])

    assert store.purge_api_usage(MINUTE + timedelta(minutes=1)) == 1
    later = MINUTE + timedelta(minutes=1)
    assert [(u.minute, u.shop) for u in store.api_usage(MINUTE)] == [(later, SHOP), (later, OTHER)]


def test_erasing_a_shop_erases_its_api_use(store: Store) -> None:
    store.add_api_usage([a_minute(SHOP), a_minute(OTHER)])

    assert store.erase_shop(SHOP).get("api_usage") == 1
    assert [u.shop for u in store.api_usage(MINUTE)] == [OTHER]
