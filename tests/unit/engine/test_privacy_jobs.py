"""A privacy webhook, once stored, is honoured by the worker like any other job, and only once."""

from __future__ import annotations

import json

from tests.factories import SHOP
from tests.fakes.console_store import InMemoryConsoleStore
from tests.support.deliveries import make_delivery
from tests.unit.engine.harness import Engine

from trueup.domain.alerts import AlertState
from trueup.domain.people import Action, AuditRecord
from trueup.domain.privacy import REDACTED_BODY
from trueup.service_layer.jobs import delivery_job
from trueup.service_layer.ports import EXPIRED_BODY
from trueup.service_layer.worker import Worker

EMAIL = "ada.lovelace@example.com"


def test_the_worker_honours_each_privacy_request_it_finds_queued() -> None:
    engine = Engine()
    order = json.dumps({"id": 1, "email": EMAIL}).encode()
    redact = json.dumps({"customer": {"id": 42, "email": EMAIL}, "orders_to_redact": [1]}).encode()
    other = json.dumps({"customer": {"id": 43, "email": "grace@example.com"}, "orders_to_redact": []}).encode()
    engine.store.accept_deliveries(
        [
            make_delivery(shop=SHOP, webhook_id="order-1", order_number=None, topic="orders/paid", body=order),
            make_delivery(shop=SHOP, webhook_id="red-1", order_number=None, topic="customers/redact", body=redact),
            make_delivery(shop=SHOP, webhook_id="red-2", order_number=None, topic="customers/redact", body=other),
        ],
        delivery_job,
    )

    engine.run_until_idle()

    reports = {r.webhook_id: r for r in engine.store.privacy_reports(SHOP)}
    assert set(reports) == {"red-1", "red-2"}, "two requests at once: both queued, both honoured"
    assert reports["red-1"].records == {"deliveries": 1}
    assert engine.store.stored_delivery("order-1").body == REDACTED_BODY  # type: ignore[union-attr]
    assert engine.store.pending_jobs() == 0
    assert engine.run_until_idle() == 0, "honoured once"


def test_the_purge_expires_bodies_after_their_retention_and_keeps_the_deliveries() -> None:
    engine = Engine()
    start = engine.clock.now()
    order = json.dumps({"id": 1, "email": EMAIL}).encode()
    engine.store.accept_deliveries(
        [make_delivery(shop=SHOP, webhook_id="order-1", order_number=None, received_at=start, body=order)],
        delivery_job,
    )
    worker = engine.worker_named("w2", delivery_bodies_retention_days=7, deliveries_retention_days=30)
    engine.clock.advance(8 * 86400)

    worker.schedule_periodic()
    while worker.run_once():
        pass

    assert engine.store.stored_delivery("order-1").body == EXPIRED_BODY  # type: ignore[union-attr]
    assert engine.store.intake_stats().deliveries == 1


def test_the_workers_privacy_job_reaches_the_consoles_audit_and_alerts_it_was_given() -> None:
    engine = Engine()
    console = InMemoryConsoleStore(engine.store)
    console.record(AuditRecord(engine.clock.now(), "olga", Action.REPLAY, "done", ["#1001"], f"filter order={EMAIL}"))
    console.save_alert_state(AlertState("erp_unreachable", SHOP, True, engine.clock.now(), None, f"party {EMAIL}"))
    worker = Worker("w", engine.store, {SHOP: engine.ctx}, engine.clock, console=console)
    redact = json.dumps({"customer": {"id": 42, "email": EMAIL}, "orders_to_redact": []}).encode()
    engine.store.accept_deliveries(
        [make_delivery(shop=SHOP, webhook_id="red-1", order_number=None, topic="customers/redact", body=redact)],
        delivery_job,
    )

    while worker.run_once():
        pass

    (report,) = engine.store.privacy_reports(SHOP)
    assert (report.records["console_audit"], report.records["alert_states"]) == (1, 1)
    assert EMAIL not in repr(console.audit_records()) + repr(console.alert_states())
    assert console.audit_records()[0].orders == ["#1001"]
