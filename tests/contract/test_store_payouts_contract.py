"""The Store contract for payout records: the in-memory fake, SqlStore on SQLite and on PostgreSQL (the `store`
fixture of tests/contract/conftest.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from tests.support.deliveries import T0
from trueup.domain.errors import Cause
from trueup.domain.money import Money
from trueup.domain.payouts import PayoutRecord, PayoutState, PayoutStatus
from trueup.service_layer.ports import Store

SHOP, OTHER = "alpha.myshopify.com", "beta.myshopify.com"


def a_record(number: int, shop: str = SHOP, days: int = 0, **changes: object) -> PayoutRecord:
    record = PayoutRecord(
        shop=shop,
        payout_id=str(7000 + number),
        status=PayoutStatus.PAID,
        issued_at=T0 + timedelta(days=days),
        net=Money(Decimal("129.84"), "USD"),
        state=PayoutState.BOOKED,
        first_seen_at=T0,
        updated_at=T0,
        totals={"charges": Money(Decimal("154.10"), "USD"), "fees": Money(Decimal("4.26"), "USD")},
        transactions=3,
        entry_id="41",
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def test_a_record_reads_back_as_saved_and_saving_again_keeps_when_it_was_first_seen(store: Store) -> None:
    waiting = a_record(
        1,
        state=PayoutState.EXCEPTION,
        entry_id=None,
        cause=Cause.PAYOUT_WAITING_FOR_ORDERS,
        detail="payout 7001: 1 order(s) not in the ERP yet",
        needs={"orders": ["gid://shopify/Order/1"]},
    )
    store.save_payout_record(waiting)
    assert store.payout_record(SHOP, "7001") == waiting

    booked = a_record(1, first_seen_at=T0 + timedelta(hours=1), updated_at=T0 + timedelta(hours=1))
    store.save_payout_record(booked)

    assert store.payout_record(SHOP, "7001") == replace(booked, first_seen_at=T0)
    assert store.payout_record(OTHER, "7001") is None


def test_records_are_listed_by_issue_date_shop_and_state(store: Store) -> None:
    late = a_record(2, days=3)
    early = a_record(3, days=1, status=PayoutStatus.FAILED, state=PayoutState.RETURNED, returned_entry_id="42")
    other = a_record(4, shop=OTHER, days=2)
    for record in (late, early, other):
        store.save_payout_record(record)

    assert store.payout_records() == [early, other, late]
    assert store.payout_records(shop=SHOP) == [early, late]
    assert store.payout_records(issued_from=T0 + timedelta(days=2), issued_before=T0 + timedelta(days=3)) == [other]
    assert store.payout_records(states=[PayoutState.RETURNED]) == [early]
