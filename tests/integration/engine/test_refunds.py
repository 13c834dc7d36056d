"""Refunds on the engine: each Shopify refund is exactly one ERP credit note, never lost, never duplicated."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from rich.console import Console

from tests.factories import NOW, SHOP, a_line, a_shipping, an_order, eur, vat
from tests.unit.engine.harness import Engine
from trueup.domain.errors import Cause
from trueup.domain.ledger import OrderState
from trueup.domain.orders import FinancialStatus
from trueup.domain.refunds import Refund, RefundLine, RefundShipping, RefundState, RestockType
from trueup.entrypoints.status_view import render_status
from trueup.service_layer.refund_replay import replay_fixed_refunds, replay_refunds
from trueup.service_layer.status import build_status
from trueup.service_layer.sync_order import sync_order


def a_refund(order, number: int, *lines: RefundLine, shipping=(), returned=None, minutes: int = 0) -> Refund:
    parts = sum((line.subtotal + line.tax for line in lines), eur("0"))
    parts += sum((s.subtotal + s.tax for s in shipping), eur("0"))
    return Refund(
        refund_id=f"gid://shopify/Refund/{number}",
        order_id=order.order_id,
        created_at=NOW + timedelta(minutes=minutes),
        currency="EUR",
        lines=lines,
        shipping=tuple(shipping),
        total_refunded=returned if returned is not None else parts,
    )


def units(quantity: int, subtotal: str, tax: str, restock=RestockType.RETURN, sku="TEE-M", line="1") -> RefundLine:
    return RefundLine(
        f"gid://shopify/LineItem/{line}",
        sku,
        f"Item {sku}",
        quantity,
        restock,
        None,
        eur(subtotal),
        eur(tax),
        vat("6.00"),
    )


def posted(engine: Engine, **changes):
    order = engine.shopify.put_order(an_order([a_line(quantity=3, price="10.00", tax="6.00")], **changes))
    engine.notify(order.order_id)
    engine.run_until_idle()
    return order


def sync(engine: Engine, order) -> None:
    engine.notify(order.order_id)
    engine.run_until_idle()


def test_a_partial_refund_with_restock_becomes_one_credit_note_with_the_units_back(engine: Engine):
    order = posted(engine)
    engine.shopify.put_refund(a_refund(order, 7, units(1, "10.00", "2.00")))

    sync(engine, order)

    (record,) = engine.store.refund_records(order_id=order.order_id)
    assert (record.state, record.amount, record.ordinal) == (RefundState.CREDITED, eur("12.00"), 1)
    assert record.describe() == f"refund 1 on order #1001: credit note {record.credit_note_number} posted"
    note = engine.erp.posted.credit_requests[f"shopify:{SHOP}:refund:7"]
    assert [(line.sku, line.quantity, line.net, line.tax) for line in note.lines] == [
        ("TEE-M", 1, eur("10.00"), eur("2.00"))
    ]
    assert engine.erp.returned_stock("TEE-M", "WH1") == Decimal(1)
    entry = engine.entry(order.order_id)
    assert (entry.state, entry.erp_total) == (OrderState.POSTED, eur("36.00"))  # the sale keeps what was sold


def test_two_refunds_give_two_notes_and_syncing_again_gives_no_third(engine: Engine):
    order = posted(engine)
    engine.shopify.put_refund(a_refund(order, 7, units(1, "10.00", "2.00")))
    engine.shopify.put_refund(
        a_refund(order, 8, units(1, "10.00", "2.00", RestockType.NO_RESTOCK), shipping=[], minutes=5)
    )

    for _ in range(3):
        sync(engine, order)

    records = engine.store.refund_records(order_id=order.order_id)
    assert [(r.ordinal, r.state) for r in records] == [(1, RefundState.CREDITED), (2, RefundState.CREDITED)]
    assert len(engine.erp.posted.credit_notes) == 2
    assert engine.erp.calls.count("create_credit_note") == 2
    assert engine.erp.returned_stock("TEE-M", "WH1") == Decimal(1)  # goodwill returns nothing


def test_a_refund_before_the_order_is_posted_waits_and_is_credited_once_it_posts(engine: Engine):
    order = engine.shopify.put_order(an_order([a_line(quantity=2, tax="4.00")], status=FinancialStatus.PENDING))
    # Nothing was paid yet: the refund gives no money back, it takes a unit off (Shopify's restock only).
    engine.shopify.put_refund(a_refund(order, 9, units(1, "10.00", "2.00", RestockType.CANCEL), returned=eur("0")))
    sync(engine, order)

    (waiting,) = engine.store.refund_records(order_id=order.order_id)
    assert waiting.state == RefundState.WAITING_FOR_SALE
    assert engine.erp.posted.credit_notes == {}

    engine.shopify.update_order(order.order_id, financial_status=FinancialStatus.PAID)
    sync(engine, order)

    (credited,) = engine.store.refund_records(order_id=order.order_id)
    assert credited.state == RefundState.CREDITED
    assert engine.entry(order.order_id).state == OrderState.POSTED
    assert engine.entry(order.order_id).erp_total == eur("24.00")  # the sale as sold, refunded units kept


def test_a_note_the_erp_already_holds_is_found_not_made_again(engine: Engine):
    order = posted(engine)
    engine.shopify.put_refund(a_refund(order, 7, units(1, "10.00", "2.00")))
    sync(engine, order)
    # As if the note was made but trueup's record of it was lost (a timeout after the ERP committed).
    engine.store.save_refund_record(
        replace(engine.store.refund_records(order_id=order.order_id)[0], state=RefundState.WAITING_FOR_SALE)
    )

    sync(engine, order)

    assert engine.erp.calls.count("create_credit_note") == 1
    assert engine.store.refund_records(order_id=order.order_id)[0].state == RefundState.CREDITED


def test_an_unmapped_refund_tax_parks_the_refund_not_the_order_and_it_goes_through_once_mapped(engine: Engine):
    order = posted(engine)
    odd = RefundLine(
        "gid://shopify/LineItem/1",
        "TEE-M",
        "Tee",
        1,
        RestockType.NO_RESTOCK,
        None,
        eur("10.00"),
        eur("1.00"),
        vat("1.00", rate="0.1"),
    )
    engine.shopify.put_refund(a_refund(order, 7, odd))
    sync(engine, order)

    (parked,) = engine.store.refund_records(order_id=order.order_id)
    assert (parked.state, parked.cause, parked.needs) == (
        RefundState.EXCEPTION,
        Cause.UNMAPPED_TAX,
        {"taxes": ["VAT 10"]},
    )
    assert parked.what_to_do is not None
    assert engine.entry(order.order_id).state == OrderState.POSTED

    mapped = replace(engine.ctx, policy=replace(engine.policy, taxes={"VAT 20": "VAT20", "VAT 10": "VAT10"}))
    engine.erp.tax_rates["VAT10"] = Decimal("0.1")
    sync_order(mapped, order.order_id)

    assert engine.store.refund_records(order_id=order.order_id)[0].state == RefundState.CREDITED


def test_refunded_shipping_is_credited_with_its_tax(engine: Engine):
    order = engine.shopify.put_order(
        an_order([a_line(quantity=1, price="10.00", tax="2.00")], shipping=[a_shipping("5.00", tax="1.00")])
    )
    sync(engine, order)
    engine.shopify.put_refund(
        a_refund(order, 7, shipping=[RefundShipping("Standard", eur("5.00"), eur("1.00"), vat("1.00"))])
    )
    sync(engine, order)

    note = engine.erp.posted.credit_requests[f"shopify:{SHOP}:refund:7"]
    ((shipping),) = note.lines
    assert (shipping.is_shipping, shipping.net, shipping.tax, shipping.tax_codes) == (
        True,
        eur("5.00"),
        eur("1.00"),
        ("VAT20",),
    )
    assert engine.entry(order.order_id).state == OrderState.POSTED  # 18.00 − 6.00 = Shopify's 12.00


def test_a_refund_of_an_order_cancelled_before_it_was_a_sale_is_covered_by_the_cancellation(engine: Engine):
    order = engine.shopify.put_order(an_order(status=FinancialStatus.VOIDED, cancelled_at=NOW))
    engine.shopify.put_refund(a_refund(order, 7, units(1, "10.00", "0.00", RestockType.CANCEL)))
    sync(engine, order)

    (record,) = engine.store.refund_records(order_id=order.order_id)
    assert record.state == RefundState.COVERED_BY_CANCELLATION
    assert engine.erp.posted.credit_notes == {}


def test_status_shows_refunds_by_state_what_was_credited_and_what_is_parked(engine: Engine):
    order = posted(engine)
    engine.shopify.put_refund(a_refund(order, 7, units(1, "10.00", "2.00")))
    odd = RefundLine(
        "gid://shopify/LineItem/1",
        "TEE-M",
        "Tee",
        1,
        RestockType.NO_RESTOCK,
        None,
        eur("10.00"),
        eur("1.00"),
        vat("1.00", rate="0.1"),
    )
    engine.shopify.put_refund(a_refund(order, 8, odd, minutes=5))
    sync(engine, order)

    report = build_status(engine.store, engine.clock)

    note = engine.store.refund_records(order_id=order.order_id)[0].credit_note_number
    assert report.refunds["by_state"] == {"credited": 1, "exception": 1}
    assert report.refunds["credited"] == {"EUR": "12.00"}
    assert report.refunds["latest"] == [f"{SHOP}: refund 1 on order #1001: credit note {note} posted"]
    (parked,) = report.refunds["exceptions"]
    assert (parked["cause"], parked["count"]) == ("unmapped_tax", 1)
    console = Console(record=True, width=200)
    render_status(report, console)
    shown = console.export_text()
    assert f"refund 1 on order #1001: credit note {note} posted" in shown
    assert "Refunds parked, by cause" in shown
    assert report.to_json()["refunds"]["by_state"]["credited"] == 1


def test_a_parked_refund_replays_by_itself_once_its_tax_is_mapped_and_on_command(engine: Engine):
    order = posted(engine)
    odd = RefundLine(
        "gid://shopify/LineItem/1",
        "TEE-M",
        "Tee",
        1,
        RestockType.NO_RESTOCK,
        None,
        eur("10.00"),
        eur("1.00"),
        vat("1.00", rate="0.1"),
    )
    engine.shopify.put_refund(a_refund(order, 7, odd))
    sync(engine, order)

    assert replay_fixed_refunds(engine.store, {SHOP: engine.ctx}) == 0  # still unmapped
    assert replay_refunds(engine.store, cause=Cause.UNMAPPED_TAX, order="#1001") == 1
    engine.run_until_idle()
    mapped = replace(engine.ctx, policy=replace(engine.policy, taxes={"VAT 20": "VAT20", "VAT 10": "VAT10"}))
    assert replay_fixed_refunds(engine.store, {SHOP: mapped}) == 1
    assert replay_refunds(engine.store, cause=Cause.TAX_MISMATCH) == 0


def test_a_refund_parked_for_a_tax_the_erp_lacks_replays_by_itself_once_the_erp_has_it(engine: Engine):
    order = posted(engine)
    rate = engine.erp.tax_rates.pop("VAT20")  # gone from the ERP since the sale
    engine.shopify.put_refund(a_refund(order, 7, units(1, "10.00", "2.00")))
    sync(engine, order)

    (parked,) = engine.store.refund_records(order_id=order.order_id)
    assert (parked.state, parked.cause, parked.needs) == (
        RefundState.EXCEPTION,
        Cause.UNMAPPED_TAX,
        {"erp_taxes": ["VAT20"]},
    )
    assert replay_fixed_refunds(engine.store, {SHOP: engine.ctx}) == 0  # the configuration maps it; the ERP lacks it
    engine.erp.tax_rates["VAT20"] = rate
    assert replay_fixed_refunds(engine.store, {SHOP: engine.ctx}) == 1
    engine.run_until_idle()
    (credited,) = engine.store.refund_records(order_id=order.order_id)
    assert credited.state == RefundState.CREDITED


def test_the_refund_of_an_order_cancelled_before_the_cut_off_is_covered_by_the_sales_cancellation(engine: Engine):
    order = posted(engine)
    engine.shopify.update_order(order.order_id, cancelled_at=NOW + timedelta(minutes=1))
    engine.shopify.put_refund(a_refund(order, 7, units(3, "30.00", "6.00", RestockType.CANCEL)))
    sync(engine, order)

    assert engine.entry(order.order_id).state == OrderState.CANCELLED
    (record,) = engine.store.refund_records(order_id=order.order_id)
    assert record.state == RefundState.COVERED_BY_CANCELLATION
    assert engine.erp.posted.credit_notes == {}


def test_verify_asks_no_credit_note_for_a_refund_the_sales_cancellation_covers(engine: Engine):
    from trueup.service_layer.verify import verify_shop

    order = posted(engine)
    engine.shopify.update_order(order.order_id, cancelled_at=NOW + timedelta(minutes=1))
    engine.shopify.put_refund(a_refund(order, 7, units(3, "30.00", "6.00", RestockType.CANCEL)))
    sync(engine, order)

    report = verify_shop(engine.ctx, SHOP)

    assert report.findings == []
    assert (report.documents, report.equal_documents) == (1, 1)  # the cancelled sale; no note is due


def test_verify_finds_returned_units_the_erp_never_received_back(engine: Engine):
    from trueup.domain.completeness import FindingKind
    from trueup.domain.refunds import refund_reference
    from trueup.service_layer.verify import verify_shop

    order = posted(engine)
    refund = a_refund(order, 7, units(2, "20.00", "4.00"), units(1, "10.00", "2.00", RestockType.NO_RESTOCK, line="2"))
    engine.shopify.put_refund(refund)
    sync(engine, order)
    clean = verify_shop(engine.ctx, SHOP)
    assert (clean.findings, clean.documents) == ([], 3)  # the sale, the note, the return

    del engine.erp.posted.restocked[refund_reference(SHOP, refund)]  # the return undone in the ERP
    (found,) = verify_shop(engine.ctx, SHOP).findings

    assert (found.kind, found.order) == (FindingKind.RESTOCK_MISSING, order.name)
    assert found.detail == "TEE-M: 2 restocked in Shopify, 0 received back in the ERP"


def test_a_refunds_own_tax_variance_is_kept_and_nets_the_orders_in_status(engine: Engine):
    order = engine.shopify.put_order(an_order([a_line(quantity=3, price="10.00", tax="7.50")]))  # ERP rate: 6.00
    sync(engine, order)
    engine.shopify.put_refund(
        a_refund(order, 7, replace(units(1, "10.00", "2.50"), taxes=vat("7.50")))  # ERP rate: 2.00
    )

    sync(engine, order)

    (record,) = engine.store.refund_records(order_id=order.order_id)
    assert record.state == RefundState.CREDITED
    sale, note = sorted(engine.store.tax_variances(SHOP, order.order_id), key=lambda v: v.credit_note)
    assert (sale.credit_note, sale.shopify, sale.erp, sale.difference) == (False, eur("7.50"), eur("6.00"), eur("1.50"))
    assert (note.credit_note, note.document) == (True, f"shopify:{SHOP}:refund:7")
    assert (note.tax, note.shopify, note.erp, note.difference) == ("VAT20", eur("-2.50"), eur("-2.00"), eur("-0.50"))
    variances = build_status(engine.store, engine.clock, shops=[SHOP]).to_json()["tax_variances"]
    assert variances["by_currency"] == {"EUR": {"shopify": "5.00", "erp": "4.00", "difference": "1.00"}}
    assert [row["on"] for row in variances["latest"]] == ["credit note", "sale"]

    sync(engine, order)  # found again, not made again: the note's variance stays as recorded
    assert len(engine.store.tax_variances(SHOP, order.order_id)) == 2
