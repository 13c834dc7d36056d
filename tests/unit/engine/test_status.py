from datetime import timedelta
from decimal import Decimal

from tests.fakes.store import InMemoryStore
from tests.support.deliveries import T0, make_delivery, make_entry
from tests.unit.engine.harness import MovableClock

from trueup.domain.errors import WHAT_TO_DO, Cause
from trueup.domain.ledger import OrderState
from trueup.domain.money import Money
from trueup.service_layer.jobs import delivery_job
from trueup.service_layer.status import build_status


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def a_store_with_history() -> InMemoryStore:
    store = InMemoryStore(clock=lambda: T0)
    store.save_ledger_entry(make_entry(order_number=1, state=OrderState.POSTED, total="10.00", erp_total=eur("10.00")))
    store.save_ledger_entry(make_entry(order_number=2, state=OrderState.POSTED, total="5.00", erp_total=eur("4.99")))
    store.save_ledger_entry(
        make_entry(order_number=3, state=OrderState.WAITING_FOR_PAYMENT, at=T0 - timedelta(hours=2))
    )
    parked = make_entry(order_number=4, at=T0 - timedelta(minutes=5))
    store.save_ledger_entry(
        parked.moved_to(
            OrderState.EXCEPTION,
            T0 - timedelta(minutes=5),
            cause=Cause.SKU_NOT_IN_ITEM_MASTER,
            detail="SKU(s) HAT not in the ERP item master",
            needs={"skus": ["HAT"]},
        )
    )
    store.accept_deliveries([make_delivery(received_at=T0 - timedelta(seconds=90))], delivery_job)
    store.accept_deliveries(
        [make_delivery(topic="shop/unknown_thing", known_topic=False, order_number=None)], delivery_job
    )
    return store


def test_status_interprets_the_ledger_for_a_person():
    report = build_status(a_store_with_history(), MovableClock(T0))
    assert report.orders_by_state == {"posted": 2, "waiting_for_payment": 1, "exception": 1}
    (group,) = report.exceptions
    assert (group.cause, group.count, group.what_to_do) == (
        "sku_not_in_item_master",
        1,
        WHAT_TO_DO[Cause.SKU_NOT_IN_ITEM_MASTER],
    )
    assert group.examples == [
        {"order": "#1004", "shop": "alpha.myshopify.com", "detail": "SKU(s) HAT not in the ERP item master"}
    ]
    assert report.oldest_stuck is not None
    assert (report.oldest_stuck.order, report.oldest_stuck.age_seconds) == ("#1003", 7200.0)
    assert report.seconds_since_last_webhook == 0.0
    assert report.unknown_topics == {"shop/unknown_thing": 1}


def test_status_shows_deliveries_kept_but_not_understood_with_what_to_do_and_refusals():
    store = a_store_with_history()
    store.accept_deliveries(
        [make_delivery(problem="body_not_json", order_number=None), make_delivery(problem="body_not_json")],
        delivery_job,
    )
    store.count_refused({"too_old": 2})

    report = build_status(store, MovableClock(T0))

    rows = {row["problem"]: row for row in report.kept_not_understood}
    assert rows["body_not_json"]["count"] == 2
    assert "JSON" in str(rows["body_not_json"]["what_to_do"])
    assert rows["unknown_topic:shop/unknown_thing"]["count"] == 1
    assert report.refused_requests == {"too_old": 2}
    assert report.to_json()["refused_requests"] == {"too_old": 2}


def test_status_shows_both_sides_totals_and_every_order_that_differs():
    report = build_status(a_store_with_history(), MovableClock(T0 + timedelta(minutes=1)))
    assert report.posted_totals == {"EUR": {"shopify": "15.00", "erp": "14.99"}}
    assert report.total_mismatches == [
        {"order": "#1002", "shop": "alpha.myshopify.com", "shopify": "5.00 EUR", "erp": "4.99 EUR"}
    ]
    assert report.to_json()["orders_by_state"]["posted"] == 2


def test_status_shows_what_customers_paying_in_other_currencies_were_charged_in_them():
    store = a_store_with_history()
    usd = {"presentment_total": Money(Decimal("11.80"), "USD")}
    store.save_ledger_entry(make_entry(order_number=5, state=OrderState.POSTED, erp_total=eur("12.30"), **usd))
    store.save_ledger_entry(
        make_entry(
            order_number=6,
            state=OrderState.POSTED,
            erp_total=eur("12.30"),
            presentment_total=Money(Decimal("10.51"), "GBP"),
        )
    )
    store.save_ledger_entry(make_entry(order_number=7, state=OrderState.POSTED, erp_total=eur("12.30"), **usd))
    store.save_ledger_entry(make_entry(order_number=8, state=OrderState.WAITING_FOR_PAYMENT, **usd))  # not posted

    report = build_status(store, MovableClock(T0))

    assert report.charged_in_other_currencies == {"GBP": "10.51", "USD": "23.60"}
    assert report.posted_totals["EUR"] == {"shopify": "51.90", "erp": "51.89"}


ALPHA, BETA = "alpha.myshopify.com", "beta.myshopify.com"


def two_shops_numbering_alike() -> InMemoryStore:
    """Two shops feeding one back-office, each numbering its orders from #1001."""
    store = InMemoryStore(clock=lambda: T0)
    for shop, stuck_for in ((ALPHA, timedelta(hours=1)), (BETA, timedelta(hours=3))):
        store.save_ledger_entry(make_entry(shop=shop, order_number=1, state=OrderState.POSTED, erp_total=eur("12.30")))
        waiting = make_entry(shop=shop, order_number=2, state=OrderState.WAITING_FOR_PAYMENT, at=T0 - stuck_for)
        store.save_ledger_entry(waiting)
    parked = make_entry(shop=BETA, order_number=3)
    store.save_ledger_entry(
        parked.moved_to(OrderState.EXCEPTION, T0, cause=Cause.SKU_NOT_IN_ITEM_MASTER, detail="SKU(s) HAT")
    )
    store.accept_deliveries([make_delivery(shop=BETA, received_at=T0 - timedelta(minutes=10))], delivery_job)
    return store


def test_status_reports_each_shop_on_its_own_and_names_the_shop_of_every_order():
    report = build_status(two_shops_numbering_alike(), MovableClock(T0), shops=[ALPHA, BETA])

    alpha, beta = report.shops
    assert (alpha.shop, beta.shop) == (ALPHA, BETA)
    assert alpha.orders_by_state == {"posted": 1, "waiting_for_payment": 1}
    assert beta.orders_by_state == {"posted": 1, "waiting_for_payment": 1, "exception": 1}
    assert report.orders_by_state == {"posted": 2, "waiting_for_payment": 2, "exception": 1}
    assert alpha.oldest_stuck is not None
    assert report.oldest_stuck is not None
    assert (alpha.oldest_stuck.order, alpha.oldest_stuck.shop, alpha.oldest_stuck.age_seconds) == ("#1002", ALPHA, 3600)
    assert (report.oldest_stuck.order, report.oldest_stuck.shop) == ("#1002", BETA)
    assert alpha.exceptions == []
    assert beta.exceptions[0].examples == [{"order": "#1003", "shop": BETA, "detail": "SKU(s) HAT"}]
    assert (alpha.seconds_since_last_webhook, beta.seconds_since_last_webhook) == (None, 600.0)
    assert (alpha.pending_jobs, beta.pending_jobs) == (0, 1)
    assert alpha.posted_totals == beta.posted_totals == {"EUR": {"shopify": "12.30", "erp": "12.30"}}
    assert report.posted_totals == {"EUR": {"shopify": "24.60", "erp": "24.60"}}


def test_status_of_one_shop_leaves_the_other_out():
    report = build_status(two_shops_numbering_alike(), MovableClock(T0), shops=[ALPHA, BETA], shop=ALPHA)

    assert [section.shop for section in report.shops] == [ALPHA]
    assert report.shop == ALPHA
    assert report.orders_by_state == {"posted": 1, "waiting_for_payment": 1}
    assert report.exceptions == []
    assert report.to_json()["shops"][0]["oldest_stuck"]["shop"] == ALPHA
