from dataclasses import replace
from decimal import Decimal

import pytest

from tests.factories import a_line, an_order, eur
from trueup.domain.errors import Cause
from trueup.domain.orders import Address
from trueup.domain.post_purchase import (
    CutOff,
    accepted_as,
    changed_after_cut_off,
    cut_off_reached,
    sale_changes,
    same_address,
)
from trueup.domain.posting import PostingPolicy, build_sales_order
from trueup.domain.sales import SaleLineProgress, SaleProgress, ShipmentProgress, ShipmentStage

POLICY = PostingPolicy(taxes={"VAT 20": "VAT20"})
HOME = Address("Ada Lovelace", "12 Rue de la Paix", "", "Paris", "75002", "FR")


def progress(lines=(("TEE-M", "1"),), total="10.00", address=HOME, stages=(ShipmentStage.WAITING,), shipped="0"):
    return SaleProgress(
        erp_id="7",
        number="SO7",
        reference="shopify:demo:1001",
        state="processing",
        total=eur(total),
        lines=tuple(SaleLineProgress(str(i), sku, Decimal(q), Decimal(shipped)) for i, (sku, q) in enumerate(lines)),
        shipments=tuple(ShipmentProgress(f"s{i}", f"CS{i}", "WH1", stage) for i, stage in enumerate(stages)),
        shipment_address=address,
    )


def wanted(lines=None, address=HOME):
    return build_sales_order(an_order(lines, shipping_address=address, billing_address=address), POLICY)


def test_the_order_as_posted_makes_no_difference():
    assert sale_changes(progress(), wanted()).is_empty


def test_lines_added_removed_and_changed_are_each_named_by_sku():
    sale = progress(lines=(("TEE-M", "2"), ("MUG", "1")), total="30.00")
    order = wanted([a_line("TEE-M", quantity=1), a_line("TEE-L", quantity=1, line_id="2")])

    changes = sale_changes(sale, order)

    assert changes.items() == [
        "MUG removed (1)",
        "TEE-L added (1)",
        "TEE-M quantity 2 -> 1",
        "total 30.00 EUR -> 20.00 EUR",
    ]


def test_a_new_shipping_address_is_a_change_told_without_the_address():
    moved = Address("Ada Lovelace", "1 Baker Street", "", "London", "NW1 6XE", "GB")

    changes = sale_changes(progress(), wanted(address=moved))

    assert changes.address_changed
    assert changes.items() == ["shipping address changed"]
    assert "Baker" not in changes.describe()


@pytest.mark.parametrize(
    "as_the_erp_keeps_it",
    [
        replace(HOME, address1="12  rue de la paix "),
        replace(HOME, phone="+33 1 23 45 67 89", province_code="75", company="Analytical Engines"),
        replace(HOME, address1="12 Rue de la", address2="Paix"),
    ],
)
def test_what_the_erp_does_not_keep_or_spells_differently_is_the_same_address(as_the_erp_keeps_it):
    assert same_address(as_the_erp_keeps_it, HOME)


def test_no_shipping_address_in_shopify_is_never_a_change():
    assert same_address(HOME, None)
    assert not same_address(None, HOME)


@pytest.mark.parametrize(
    ("stage", "cut_off", "reached"),
    [
        (ShipmentStage.WAITING, CutOff.PICKED, False),
        (ShipmentStage.ASSIGNED, CutOff.PICKED, False),
        (ShipmentStage.PICKED, CutOff.PICKED, True),
        (ShipmentStage.PICKED, CutOff.PACKED, False),
        (ShipmentStage.PACKED, CutOff.PACKED, True),
        (ShipmentStage.PACKED, CutOff.SHIPPED, False),
        (ShipmentStage.SHIPPED, CutOff.SHIPPED, True),
        (ShipmentStage.DONE, CutOff.SHIPPED, True),
        (ShipmentStage.CANCELLED, CutOff.PICKED, False),
    ],
)
def test_the_cut_off_is_reached_when_a_live_shipment_is_at_or_past_it(stage, cut_off, reached):
    assert cut_off_reached(progress(stages=(stage,)), cut_off) is reached


def test_a_stopped_parcel_replaced_by_a_new_shipment_is_before_the_cut_off_again():
    assert not cut_off_reached(progress(stages=(ShipmentStage.CANCELLED, ShipmentStage.WAITING)), CutOff.PICKED)


def test_goods_that_left_are_past_any_cut_off():
    assert cut_off_reached(progress(stages=(), shipped="1"), CutOff.SHIPPED)


def test_a_cancellation_after_picking_says_stop_the_parcel():
    problem = changed_after_cut_off("#1001", progress(stages=(ShipmentStage.PICKED,)), None, CutOff.PICKED)

    assert problem.cause == Cause.CHANGED_AFTER_CUT_OFF
    assert "#1001 cancelled in Shopify after the cut-off (picked)" in problem.detail
    assert "shipment CS0 of SO7 is picked" in problem.detail
    assert "Stop the parcel" in problem.detail
    assert accepted_as(problem.needs) == "order cancelled"


def test_an_address_change_after_picking_is_spelled_out_without_customer_details():
    moved = Address("Ada Lovelace", "1 Baker Street", "", "London", "NW1 6XE", "GB")
    sale = progress(stages=(ShipmentStage.PACKED,))
    changes = sale_changes(sale, wanted(address=moved))

    problem = changed_after_cut_off("#1001", sale, changes, CutOff.PICKED)

    assert problem.detail.startswith("shipping address changed in Shopify after the cut-off (picked)")
    assert "packed" in problem.detail
    assert "correct its address" in problem.detail
    assert not any(word in problem.detail for word in ("Baker", "London", "Lovelace", "NW1"))
    assert problem.needs == {"changes": ["shipping address changed"]}
    assert accepted_as(problem.needs) == changes.describe()
