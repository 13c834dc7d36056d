"""`trueup verify` on the engine's fakes (and the real stores): each difference made behind trueup's back in the
ERP is found and named, a sale left confirmed is processed, and a clean run reports every document equal."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from structlog.testing import capture_logs

from tests.factories import a_line, an_order, eur
from tests.integration.engine.test_refunds import a_refund, units
from tests.unit.engine.harness import SHOP, Engine
from trueup.domain.completeness import FindingKind
from trueup.domain.posting import order_reference
from trueup.domain.refunds import RestockType
from trueup.domain.sales import ShipmentStage
from trueup.service_layer.verify import verify_shop


def posted_orders(engine: Engine, count: int = 2) -> list:  # type: ignore[type-arg]
    orders = [
        engine.shopify.put_order(an_order([a_line(quantity=2, price="10.00", tax="4.00")], number=1000 + n))
        for n in range(1, count + 1)
    ]
    for order in orders:
        engine.notify(order.order_id)
    engine.run_until_idle()
    return orders


def kinds(engine: Engine) -> list[tuple[str, FindingKind, bool]]:
    report = verify_shop(engine.ctx, SHOP)
    return [(f.order, f.kind, f.fixed) for f in report.findings]


def test_a_clean_run_reports_every_document_equal(engine: Engine):
    order, _ = posted_orders(engine)
    engine.shopify.put_refund(a_refund(order, 5, units(1, "10.00", "2.00")))
    engine.notify(order.order_id)
    engine.run_until_idle()
    report = verify_shop(engine.ctx, SHOP)
    assert report.findings == []
    assert (report.orders, report.documents, report.equal_documents) == (2, 4, 4)  # 2 sales, a note, its return
    day, month = str(order.created_at)[:10], str(order.created_at)[:7]
    assert set(report.periods) == {day, month}
    figures = report.periods[month]
    assert figures["shopify_sales"] == figures["erp_sales"] == Decimal("48.00")
    assert figures["shopify_tax VAT 20"] == Decimal("8.00")
    assert figures["erp_tax VAT20"] == Decimal("8.00")  # read from the ERP's invoices, per ERP tax
    assert figures["erp_credit_notes"] == Decimal("12.00")


def test_a_tax_variance_posted_as_shopify_charged_is_no_finding_and_is_in_the_period_figures(engine: Engine):
    posted_orders(engine, 1)  # 4.00 of tax on 20.00: no variance
    varied = engine.shopify.put_order(an_order([a_line(quantity=1, price="10.00", tax="2.50")], number=1009))
    engine.notify(varied.order_id)
    engine.run_until_idle()

    report = verify_shop(engine.ctx, SHOP)

    assert report.findings == []  # the ERP's documents carry Shopify's tax: equal to the cent
    figures = report.periods[str(varied.created_at)[:7]]
    assert figures["shopify_tax VAT 20"] == Decimal("6.50")
    assert figures["erp_tax VAT20"] == Decimal("6.50")  # the invoice carries Shopify's tax, the ERP's rate gives 6.00
    assert figures["tax_variance VAT20"] == Decimal("0.50")  # Shopify's less what the ERP's rate gives


def test_a_shipment_cancelled_by_hand_is_found(engine: Engine):
    order, _ = posted_orders(engine)
    sale = engine.erp.sales[order_reference(order)]
    engine.erp.set_shipment_stage(sale.erp_id, ShipmentStage.CANCELLED)
    assert kinds(engine) == [(order.name, FindingKind.SHIPMENT_MISSING, False)]


def test_a_credit_note_gone_from_the_erp_is_found(engine: Engine):
    order, _ = posted_orders(engine)
    engine.shopify.put_refund(a_refund(order, 5, units(1, "10.00", "2.00")))
    engine.notify(order.order_id)
    engine.run_until_idle()
    engine.erp.posted.credit_notes.clear()
    assert kinds(engine) == [(order.name, FindingKind.CREDIT_NOTE_MISSING, False)]


def test_an_amount_changed_in_the_erp_is_found(engine: Engine):
    _, order = posted_orders(engine)
    reference = order_reference(order)
    engine.erp.sales[reference] = replace(engine.erp.sales[reference], total=eur("23.99"))
    assert kinds(engine) == [(order.name, FindingKind.AMOUNT_DIFFERS, False)]


def test_a_sale_left_confirmed_is_found_and_processed(engine: Engine):
    order, _ = posted_orders(engine)
    reference = order_reference(order)
    engine.erp.sales[reference] = replace(engine.erp.sales[reference], state="confirmed")
    assert kinds(engine) == [(order.name, FindingKind.SALE_NOT_PROCESSING, True)]
    assert engine.erp.sales[reference].state == "processing"
    assert kinds(engine) == []


def test_a_cancelled_order_whose_sale_is_not_cancelled_is_found(engine: Engine):
    order, _ = posted_orders(engine)
    engine.erp.down = True  # the cancellation cannot reach the ERP...
    engine.shopify.update_order(order.order_id, cancelled_at=order.created_at)
    engine.erp.down = False
    engine.store.save_ledger_entry(replace(engine.entry(order.order_id)))  # ...and trueup never synced it
    assert kinds(engine) == [(order.name, FindingKind.CANCELLATION_INCOMPLETE, False)]


def test_the_periodic_sweep_checks_recent_orders_and_processes_a_sale_left_confirmed(engine: Engine):
    order, _ = posted_orders(engine)
    reference = order_reference(order)
    engine.erp.sales[reference] = replace(engine.erp.sales[reference], state="confirmed")
    engine.worker.schedule_periodic()
    engine.clock.advance(engine.worker.settings.verify_interval_seconds)
    with capture_logs() as logs:
        engine.run_until_idle()
    (swept,) = [e for e in logs if e["event"] == "verify_swept"]
    assert (swept["orders"], swept["fixed"], swept["open"]) == (2, 1, 0)
    assert engine.erp.sales[reference].state == "processing"


def test_a_sync_that_changes_a_posted_order_checks_its_erp_documents_at_once(engine: Engine):
    with capture_logs() as clean:
        order, _ = posted_orders(engine)
    assert [e for e in clean if e["event"] == "verify_finding"] == []  # posted and checked: nothing to say
    sale = engine.erp.sales[order_reference(order)]
    engine.erp.set_shipment_stage(sale.erp_id, ShipmentStage.CANCELLED)  # by hand in the ERP, between two syncs
    engine.shopify.put_refund(a_refund(order, 5, units(1, "10.00", "2.00", RestockType.NO_RESTOCK)))

    with capture_logs() as logs:
        engine.notify(order.order_id)  # the refund's sync: no sweep runs
        engine.run_until_idle()

    (found,) = [e for e in logs if e["event"] == "verify_finding"]
    assert (found["order"], found["kind"], found["on"]) == (order.name, "shipment_missing", "sync")
    with capture_logs() as again:
        engine.notify(order.order_id)  # the same version again: nothing changed, nothing read
        engine.run_until_idle()
    assert [e for e in again if e["event"] == "verify_finding"] == []


def test_the_check_on_each_sync_can_be_turned_off(engine: Engine):
    engine.ctx = replace(engine.ctx, check_each_sync=False)
    engine.worker = engine.worker_named("w1")
    order, _ = posted_orders(engine)
    engine.erp.set_shipment_stage(engine.erp.sales[order_reference(order)].erp_id, ShipmentStage.CANCELLED)
    engine.shopify.put_refund(a_refund(order, 5, units(1, "10.00", "2.00", RestockType.NO_RESTOCK)))
    with capture_logs() as logs:
        engine.notify(order.order_id)
        engine.run_until_idle()
    assert [e for e in logs if e["event"] == "verify_finding"] == []


def test_units_a_refund_took_off_the_shipment_and_put_back_on_it_by_hand_are_found(engine: Engine):
    order, _ = posted_orders(engine)
    engine.shopify.put_refund(a_refund(order, 5, units(1, "10.00", "2.00", RestockType.CANCEL)))
    engine.notify(order.order_id)
    engine.run_until_idle()
    assert kinds(engine) == []  # the unit is off the shipment still to pick

    (shipment,) = engine.erp.posted.sales[order_reference(order)].shipments
    shipment.lines["TEE-M"] += 1  # put back on the shipment in the ERP

    (found,) = verify_shop(engine.ctx, SHOP).findings
    assert (found.order, found.kind) == (order.name, FindingKind.CANCELLED_UNITS_STILL_TO_SHIP)
    assert "2 x TEE-M still to ship" in found.detail
    assert "at most 1" in found.detail


def test_the_workers_sweep_makes_no_period_figures_and_reads_no_invoice_taxes_for_them(engine: Engine):
    posted_orders(engine)
    engine.erp.calls.clear()

    swept = verify_shop(engine.ctx, SHOP, figures=False)

    assert (swept.orders, swept.findings, swept.periods) == (2, [], {})
    assert "sale_invoice_taxes" not in engine.erp.calls
    assert engine.erp.calls.count("sale_progress") == 2  # each order's documents read all the same
    assert verify_shop(engine.ctx, SHOP).periods  # `trueup verify` gives them
