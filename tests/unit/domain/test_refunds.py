"""Refunds: each Shopify refund is one credit note, with Shopify's amounts and tax, to the cent."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import NOW, SHOP, eur, vat
from trueup.domain.bundles import KitComponent
from trueup.domain.credit_notes import build_credit_note, build_restock
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.posting import PostingPolicy
from trueup.domain.refunds import (
    Refund,
    RefundAdjustment,
    RefundLine,
    RefundShipping,
    RestockType,
    refund_reference,
    refunded_units,
)
from trueup.domain.taxes import TaxLine

POLICY = PostingPolicy(taxes={"VAT 20": "VAT20"})
GIFT = {"GIFT": [KitComponent("CAP", Decimal(1), Decimal("15.00")), KitComponent("SOCK", Decimal(2), Decimal("5"))]}


def a_refund_line(sku="TEE-M", quantity=1, subtotal="10.00", tax="2.00", restock=RestockType.RETURN, location=None):
    return RefundLine(
        line_item_id="gid://shopify/LineItem/1",
        sku=sku,
        title=f"Item {sku}",
        quantity=quantity,
        restock_type=restock,
        location_id=location,
        subtotal=eur(subtotal),
        tax=eur(tax),
        taxes=vat("6.00"),
    )


def a_refund(lines=(), shipping=(), adjustments=(), returned=None, number=7) -> Refund:
    return Refund(
        refund_id=f"gid://shopify/Refund/{number}",
        order_id="gid://shopify/Order/1001",
        created_at=NOW,
        currency="EUR",
        lines=tuple(lines),
        shipping=tuple(shipping),
        adjustments=tuple(adjustments),
        total_refunded=eur(returned) if returned is not None else None,
    )


def note_for(refund, included=False, kits=None):
    return build_credit_note(
        refund,
        shop=SHOP,
        ordinal=2,
        order_name="#1001",
        sale_id="17",
        taxes_included=included,
        policy=POLICY,
        kits=kits,
    )


def restocks_for(refund, kits=None, locations=None):
    """What the refund moves in the warehouse (nothing: ())."""
    request = build_restock(refund, shop=SHOP, sale_id="17", kits=kits, locations=locations)
    if request is not None:
        assert (request.reference, request.sale_id) == (refund_reference(SHOP, refund), "17")
    return request.restocks if request is not None else ()


def test_a_partial_refund_with_restock_credits_the_units_at_shopifys_amounts_and_returns_them():
    refund = a_refund([a_refund_line(quantity=2, subtotal="20.00", tax="4.00")], returned="24.00")
    note = note_for(refund)

    assert note is not None
    assert note.reference == f"shopify:{SHOP}:refund:7" == refund_reference(SHOP, a_refund())
    assert note.description == "Refund 2 on #1001"
    (line,) = note.lines
    assert (line.sku, line.quantity, line.net, line.tax, line.tax_codes) == (
        "TEE-M",
        2,
        eur("20.00"),
        eur("4.00"),
        ("VAT20",),
    )
    assert [(r.sku, r.quantity, r.kind, r.warehouse) for r in restocks_for(refund)] == [
        ("TEE-M", 2, RestockType.RETURN, None)
    ]
    assert note.expected_total == eur("24.00")


def test_goodwill_without_restock_moves_no_stock():
    refund = a_refund([a_refund_line(restock=RestockType.NO_RESTOCK)], returned="12.00")
    note = note_for(refund)

    assert note is not None
    assert restocks_for(refund) == ()


def test_prices_including_tax_credit_the_subtotal_less_its_tax():
    note = note_for(a_refund([a_refund_line(subtotal="12.00", tax="2.00")], returned="12.00"), included=True)

    assert note is not None
    assert (note.lines[0].net, note.lines[0].tax, note.expected_total) == (eur("10.00"), eur("2.00"), eur("12.00"))


def test_refunded_shipping_and_an_adjustment_are_credit_lines_of_their_own():
    shipping = RefundShipping("Standard", eur("5.00"), eur("1.00"), vat("1.00"))
    adjustment = RefundAdjustment("REFUND_DISCREPANCY", eur("-2.50"), eur("0.00"))
    note = note_for(a_refund(shipping=[shipping], adjustments=[adjustment], returned="3.50"))

    assert note is not None
    ship, adjust = note.lines
    assert (ship.is_shipping, ship.net, ship.tax, ship.tax_codes) == (True, eur("5.00"), eur("1.00"), ("VAT20",))
    assert (adjust.sku, adjust.net, adjust.description) == (None, eur("-2.50"), "Order adjustment: Refund discrepancy")
    assert note.expected_total == eur("3.50")


def test_a_refund_crediting_nothing_has_no_note():
    assert note_for(a_refund()) is None


def test_a_refund_returning_other_money_than_its_parts_is_a_totals_mismatch():
    with pytest.raises(StructuralError) as problem:
        note_for(a_refund([a_refund_line()], returned="11.00"))
    assert problem.value.cause == Cause.TOTALS_MISMATCH


def test_an_unmapped_tax_is_named():
    line = RefundLine(
        "gid://shopify/LineItem/1",
        "TEE-M",
        "Tee",
        1,
        RestockType.NO_RESTOCK,
        None,
        eur("10"),
        eur("1"),
        vat("1.00", rate="0.1"),
    )
    with pytest.raises(StructuralError) as problem:
        note_for(a_refund([line]))
    assert (problem.value.cause, problem.value.needs) == (Cause.UNMAPPED_TAX, {"taxes": ["VAT 10"]})


def test_the_restock_location_maps_to_its_warehouse_and_an_unmapped_one_is_named():
    located = a_refund([a_refund_line(location="gid://shopify/Location/2")])
    assert restocks_for(located, locations={"2": "WH2"})[0].warehouse == "WH2"

    with pytest.raises(StructuralError) as problem:
        restocks_for(located, locations={"1": "WH1"})
    assert problem.value.cause == Cause.UNMAPPED_LOCATION


def test_a_refunded_bundle_credits_and_returns_its_components():
    line = a_refund_line(sku="GIFT", quantity=2, subtotal="39.98", tax="8.00", restock=RestockType.CANCEL)
    refund = a_refund([line], returned="47.98")
    note = note_for(refund, kits=GIFT)

    assert note is not None
    assert [(c.sku, c.quantity) for c in note.lines] == [("CAP", 2), ("SOCK", 4)]
    assert note.expected_untaxed == eur("39.98")
    assert note.expected_tax == eur("8.00")
    restocks = restocks_for(refund, kits=GIFT)
    assert [(r.sku, r.quantity, r.kind) for r in restocks] == [("CAP", 2, "CANCEL"), ("SOCK", 4, "CANCEL")]


def test_refunded_units_are_counted_per_line_item_across_refunds():
    refunds = [a_refund([a_refund_line(quantity=2)]), a_refund([a_refund_line(quantity=1)], number=8)]
    assert refunded_units(refunds) == {"gid://shopify/LineItem/1": 3}


cents = st.integers(min_value=0, max_value=100_000).map(lambda c: Money(Decimal(c).scaleb(-2), "EUR"))


@given(
    lines=st.lists(st.tuples(st.integers(1, 5), cents, cents, st.booleans()), max_size=4),
    shipping=st.lists(st.tuples(cents, cents), max_size=2),
    adjustment=st.integers(-5_000, 5_000),
    included=st.booleans(),
)
def test_the_note_always_totals_the_refunds_parts_to_the_cent(lines, shipping, adjustment, included):
    refund_lines = [
        RefundLine(
            f"gid://shopify/LineItem/{i}",
            "GIFT" if bundle else "TEE",
            "x",
            q,
            RestockType.RETURN,
            None,
            sub + tax if included else sub,
            tax,
            vat("1.00"),
        )
        for i, (q, sub, tax, bundle) in enumerate(lines)
    ]
    ships = [RefundShipping("S", sub + tax if included else sub, tax, vat("1.00")) for sub, tax in shipping]
    adjust = [RefundAdjustment("REFUND_DISCREPANCY", eur(Decimal(adjustment).scaleb(-2)), eur("0"))]
    parts = sum((s.amount + t.amount for _, s, t, _ in lines), Decimal(0)) + sum(
        (s.amount + t.amount for s, t in shipping), Decimal(0)
    )
    returned = parts + Decimal(adjustment).scaleb(-2)
    refund = a_refund(refund_lines, ships, adjust, returned=str(returned) if returned else None)

    note = note_for(refund, included=included, kits=GIFT)

    if note is None:
        assert not refund_lines
        assert returned == 0
        return
    assert note.expected_total == eur(returned)
    assert note.expected_tax == eur(
        sum((t.amount for _, _, t, _ in lines), Decimal(0)) + sum((t.amount for _, t in shipping), Decimal(0))
    )
    assert sum(r.quantity for r in restocks_for(refund, kits=GIFT)) == sum(q * (3 if b else 1) for q, _, _, b in lines)


def test_refunded_shipping_is_credited_on_the_shipping_product_the_sale_booked_it_on():
    refund = a_refund(shipping=[RefundShipping("Standard", eur("5.00"), eur("1.00"), vat("1.00"))], returned="6.00")
    policy = PostingPolicy(taxes={"VAT 20": "VAT20"}, shipping_sku="FREIGHT")

    note = build_credit_note(
        refund, shop=SHOP, ordinal=1, order_name="#1001", sale_id="17", taxes_included=False, policy=policy
    )

    assert note is not None
    assert [(line.sku, line.is_shipping, line.net, line.tax_codes) for line in note.lines] == [
        ("FREIGHT", True, eur("5.00"), ("VAT20",))
    ]


def test_a_note_asks_for_shopifys_refunded_tax_per_erp_tax_split_by_the_lines_tax_lines():
    stacked = (TaxLine("State", Decimal("0.0625"), eur("0.63")), TaxLine("City", Decimal("0.01"), eur("0.10")))
    line = replace(a_refund_line(quantity=1, subtotal="10.00", tax="0.73"), taxes=stacked)
    shipping = RefundShipping("Standard", eur("5.00"), eur("0.31"), (TaxLine("State", Decimal("0.0625"), eur("0.31")),))
    policy = PostingPolicy(taxes={"State 6.25": "STATE", "City 1": "CITY"})
    note = build_credit_note(
        a_refund([line], [shipping]), shop=SHOP, ordinal=1, order_name="#1", sale_id="1", taxes_included=False,
        policy=policy,
    )  # fmt: skip
    assert note is not None
    assert note.expected_taxes == (("CITY", eur("0.10")), ("STATE", eur("0.94")))
    assert note.uncarried_tax == eur("0.00")


def test_the_refunded_share_of_a_lines_tax_is_what_the_note_carries():
    note = note_for(a_refund([a_refund_line(tax="2.00")]))  # the line's tax lines hold the whole line's 6.00
    assert note is not None
    assert note.expected_taxes == (("VAT20", eur("2.00")),)
