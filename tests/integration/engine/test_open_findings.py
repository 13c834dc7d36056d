"""The completeness check's findings kept in the store (on every store): found by the check after a sync, shown
by `trueup status` and the console's finding source, and gone once a later check finds them put right."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import timedelta

from rich.console import Console

from tests.integration.engine.test_refunds import a_refund, units
from tests.integration.engine.test_verify import posted_orders
from tests.unit.engine.harness import SHOP, Engine
from trueup.domain.completeness import FindingKind
from trueup.domain.posting import order_reference
from trueup.domain.refunds import RestockType, refund_reference
from trueup.entrypoints.status_view import render_status
from trueup.service_layer.completeness_findings import CompletenessFindings
from trueup.service_layer.status import build_status
from trueup.service_layer.verify import verify_shop


def refunded(engine: Engine, order, number: int) -> None:  # type: ignore[no-untyped-def]
    engine.shopify.put_refund(a_refund(order, number, units(1, "10.00", "2.00", RestockType.NO_RESTOCK)))
    engine.notify(order.order_id)
    engine.run_until_idle()


def shown(engine: Engine) -> str:
    out = io.StringIO()
    render_status(build_status(engine.store, engine.clock, shops=[SHOP]), Console(file=out, width=400))
    return out.getvalue()


def test_a_credit_note_missing_found_by_a_sync_is_kept_shown_and_cleared_once_put_right(engine: Engine):
    order, _ = posted_orders(engine)
    source = CompletenessFindings(engine.store)
    assert source.findings(SHOP) is None, "the check has not run over the shop, nor found anything"
    refunded(engine, order, 5)
    first_note = refund_reference(SHOP, a_refund(order, 5))
    deleted = engine.erp.posted.credit_notes.pop(first_note)  # by hand in the ERP, between two syncs

    refunded(engine, order, 6)  # the second refund's sync checks the order's documents at once

    (kept,) = engine.store.open_findings(SHOP)
    assert (kept.finding.order, kept.finding.kind, kept.finding.document) == (
        order.name,
        FindingKind.CREDIT_NOTE_MISSING,
        first_note,
    )
    assert kept.found_at == engine.clock.now()
    (panel,) = source.findings(SHOP) or []
    assert panel["what"].startswith(f"{order.name}: credit_note_missing")
    assert "trueup replay --order" in panel["what_to_do"]
    report = build_status(engine.store, engine.clock, shop=SHOP).to_json()
    (group,) = report["completeness"]["by_kind"]
    assert (report["completeness"]["open"], group["kind"], group["count"]) == (1, "credit_note_missing", 1)
    assert group["examples"][0]["document"] == first_note
    json.dumps(report)  # `trueup status --json` prints it
    text = shown(engine)
    assert "Completeness check: 1 open finding(s)" in text
    assert f"{order.name} ({SHOP}): no posted credit note {first_note}" in text

    engine.erp.posted.credit_notes[first_note] = deleted  # put right in the ERP
    engine.clock.advance(timedelta(days=30).total_seconds())  # long past the sweep's lookback
    engine.worker.schedule_periodic()
    engine.clock.advance(engine.worker.settings.verify_interval_seconds)
    engine.run_until_idle()

    assert engine.store.open_findings(SHOP) == [], "an order with open findings is checked again until put right"
    assert source.findings(SHOP) == [], "the sweep has run: the panel says no findings, not 'not run yet'"
    assert "Completeness check: no open finding" in shown(engine)


def test_a_finding_found_again_keeps_when_it_was_first_found_and_one_fixed_at_once_is_not_kept(engine: Engine):
    order, other = posted_orders(engine)
    refunded(engine, order, 5)
    engine.erp.posted.credit_notes.clear()
    reference = order_reference(other)
    engine.erp.sales[reference] = replace(engine.erp.sales[reference], state="confirmed")  # trueup processes it
    first = verify_shop(engine.ctx, SHOP)
    engine.clock.advance(60)

    again = verify_shop(engine.ctx, SHOP)

    assert [f.kind for f in first.open] == [f.kind for f in again.open] == [FindingKind.CREDIT_NOTE_MISSING]
    assert [(f.order, f.fixed) for f in first.findings if f.kind is FindingKind.SALE_NOT_PROCESSING] == [
        (other.name, True)
    ]
    (kept,) = engine.store.open_findings(SHOP)
    assert kept.found_at == engine.clock.now() - timedelta(seconds=60)
    assert other.name not in {o.finding.order for o in engine.store.open_findings(SHOP)}
