"""Alerts end to end on a real store, sent to a real SMTP server (aiosmtpd) and a real HTTP receiver: the
silence alert fires after the learned quiet time and recovers; 100 exceptions in a minute make one digest;
sustained THROTTLED is read from the workers' per-minute API use."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from tests.support.alert_receivers import http_receiver, smtp_server
from tests.support.deliveries import make_delivery, make_entry
from tests.unit.console.people_support import MovingClock
from trueup.adapters.notify.email import SmtpNotifier
from trueup.adapters.notify.webhook import WebhookNotifier
from trueup.adapters.storage import SqlStore, upgrade
from trueup.adapters.storage.console_store import SqlConsoleStore
from trueup.bootstrap import finding_sources
from trueup.domain.alerts import Condition, Rule
from trueup.domain.api_usage import ApiUsage
from trueup.domain.errors import Cause
from trueup.domain.ledger import OrderState
from trueup.service_layer.alerting import Alerter, AlertRules, failing_side
from trueup.service_layer.jobs import delivery_job

SHOP = "alpha.myshopify.com"
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@dataclass
class Setup:
    store: SqlStore
    alerter: Alerter
    clock: MovingClock
    mails: list[Message]
    posts: list[dict[str, Any]]

    def at(self, moment: datetime) -> int:
        self.clock.at = moment
        return self.alerter.run_once()

    def deliver(self, moment: datetime, count: int = 1) -> None:
        batch = [make_delivery(order_number=None, received_at=moment) for _ in range(count)]
        self.store.accept_deliveries(batch, delivery_job)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    url = f"sqlite:///{tmp_path / 'trueup.db'}"
    upgrade(url)
    clock = MovingClock(MONDAY_9)
    store, records = SqlStore(url, clock.now), SqlConsoleStore(url)
    with smtp_server() as (port, mails), http_receiver() as (webhook, posts):
        notifiers = [
            SmtpNotifier("127.0.0.1", port, "trueup@example.com", ["ops@example.com"], security="none"),
            WebhookNotifier(webhook),
        ]
        rules = AlertRules(digest_seconds=60, silence_floor_minutes=10, spike_count=20, spike_minutes=10)
        alerter = Alerter(store, records, records, notifiers, clock, [SHOP], rules, finding_sources(store))
        yield Setup(store, alerter, clock, mails, posts)  # the sources as `trueup alerts` wires them
    records.close()
    store.close()


def _lines(message: Message) -> list[str]:
    return message.get_payload(decode=True).decode().strip().splitlines()


def test_silence_fires_after_the_learned_quiet_time_then_recovers(setup: Setup) -> None:
    for week in range(4):  # four Mondays of trading, a webhook every 2 minutes from 9:00 to 11:00
        for minute in range(0, 120, 2):
            setup.deliver(MONDAY_9 + timedelta(weeks=week, minutes=minute))
    today = MONDAY_9 + timedelta(weeks=4)
    for minute in range(0, 61, 2):  # this Monday: trading until 10:00, then nothing
        setup.deliver(today + timedelta(minutes=minute))
    ten = today + timedelta(hours=1)

    assert setup.at(ten + timedelta(minutes=5)) == 0  # quiet 5 min: usual is 2 × 1.5, floor 10
    assert setup.at(ten + timedelta(minutes=11)) == 0  # fires, waits for the digest window
    assert setup.mails == []
    assert setup.at(ten + timedelta(minutes=12, seconds=30)) == 1
    assert setup.at(ten + timedelta(minutes=14)) == 0  # still silent: no repeated notice

    setup.deliver(ten + timedelta(minutes=15))
    setup.at(ten + timedelta(minutes=16))
    assert setup.at(ten + timedelta(minutes=17, seconds=30)) == 1

    assert [m["Subject"] for m in setup.mails] == [
        "trueup: 1 alert(s) firing, 0 recovered",
        "trueup: 0 alert(s) firing, 1 recovered",
    ]
    assert _lines(setup.mails[0]) == [
        f"FIRING silence {SHOP}: no webhooks for 12 min (usual at most 10 min at this hour of the week)"
    ]
    assert _lines(setup.mails[1])[0].startswith(f"RECOVERED silence {SHOP}: no webhooks for 2 min")
    assert [p["text"].splitlines()[1].split(" ")[:2] for p in setup.posts] == [
        ["FIRING", "silence"],
        ["RECOVERED", "silence"],
    ]


def test_a_hundred_exceptions_in_a_minute_make_one_digest(setup: Setup) -> None:
    causes = [Cause.SKU_NOT_IN_ITEM_MASTER, Cause.UNMAPPED_TAX, Cause.TOTALS_MISMATCH]
    for n in range(100):
        at = MONDAY_9 + timedelta(seconds=n * 0.6)
        setup.store.save_ledger_entry(
            make_entry(order_number=n + 1, state=OrderState.EXCEPTION, at=at, cause=causes[n % 3], detail="x")
        )
        if n % 10 == 9:
            setup.at(at)  # a check every ten exceptions, as the interval would

    setup.at(MONDAY_9 + timedelta(seconds=75))
    setup.at(MONDAY_9 + timedelta(minutes=3))  # nothing new: nothing more

    assert len(setup.mails) == 1
    assert _lines(setup.mails[0]) == [
        f"FIRING exception_cause {SHOP}|sku_not_in_item_master: 34 order(s) parked",
        f"FIRING exception_cause {SHOP}|totals_mismatch: 33 order(s) parked",
        f"FIRING exception_cause {SHOP}|unmapped_tax: 33 order(s) parked",
        f"FIRING exception_spike {SHOP}: 100 order(s) parked in the last 10 min",
    ]
    assert len(setup.posts) == 1


def _throttled_minutes(setup: Setup, minutes: list[int]) -> None:
    setup.store.add_api_usage(
        [ApiUsage(SHOP, MONDAY_9 + timedelta(minutes=m), calls=40, throttled=3, actual_cost=900) for m in minutes]
    )


def _throttled_alert(setup: Setup) -> Condition:
    [condition] = [c for c in setup.alerter.conditions() if c.rule == Rule.THROTTLED]
    return condition


def test_sustained_throttled_is_read_from_the_workers_minutes_and_recovers(setup: Setup) -> None:
    _throttled_minutes(setup, [0, 2, 4, 5])  # 4 of the 10 minutes before 9:10: not sustained
    setup.clock.at = MONDAY_9 + timedelta(minutes=10, seconds=5)
    assert not _throttled_alert(setup).firing

    _throttled_minutes(setup, [7])  # 5 of 10
    firing = _throttled_alert(setup)
    assert firing.firing
    assert firing.detail == "Shopify answered THROTTLED 15 time(s), in 5 of the last 10 minutes"

    setup.clock.at = MONDAY_9 + timedelta(minutes=15, seconds=5)  # 9:05–9:14: minutes 5 and 7 only
    assert not _throttled_alert(setup).firing


def test_a_call_held_back_by_the_cost_budget_counts_as_throttling_not_shopify_down() -> None:
    assert failing_side("TransientError: Shopify cost budget exhausted for a 352-point query") is Rule.THROTTLED
    assert failing_side("TransientError: cannot reach Shopify for a.myshopify.com") is Rule.SHOPIFY_UNREACHABLE


def test_a_digest_that_cannot_be_sent_stays_pending_and_goes_out_later(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'trueup.db'}"
    upgrade(url)
    clock = MovingClock(MONDAY_9)
    store, records = SqlStore(url, clock.now), SqlConsoleStore(url)
    store.save_ledger_entry(make_entry(order_number=1, state=OrderState.EXCEPTION, cause=Cause.UNMAPPED_TAX))
    with http_receiver(status=503) as (down, refused):
        alerter = Alerter(store, records, records, [WebhookNotifier(down)], clock, [SHOP], AlertRules(digest_seconds=0))
        assert alerter.run_once() == 0
    assert len(refused) == 1
    with http_receiver() as (up, received):
        alerter = Alerter(store, records, records, [WebhookNotifier(up)], clock, [SHOP], AlertRules(digest_seconds=0))
        clock.at += timedelta(minutes=1)
        assert alerter.run_once() == 1
    assert "FIRING exception_cause alpha.myshopify.com|unmapped_tax" in received[0]["text"]
    records.close()
    store.close()


def test_an_open_completeness_finding_fires_and_recovers_once_a_check_finds_it_put_right(setup: Setup) -> None:
    from trueup.domain.completeness import Finding, FindingKind

    missing = Finding(FindingKind.CREDIT_NOTE_MISSING, SHOP, "#1001", "REF-5", "no posted credit note REF-5")
    setup.store.replace_order_findings(SHOP, "#1001", [missing], MONDAY_9)  # as the check after a sync keeps it
    setup.at(MONDAY_9 + timedelta(minutes=1))
    assert setup.at(MONDAY_9 + timedelta(minutes=3)) == 1

    setup.store.replace_order_findings(SHOP, "#1001", [], MONDAY_9 + timedelta(minutes=4))  # a later check: put right
    setup.at(MONDAY_9 + timedelta(minutes=5))
    assert setup.at(MONDAY_9 + timedelta(minutes=7)) == 1

    firing, recovered = (_lines(m)[0] for m in setup.mails)
    title = "Shopify = ERP (completeness check)"
    assert firing.startswith(f"FIRING findings {SHOP}|{title}: 1 {title} finding(s), e.g. #1001: credit_note_missing")
    assert recovered.startswith(f"RECOVERED findings {SHOP}|{title}")
