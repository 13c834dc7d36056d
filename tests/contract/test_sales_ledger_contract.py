"""The BackOffice contract after the sale: progress, amendments, cancellations and credit notes with their
restocks. FakeBackOffice and TrytonBackOffice (a real trytond, its shipments moved button by button) pass the
same tests."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from tests.contract.back_office_harness import BackOfficeHarness
from tests.contract.test_back_office_contract import a_line, a_request, an_address, charged
from tests.support.tryton import unique
from trueup.domain.credit_notes import CreditLine, CreditNoteRequest, PostedCreditNote, Restock, RestockRequest
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.orders import Address
from trueup.domain.refunds import RestockType
from trueup.domain.sales import PostedSale, SaleProgress, SalesLine, SalesOrderRequest, ShipmentStage


# --- factories -------------------------------------------------------------------------------------
def new_skus(erp: BackOfficeHarness, count: int) -> list[str]:
    """New products, 20 of each on hand at WH1."""
    skus = [unique("SKU") for _ in range(count)]
    erp.add_products(dict.fromkeys(skus, "10.00"))
    erp.receive_stock(dict.fromkeys(skus, 20), "WH1")
    return skus


def shipping(price: str = "4.90") -> SalesLine:
    return a_line("SHIPPING", 1, price, "VAT20", shipping=True)


def with_lines(request: SalesOrderRequest, lines: list[SalesLine]) -> SalesOrderRequest:
    """The same order with other lines (an edit), its expected totals following."""
    again = a_request(lines)
    return replace(request, lines=again.lines, expected_untaxed=again.expected_untaxed, expected_tax=again.expected_tax)


def posted(erp: BackOfficeHarness, lines: list[SalesLine], **changes: Any) -> tuple[SalesOrderRequest, PostedSale]:
    request = replace(a_request(lines), **changes)
    return request, erp.back_office.create_sales_order(request)


def quantities(progress: SaleProgress) -> dict[str, Decimal]:
    return {line.sku: line.quantity for line in progress.lines}


def same_place(a: Address | None, b: Address) -> bool:
    return a is not None and (a.name, a.address1, a.city, a.zip, a.country_code) == (
        b.name,
        b.address1,
        b.city,
        b.zip,
        b.country_code,
    )


def a_credit(sku: str | None, quantity: int, net: str, tax: str, *taxes: str, shipping: bool = False) -> CreditLine:
    return CreditLine(
        f"refund {sku}",
        sku,
        Decimal(quantity),
        Money(Decimal(net), "EUR"),
        Money(Decimal(tax), "EUR"),
        taxes,
        is_shipping=shipping,
    )


def a_refund(sale: PostedSale, lines: list[CreditLine]) -> CreditNoteRequest:
    return CreditNoteRequest(
        reference=unique("shopify:contract.myshopify.com:refund"),
        sale_id=sale.erp_id,
        description="Refund on a contract order",
        currency="EUR",
        lines=tuple(lines),
        tax_rounding_tolerance=Money(Decimal("0.05"), "EUR"),
    )


def its_restock(refund: CreditNoteRequest, *restocks: Restock) -> RestockRequest:
    """The stock side of `refund`, under its reference."""
    return RestockRequest(refund.reference, refund.sale_id, restocks)


def refunded(
    erp: BackOfficeHarness, refund: CreditNoteRequest, restock: RestockRequest | None = None
) -> PostedCreditNote:
    """As the engine credits a refund: the restock checked, the note made, the units moved."""
    if restock is not None:
        erp.back_office.check_restock(restock)
    note = erp.back_office.create_credit_note(refund)
    if restock is not None:
        erp.back_office.restock(restock)
    return note


def in_usd(request: SalesOrderRequest) -> SalesOrderRequest:
    def usd(money: Money) -> Money:
        return Money(money.amount, "USD")

    lines = tuple(replace(line, unit_price=usd(line.unit_price)) for line in request.lines)
    return replace(
        request,
        currency="USD",
        lines=lines,
        expected_untaxed=usd(request.expected_untaxed),
        expected_tax=usd(request.expected_tax),
    )


def in_usd_line(line: CreditLine) -> CreditLine:
    return replace(line, net=Money(line.net.amount, "USD"), tax=Money(line.tax.amount, "USD"))


# --- progress --------------------------------------------------------------------------------------
def test_a_posted_sale_waits_at_its_warehouse_with_nothing_shipped_or_invoiced(erp: BackOfficeHarness) -> None:
    sku, other = new_skus(erp, 2)
    request, sale = posted(erp, [a_line(sku, 2, "10.00", "VAT20"), a_line(other, 1, "5.00"), shipping()])

    progress = erp.back_office.sale_progress(sale.erp_id)

    assert (progress.erp_id, progress.number, progress.reference) == (sale.erp_id, sale.number, request.reference)
    assert progress.state == "processing"
    assert not progress.is_cancelled
    assert progress.total == sale.total
    assert quantities(progress) == {sku: 2, other: 1}
    assert all(line.shipped == 0 for line in progress.lines)
    assert [(s.warehouse, s.stage) for s in progress.shipments] == [("WH1", ShipmentStage.WAITING)]
    assert same_place(progress.shipment_address, an_address())
    assert progress.invoice_numbers == ()


def test_progress_follows_the_warehouse_to_done(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    _, sale = posted(erp, [a_line(sku, 2, "10.00", "VAT20")])

    erp.set_stage(sale.erp_id, ShipmentStage.PICKED)
    picked = erp.back_office.sale_progress(sale.erp_id)
    erp.set_stage(sale.erp_id, ShipmentStage.DONE)
    done = erp.back_office.sale_progress(sale.erp_id)

    assert [s.stage for s in picked.shipments] == [ShipmentStage.PICKED]
    assert [line.shipped for line in picked.lines] == [0]
    assert [s.stage for s in done.shipments] == [ShipmentStage.DONE]
    assert [line.shipped for line in done.lines] == [2]


def test_a_kit_counts_as_shipped_when_its_components_are(erp: BackOfficeHarness) -> None:
    kit, cap, sock = unique("KIT"), unique("CAP"), unique("SOCK")
    erp.add_kit(kit, [(cap, 1, "5.00"), (sock, 1, "5.00")])
    erp.receive_stock({cap: 20, sock: 20}, "WH1")
    _, sale = posted(erp, [a_line(kit, 2, "10.00", "VAT20")])

    erp.set_stage(sale.erp_id, ShipmentStage.DONE)
    progress = erp.back_office.sale_progress(sale.erp_id)

    assert [(line.sku, line.quantity, line.shipped) for line in progress.lines] == [(kit, 2, 2)]


# --- amendments ------------------------------------------------------------------------------------
def test_an_amendment_adds_removes_and_changes_lines_and_the_total_follows(erp: BackOfficeHarness) -> None:
    kept, dropped, added = new_skus(erp, 3)
    request, sale = posted(erp, [a_line(kept, 2, "10.00", "VAT20"), a_line(dropped, 1, "5.00", "VAT20"), shipping()])
    edited = with_lines(
        request, [a_line(kept, 3, "9.00", "VAT20"), a_line(added, 1, "7.50", "VAT5.5"), shipping("3.90")]
    )
    erp.set_stage(sale.erp_id, ShipmentStage.ASSIGNED)  # reserved, not yet picked

    amended = erp.back_office.amend_sale(sale.erp_id, edited)
    progress = erp.back_office.sale_progress(sale.erp_id)

    assert (amended.erp_id, amended.number, amended.state) == (sale.erp_id, sale.number, "processing")
    assert amended.untaxed == edited.expected_untaxed
    assert amended.tax == edited.expected_tax
    assert amended.total == edited.expected_untaxed + edited.expected_tax
    assert progress.total == amended.total
    assert quantities(progress) == {kept: 3, added: 1}
    assert erp.pending_units(sale.erp_id, kept) == 3
    assert erp.pending_units(sale.erp_id, added) == 1
    assert erp.pending_units(sale.erp_id, dropped) == 0


def test_the_same_amendment_again_changes_nothing(erp: BackOfficeHarness) -> None:
    sku, added = new_skus(erp, 2)
    request, sale = posted(erp, [a_line(sku, 1, "10.00", "VAT20")])
    edited = with_lines(request, [a_line(sku, 2, "10.00", "VAT20"), a_line(added, 1, "3.00", "VAT20")])
    first = erp.back_office.amend_sale(sale.erp_id, edited)
    before = erp.back_office.sale_progress(sale.erp_id)

    again = erp.back_office.amend_sale(sale.erp_id, edited)

    assert again == first
    assert erp.back_office.sale_progress(sale.erp_id) == before


def test_an_amendment_keeps_shopifys_tax_on_the_invoice(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    request, sale = posted(erp, [a_line(sku, 1, "10.00", "VAT20")])
    edited = charged(with_lines(request, [a_line(sku, 3, "0.35", "VAT20")]), VAT20="0.22")  # Tryton: 0.21

    amended = erp.back_office.amend_sale(sale.erp_id, edited)

    assert amended.total == Money(Decimal("1.27"), "EUR")
    assert amended.tax + amended.untaxed == amended.total
    assert erp.invoice_taxes(request.reference) == {"VAT20": Money(Decimal("0.22"), "EUR")}


def test_shopifys_tax_set_at_posting_is_set_again_not_added_by_an_amendment(erp: BackOfficeHarness) -> None:
    sku, other = new_skus(erp, 2)
    rounded = [a_line(sku, 3, "0.35", "VAT20")]  # 1.05 untaxed; Tryton: 0.21 of tax, Shopify 0.22
    request = charged(a_request(rounded), VAT20="0.22")
    sale = erp.back_office.create_sales_order(request)
    assert sale.total == Money(Decimal("1.27"), "EUR")
    edited = charged(with_lines(request, [*rounded, a_line(other, 1, "10.00", "VAT20")]), VAT20="2.22")

    amended = erp.back_office.amend_sale(sale.erp_id, edited)

    assert amended.total == Money(Decimal("13.27"), "EUR")  # 11.05 + 2.22: the 0.01 booked once
    assert erp.back_office.sale_progress(sale.erp_id).total == amended.total
    assert erp.invoice_taxes(request.reference) == {"VAT20": Money(Decimal("2.22"), "EUR")}


def test_an_amendment_after_the_invoice_is_posted_charges_only_the_rest_of_shopifys_tax(
    erp: BackOfficeHarness,
) -> None:
    (sku,) = new_skus(erp, 1)
    request = charged(a_request([a_line(sku, 2, "10.00", "VAT20")]), VAT20="4.01")  # Tryton: 4.00
    sale = erp.back_office.create_sales_order(request)
    refund = a_refund(sale, [a_credit(sku, 1, "10.00", "2.01", "VAT20")])
    erp.back_office.create_credit_note(replace(refund, expected_taxes=(("VAT20", Money(Decimal("2.01"), "EUR")),)))
    edited = charged(with_lines(request, [a_line(sku, 1, "10.00", "VAT20")]), VAT20="2.01")  # posted: 4.01

    amended = erp.back_office.amend_sale(sale.erp_id, edited)

    # The draft an amendment leaves beside the posted invoice carries the difference of Shopify's tax, not all of it.
    assert amended.total == Money(Decimal("12.01"), "EUR")
    assert erp.back_office.sale_progress(sale.erp_id).total == amended.total


def test_an_address_change_reaches_the_shipment(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    request, sale = posted(erp, [a_line(sku, 1, "10.00", "VAT20")])
    moved = Address("Ada Buyer", "3 quai Saint-Vincent", "", "Lyon", "69005", "FR")
    moved = replace(moved, city="Villeurbanne", zip="69100")

    erp.back_office.amend_sale(sale.erp_id, replace(request, shipment_address=moved))
    progress = erp.back_office.sale_progress(sale.erp_id)

    assert same_place(progress.shipment_address, moved)
    assert erp.shipment_city(sale.erp_id) == "Villeurbanne"
    assert progress.total == sale.total


def test_an_amendment_once_picked_is_refused(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    request, sale = posted(erp, [a_line(sku, 2, "10.00", "VAT20")])
    erp.set_stage(sale.erp_id, ShipmentStage.PICKED)

    with pytest.raises(StructuralError) as raised:
        erp.back_office.amend_sale(sale.erp_id, with_lines(request, [a_line(sku, 1, "10.00", "VAT20")]))

    assert raised.value.cause is Cause.ALREADY_DESPATCHED
    assert quantities(erp.back_office.sale_progress(sale.erp_id)) == {sku: 2}


# --- cancellations ---------------------------------------------------------------------------------
def test_a_cancelled_sale_is_cancelled_with_its_shipment_and_nothing_left_to_ship(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    request, sale = posted(erp, [a_line(sku, 2, "10.00", "VAT20"), shipping()])
    erp.set_stage(sale.erp_id, ShipmentStage.ASSIGNED)

    cancelled = erp.back_office.cancel_sale(sale.erp_id)
    again = erp.back_office.cancel_sale(sale.erp_id)
    progress = erp.back_office.sale_progress(sale.erp_id)

    assert cancelled.state == "cancelled"
    assert again == cancelled
    assert erp.back_office.find_sales_order(request.reference) == cancelled
    assert progress.is_cancelled
    assert all(s.stage is ShipmentStage.CANCELLED for s in progress.shipments)
    assert erp.pending_units(sale.erp_id, sku) == 0
    assert progress.invoice_numbers == ()


def test_a_cancellation_after_a_refund_leaves_the_invoice_posted_for_the_notes_to_balance(
    erp: BackOfficeHarness,
) -> None:
    (sku,) = new_skus(erp, 1)
    _, sale = posted(erp, [a_line(sku, 2, "10.00", "VAT20")])
    erp.back_office.create_credit_note(a_refund(sale, [a_credit(sku, 1, "10.00", "2.00", "VAT20")]))

    erp.back_office.cancel_sale(sale.erp_id)
    progress = erp.back_office.sale_progress(sale.erp_id)

    assert progress.is_cancelled
    assert len(progress.invoice_numbers) == 1
    assert erp.pending_units(sale.erp_id, sku) == 0


def test_a_cancellation_after_a_partial_refund_is_credited_in_full_leaving_nothing_owed_nor_to_ship(
    erp: BackOfficeHarness,
) -> None:
    (sku,) = new_skus(erp, 1)
    _, sale = posted(erp, [a_line(sku, 2, "10.00", "VAT20")])
    first = refunded(erp, a_refund(sale, [a_credit(sku, 1, "10.00", "2.00", "VAT20")]))
    erp.back_office.cancel_sale(sale.erp_id)  # trueup cancels the sale and its shipment still to pick
    rest = a_refund(sale, [a_credit(sku, 1, "10.00", "2.00", "VAT20")])  # Shopify's cancellation refund
    cancel = its_restock(rest, Restock(sku, Decimal(1), None, RestockType.CANCEL))

    second = refunded(erp, rest, cancel)  # not refused as "not on a shipment still to pick"

    assert first.total + second.total == sale.total  # the invoice fully credited: 0.00 owed
    assert erp.pending_units(sale.erp_id, sku) == 0
    assert erp.back_office.sale_progress(sale.erp_id).is_cancelled


def test_a_cancelled_sale_cannot_be_amended(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    request, sale = posted(erp, [a_line(sku, 1, "10.00", "VAT20")])
    erp.back_office.cancel_sale(sale.erp_id)

    with pytest.raises(StructuralError) as raised:
        erp.back_office.amend_sale(sale.erp_id, with_lines(request, [a_line(sku, 2, "10.00", "VAT20")]))

    assert raised.value.cause is Cause.BACK_OFFICE_REJECTED


def test_a_despatched_sale_cannot_be_cancelled(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    _, sale = posted(erp, [a_line(sku, 1, "10.00", "VAT20")])
    erp.set_stage(sale.erp_id, ShipmentStage.SHIPPED)

    with pytest.raises(StructuralError) as raised:
        erp.back_office.cancel_sale(sale.erp_id)

    assert raised.value.cause is Cause.ALREADY_DESPATCHED
    assert not erp.back_office.sale_progress(sale.erp_id).is_cancelled


# --- credit notes ----------------------------------------------------------------------------------
def test_a_partial_refund_is_a_posted_credit_note_and_the_return_is_back_in_stock(erp: BackOfficeHarness) -> None:
    sku, other = new_skus(erp, 2)
    _, sale = posted(erp, [a_line(sku, 2, "10.00", "VAT20"), a_line(other, 1, "5.00", "VAT20"), shipping()])
    erp.set_stage(sale.erp_id, ShipmentStage.DONE)
    before = erp.stock_at(sku, "WH2")
    refund = a_refund(
        sale,
        [a_credit(sku, 1, "10.00", "2.00", "VAT20"), a_credit("SHIPPING", 1, "4.90", "0.99", "VAT20", shipping=True)],
    )  # Tryton: 0.98
    restock = its_restock(refund, Restock(sku, Decimal(1), "WH2", RestockType.RETURN))

    note = refunded(erp, refund, restock)

    assert note.reference == refund.reference
    assert note.number
    assert note.state == "posted"
    assert note.total == refund.expected_total == Money(Decimal("17.89"), "EUR")
    assert erp.back_office.find_credit_note(refund.reference) == note
    assert erp.stock_at(sku, "WH2") == before + 1
    assert len(erp.back_office.sale_progress(sale.erp_id).invoice_numbers) == 1  # the sale, invoiced


def test_a_refund_in_another_currency_than_the_company_s_is_credited_in_it(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    request = in_usd(a_request([a_line(sku, 2, "10.00", "VAT20"), shipping()]))
    sale = erp.back_office.create_sales_order(request)
    refund = replace(
        a_refund(
            sale,
            [
                a_credit(sku, 1, "10.00", "2.00", "VAT20"),
                a_credit("SHIPPING", 1, "4.90", "0.99", "VAT20", shipping=True),
            ],
        ),
        currency="USD",
    )
    refund = replace(
        refund, lines=tuple(in_usd_line(line) for line in refund.lines), tax_rounding_tolerance=Money.of("0.05", "USD")
    )

    note = erp.back_office.create_credit_note(refund)

    assert (note.total, note.state) == (Money.of("17.89", "USD"), "posted")


def test_two_refunds_of_one_sale_are_two_notes(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    _, sale = posted(erp, [a_line(sku, 3, "10.00", "VAT20")])
    first = a_refund(sale, [a_credit(sku, 1, "10.00", "2.00", "VAT20")])
    second = a_refund(sale, [a_credit(None, 1, "3.00", "0.00")])  # an adjustment, untaxed goodwill

    notes = [erp.back_office.create_credit_note(r) for r in (first, second)]

    assert [n.total for n in notes] == [Money.of("12.00", "EUR"), Money.of("3.00", "EUR")]
    assert notes[0].number != notes[1].number
    assert [erp.back_office.find_credit_note(r.reference) for r in (first, second)] == notes
    assert erp.back_office.find_credit_note(unique("shopify:contract.myshopify.com:refund")) is None
    assert quantities(erp.back_office.sale_progress(sale.erp_id)) == {sku: 3}  # refunds never change the sale


def test_an_edit_after_a_refund_is_invoiced_with_the_next_note(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    request, sale = posted(erp, [a_line(sku, 2, "10.00", "VAT20")])
    erp.back_office.create_credit_note(a_refund(sale, [a_credit(sku, 1, "10.00", "2.00", "VAT20")]))

    erp.back_office.amend_sale(sale.erp_id, with_lines(request, [a_line(sku, 3, "10.00", "VAT20")]))
    amended = erp.back_office.sale_progress(sale.erp_id)
    erp.back_office.create_credit_note(a_refund(sale, [a_credit(None, 1, "1.00", "0.00")]))

    assert len(amended.invoice_numbers) == 1  # the added unit is invoiced on a draft of its own
    assert len(erp.back_office.sale_progress(sale.erp_id).invoice_numbers) == 2


def test_a_refund_of_a_cancelled_sale_with_nothing_invoiced_credits_its_customer(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    _, sale = posted(erp, [a_line(sku, 1, "10.00", "VAT20")])
    erp.back_office.cancel_sale(sale.erp_id)
    refund = a_refund(sale, [a_credit(sku, 1, "10.00", "2.00", "VAT20")])

    note = erp.back_office.create_credit_note(refund)

    assert (note.total, note.state) == (Money.of("12.00", "EUR"), "posted")
    assert erp.back_office.sale_progress(sale.erp_id).invoice_numbers == ()


def test_a_cancel_restock_takes_the_units_off_the_shipment_still_to_pick(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    _, sale = posted(erp, [a_line(sku, 3, "10.00", "VAT20")])
    erp.set_stage(sale.erp_id, ShipmentStage.ASSIGNED)
    refund = a_refund(sale, [a_credit(sku, 1, "10.00", "2.00", "VAT20")])
    restock = its_restock(refund, Restock(sku, Decimal(1), None, RestockType.CANCEL))

    promised = erp.back_office.warehouse_stock("WH1", [sku])
    assert [line.pending for line in erp.back_office.sale_progress(sale.erp_id).lines] == [Decimal(3)]

    refunded(erp, refund, restock)

    assert erp.pending_units(sale.erp_id, sku) == 2
    (line,) = erp.back_office.sale_progress(sale.erp_id).lines
    assert (line.quantity, line.shipped, line.pending) == (Decimal(3), Decimal(0), Decimal(2))  # the sale keeps 3
    assert [s.available for s in erp.back_office.warehouse_stock("WH1", [sku])] == [
        promised[0].available + 1
    ]  # the unit is no longer due out


def test_a_cancel_restock_past_picking_is_refused_before_anything_is_made(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    _, sale = posted(erp, [a_line(sku, 2, "10.00", "VAT20")])
    erp.set_stage(sale.erp_id, ShipmentStage.PACKED)
    refund = a_refund(sale, [a_credit(sku, 1, "10.00", "2.00", "VAT20")])
    restock = its_restock(refund, Restock(sku, Decimal(1), None, RestockType.CANCEL))

    with pytest.raises(StructuralError) as checked:
        refunded(erp, refund, restock)
    with pytest.raises(StructuralError) as moved:
        erp.back_office.restock(restock)

    assert checked.value.cause is moved.value.cause is Cause.ALREADY_DESPATCHED
    assert erp.back_office.find_credit_note(refund.reference) is None


def test_a_note_and_a_restock_asked_again_are_made_once(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    _, sale = posted(erp, [a_line(sku, 3, "10.00", "VAT20")])
    erp.set_stage(sale.erp_id, ShipmentStage.ASSIGNED)
    refund = a_refund(sale, [a_credit(sku, 2, "20.00", "4.00", "VAT20")])
    restock = its_restock(
        refund, Restock(sku, Decimal(1), None, RestockType.CANCEL), Restock(sku, Decimal(1), "WH2", RestockType.RETURN)
    )
    before = erp.stock_at(sku, "WH2")

    first = refunded(erp, refund, restock)
    again = refunded(erp, refund, restock)  # a retry: the note found, the units not moved twice

    assert again == first == erp.back_office.find_credit_note(refund.reference)
    assert erp.pending_units(sale.erp_id, sku) == 2
    assert erp.stock_at(sku, "WH2") == before + 1


def test_the_units_a_refunds_return_received_back_are_read_per_sku_and_none_for_one_that_moved_none(
    erp: BackOfficeHarness,
) -> None:
    sku, other = new_skus(erp, 2)
    _, sale = posted(erp, [a_line(sku, 3, "10.00", "VAT20"), a_line(other, 2, "5.00", "VAT20")])
    erp.set_stage(sale.erp_id, ShipmentStage.ASSIGNED)
    returned = a_refund(sale, [a_credit(sku, 2, "20.00", "4.00", "VAT20"), a_credit(other, 1, "5.00", "1.00", "VAT20")])
    restock = its_restock(
        returned,
        Restock(sku, Decimal(2), "WH2", RestockType.RETURN),
        Restock(other, Decimal(1), None, RestockType.CANCEL),  # taken off the shipment: nothing comes back
    )
    money_only = a_refund(sale, [a_credit(None, 1, "3.00", "0.00")])

    refunded(erp, returned, restock)
    refunded(erp, money_only)

    assert erp.back_office.returned_units(returned.reference) == {sku: Decimal(2)}
    assert erp.back_office.returned_units(money_only.reference) == {}


def test_a_restock_cut_short_after_its_note_finishes_on_retry(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    _, sale = posted(erp, [a_line(sku, 2, "10.00", "VAT20")])
    refund = a_refund(sale, [a_credit(sku, 1, "10.00", "2.00", "VAT20")])
    restock = its_restock(refund, Restock(sku, Decimal(1), None, RestockType.CANCEL))
    erp.back_office.check_restock(restock)
    note = erp.back_office.create_credit_note(refund)  # ... and the attempt stops here

    assert refunded(erp, refund, restock) == note
    assert erp.pending_units(sale.erp_id, sku) == 1


def test_a_refund_whose_tax_differs_beyond_tolerance_is_a_mismatch_and_makes_no_note(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    _, sale = posted(erp, [a_line(sku, 1, "10.00", "VAT20")])
    refund = a_refund(sale, [a_credit(sku, 1, "10.00", "1.00", "VAT20")])

    with pytest.raises(StructuralError) as raised:
        erp.back_office.create_credit_note(refund)

    assert raised.value.cause is Cause.TAX_MISMATCH
    assert erp.back_office.find_credit_note(refund.reference) is None


def test_a_credit_note_carries_shopifys_refunded_tax_and_the_posted_invoice_keeps_shopifys(
    erp: BackOfficeHarness,
) -> None:
    (sku,) = new_skus(erp, 1)
    request = charged(a_request([a_line(sku, 2, "10.00", "VAT20")]), VAT20="4.01")  # Tryton: 4.00
    sale = erp.back_office.create_sales_order(request)
    refund = a_refund(sale, [a_credit(sku, 1, "10.00", "2.01", "VAT20")])
    refund = replace(refund, expected_taxes=(("VAT20", Money(Decimal("2.01"), "EUR")),))

    note = erp.back_office.create_credit_note(refund)

    assert note.total == Money(Decimal("12.01"), "EUR")  # Shopify's refund, its tax on the tax row
    assert erp.invoice_taxes(request.reference) == {"VAT20": Money(Decimal("4.01"), "EUR")}  # posted, kept
    assert erp.back_office.sale_progress(sale.erp_id).total == Money(Decimal("24.01"), "EUR")


def test_a_refunds_tax_beyond_the_tolerance_is_credited_as_shopify_refunded_it_and_reported(
    erp: BackOfficeHarness,
) -> None:
    (sku,) = new_skus(erp, 1)
    request = charged(a_request([a_line(sku, 2, "10.00", "VAT20")]), VAT20="5.00")  # the ERP's rate: 4.00
    sale = erp.back_office.create_sales_order(request)
    refund = a_refund(sale, [a_credit(sku, 1, "10.00", "2.50", "VAT20")])
    refund = replace(
        refund, expected_taxes=(("VAT20", Money(Decimal("2.50"), "EUR")),), tax_rates=(("VAT20", "Shopify VAT20"),)
    )

    note = erp.back_office.create_credit_note(refund)

    assert note.total == Money(Decimal("12.50"), "EUR")  # Shopify's refunded tax on the note
    (variance,) = note.tax_variances
    assert (variance.document, variance.tax, variance.rate) == (refund.reference, "VAT20", "Shopify VAT20")
    assert (variance.shopify, variance.erp) == (Money(Decimal("-2.50"), "EUR"), Money(Decimal("-2.00"), "EUR"))
    assert variance.difference == Money(Decimal("-0.50"), "EUR")  # credited: nets the sale's +1.00


def test_after_a_parcel_is_stopped_the_goods_still_sold_ship_again_to_the_new_address(erp: BackOfficeHarness) -> None:
    sku, removed = new_skus(erp, 2)
    erp.receive_stock({sku: 5, removed: 5}, "WH1")
    request, sale = posted(erp, [a_line(sku, 2, "10.00", "VAT20"), a_line(removed, 1, "5.00", "VAT20")])
    erp.set_stage(sale.erp_id, ShipmentStage.PICKED)
    erp.stop_parcel(sale.erp_id)  # the change came after picking: a person stops the parcel, as the docs say
    moved = replace(an_address(), city="Villeurbanne", zip="69100")
    edited = replace(with_lines(request, [a_line(sku, 2, "10.00", "VAT20")]), shipment_address=moved)

    erp.back_office.amend_sale(sale.erp_id, edited)

    progress = erp.back_office.sale_progress(sale.erp_id)
    assert [s.stage for s in progress.shipments if s.stage is not ShipmentStage.CANCELLED] == [ShipmentStage.WAITING]
    assert erp.pending_units(sale.erp_id, sku) == 2
    assert erp.pending_units(sale.erp_id, removed) == 0
    assert erp.shipment_city(sale.erp_id) == "Villeurbanne"
