"""The Store contract for fulfilment records: the in-memory fake, SqlStore on SQLite and on PostgreSQL (the
`store` fixture of tests/contract/conftest.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.support.deliveries import T0
from trueup.domain.errors import Cause
from trueup.domain.fulfilment import FulfilmentRecord, FulfilmentState, Shipment, ShipmentLine, Tracking
from trueup.service_layer.ports import Store

SHOP, OTHER = "alpha.myshopify.com", "beta.myshopify.com"


def a_record(number: int, shop: str = SHOP, minutes: int = 0, **changes: object) -> FulfilmentRecord:
    shipment = Shipment(
        f"stock.shipment.out,{number}",
        f"shopify:{shop}:{1000 + number}",
        (ShipmentLine("TEE-M", 2), ShipmentLine("CAP", 1)),
        carrier="DHL",
        tracking_number=f"JD{number}",
        warehouse="WH2",
    )
    record = FulfilmentRecord(
        shop,
        shipment,
        f"gid://shopify/Order/{1000 + number}",
        FulfilmentState.PENDING,
        T0 + timedelta(minutes=minutes),
        fulfilments_before=1,
        tracking=Tracking("DHL", f"JD{number}", None),
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def test_a_record_reads_back_as_saved_and_replacing_it_keeps_one(store: Store) -> None:
    pending = a_record(1)
    store.save_fulfilment_record(pending)
    assert store.fulfilment_record(SHOP, pending.shipment_id) == pending
    done = replace(
        pending,
        state=FulfilmentState.FULFILLED,
        fulfillment_id="gid://shopify/Fulfillment/9",
        tracking=Tracking("DHL", "JD1", "https://dhl.example/JD1"),
    )
    store.save_fulfilment_record(done)
    assert store.fulfilment_record(SHOP, pending.shipment_id) == done
    assert store.fulfilment_records() == [done]


def test_a_failed_record_keeps_its_cause_and_detail(store: Store) -> None:
    failed = a_record(2, state=FulfilmentState.FAILED, cause=Cause.UNMAPPED_LOCATION, detail="warehouse WH2")
    store.save_fulfilment_record(failed)
    assert store.fulfilment_record(SHOP, failed.shipment_id) == failed


def test_records_are_listed_by_shop_and_state_oldest_first(store: Store) -> None:
    late_failed = a_record(3, minutes=5, state=FulfilmentState.FAILED, cause=Cause.FULFILMENT_ORDER_NOT_FOUND)
    early_retry = a_record(4, minutes=1, state=FulfilmentState.RETRY, cause=Cause.FULFILMENT_ORDER_NOT_FOUND)
    fulfilled = a_record(5, state=FulfilmentState.FULFILLED, fulfillment_id="gid://shopify/Fulfillment/5")
    elsewhere = a_record(6, shop=OTHER, minutes=7, state=FulfilmentState.FAILED, cause=Cause.UNMAPPED_LOCATION)
    for record in (late_failed, early_retry, fulfilled, elsewhere):
        store.save_fulfilment_record(record)
    waiting = (FulfilmentState.FAILED, FulfilmentState.RETRY)
    assert store.fulfilment_records(SHOP, waiting) == [early_retry, late_failed]
    assert store.fulfilment_records(states=(FulfilmentState.FAILED,)) == [late_failed, elsewhere]
    assert store.fulfilment_records(OTHER) == [elsewhere]
    assert store.fulfilment_record(OTHER, late_failed.shipment_id) is None
