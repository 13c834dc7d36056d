"""Payouts not booked show on the overview as findings, and turn the shop's light red."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.fakes.console_store import InMemoryConsoleStore
from tests.fakes.store import InMemoryStore
from tests.support.deliveries import T0
from trueup.domain.errors import Cause
from trueup.domain.money import Money
from trueup.domain.payouts import PayoutRecord, PayoutState, PayoutStatus
from trueup.service_layer.overview import overview
from trueup.service_layer.payout_findings import PayoutFindings

SHOP = "alpha.myshopify.com"


def _payout(payout_id: str, state: PayoutState, cause: Cause | None = None) -> PayoutRecord:
    return PayoutRecord(
        SHOP, payout_id, PayoutStatus.PAID, T0, Money(Decimal("100.00"), "USD"), state, T0, T0, cause=cause
    )


def test_a_payout_not_booked_is_a_finding_and_the_light_is_red() -> None:
    store = InMemoryStore(lambda: T0)
    source = PayoutFindings(store)
    assert source.findings(SHOP) is None  # no payout seen yet: the check has not run

    store.save_payout_record(_payout("1", PayoutState.BOOKED))
    assert source.findings(SHOP) == []
    green = overview(store, InMemoryConsoleStore(store), [SHOP], T0 + timedelta(minutes=1), [source]).shops[0]
    assert green.light == "green"

    store.save_payout_record(_payout("2", PayoutState.EXCEPTION, Cause.UNMAPPED_TAX))
    shop = overview(store, InMemoryConsoleStore(store), [SHOP], T0, [source]).shops[0]
    assert shop.light == "red"
    assert shop.why == ["1 payouts → booked findings"]
    assert shop.findings["payouts → booked"][0]["what"].startswith("payout 2 of 2026-11-27")
