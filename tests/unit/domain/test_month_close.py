"""The month view's arithmetic: Shopify's documents against the ERP's, to the cent, each difference by document,
and the differences listed always adding up to the difference of the totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trueup.domain.money import Money
from trueup.domain.month_close import (
    FIGURES,
    DocumentKind,
    ErpDocument,
    ErpKind,
    ShopifyDocument,
    close_month,
    month_bounds,
)

DAY = dt.date(2026, 11, 14)


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def an_order(key: str, sales: str, tax: str, cancelled: bool = False) -> ShopifyDocument:
    figures = {"sales": usd(sales), "tax": usd(tax)}
    return ShopifyDocument(key, DocumentKind.ORDER, f"#{key}", DAY, figures, cancelled)


def a_refund(key: str, amount: str, order: str) -> ShopifyDocument:
    return ShopifyDocument(
        key, DocumentKind.REFUND, f"refund of #{order}", DAY, {"refunds": usd(amount)}, order_key=order
    )


def a_payout(key: str, fees: str, net: str) -> ShopifyDocument:
    return ShopifyDocument(key, DocumentKind.PAYOUT, key, DAY, {"fees": usd(fees), "payouts": usd(net)})


def an_invoice(key: str | None, revenue: str, tax: str, number: str = "INV1") -> ErpDocument:
    return ErpDocument(key, ErpKind.INVOICE, number, DAY, (("revenue", usd(revenue)), ("tax", usd(tax))))


def a_credit_note(key: str, revenue: str, tax: str, number: str = "CN1") -> ErpDocument:
    return ErpDocument(key, ErpKind.CREDIT_NOTE, number, DAY, (("revenue", usd(revenue)), ("tax", usd(tax))))


def an_entry(key: str | None, fees: str, bank: str, number: str = "M1") -> ErpDocument:
    return ErpDocument(key, ErpKind.ENTRY, number, DAY, (("fees", usd(fees)), ("bank", usd(bank))))


def test_a_month_booked_as_shopify_says_closes_to_the_cent() -> None:
    shopify = [an_order("o1", "100.00", "8.25"), a_refund("r1", "10.83", "o1"), a_payout("p1", "3.44", "93.98")]
    erp = [
        an_invoice("o1", "100.00", "8.25"),
        a_credit_note("r1", "-10.00", "-0.83"),
        an_entry("p1", "3.44", "93.98"),
    ]

    view = close_month("2026-11", shopify, erp)

    assert view.closes
    assert view.differences == ()
    assert view.shopify["USD"] == {
        "sales": usd("100.00"),
        "tax": usd("8.25"),
        "refunds": usd("10.83"),
        "fees": usd("3.44"),
        "payouts": usd("93.98"),
    }
    assert view.erp == view.shopify
    assert all(view.difference("USD", f).is_zero() for f in FIGURES)


def test_an_order_with_no_posted_invoice_is_listed_by_its_name() -> None:
    view = close_month("2026-11", [an_order("o1", "50.00", "4.00")], [])

    assert not view.closes
    (difference,) = view.differences
    assert (difference.kind, difference.name, difference.erp_documents) == ("order", "#o1", ())
    assert difference.figures["sales"] == (usd("50.00"), usd("0"), usd("-50.00"))
    assert difference.why == "no posted invoice in the ERP"
    assert view.difference("USD", "tax") == usd("-4.00")


def test_a_tax_cent_off_names_the_invoice() -> None:
    view = close_month("2026-11", [an_order("o1", "50.00", "4.00")], [an_invoice("o1", "50.00", "4.01", "INV7")])

    (difference,) = view.differences
    assert difference.erp_documents == ("INV7",)
    assert list(difference.figures) == ["tax"]
    assert difference.figures["tax"][2] == usd("0.01")


def test_an_edit_s_second_invoice_counts_with_the_first() -> None:
    erp = [an_invoice("o1", "40.00", "3.20", "INV1"), an_invoice("o1", "10.00", "0.80", "INV2")]

    assert close_month("2026-11", [an_order("o1", "50.00", "4.00")], erp).closes


def test_a_payout_returned_after_booking_leaves_the_bank_as_shopify_does() -> None:
    shopify = [a_payout("shopify:s:payout:9", "1.00", "0.00")]  # failed: nothing reached the bank
    erp = [an_entry("shopify:s:payout:9", "1.00", "49.00"), an_entry("shopify:s:payout:9:returned", "0", "-49.00")]

    assert close_month("2026-11", shopify, erp).closes


def test_an_entry_trueup_did_not_make_is_a_difference_named_by_its_number() -> None:
    view = close_month("2026-11", [], [an_entry(None, "7.50", "-7.50", "MOVE42")])

    (difference,) = view.differences
    assert (difference.kind, difference.name) == ("erp entry", "MOVE42")
    assert difference.figures["fees"] == (usd("0"), usd("7.50"), usd("7.50"))
    assert view.difference("USD", "fees") == usd("7.50")


def test_a_cancelled_credit_note_leaves_the_refund_uncredited() -> None:
    shopify = [an_order("o1", "20.00", "0"), a_refund("r1", "20.00", "o1")]

    view = close_month("2026-11", shopify, [an_invoice("o1", "20.00", "0")])

    (difference,) = view.differences
    assert (difference.kind, difference.why) == ("refund", "no posted credit note in the ERP")


def test_an_order_cancelled_before_the_erp_booked_anything_counts_on_neither_side() -> None:
    shopify = [an_order("o1", "20.00", "1.00", cancelled=True), a_refund("r1", "21.00", "o1")]

    view = close_month("2026-11", shopify, [])

    assert view.closes
    assert view.cancelled_unbooked == ("#o1",)


def test_an_order_cancelled_after_its_invoice_was_posted_counts_on_both_sides() -> None:
    shopify = [an_order("o1", "20.00", "1.00", cancelled=True), a_refund("r1", "21.00", "o1")]
    erp = [an_invoice("o1", "20.00", "1.00"), a_credit_note("r1", "-20.00", "-1.00")]

    view = close_month("2026-11", shopify, erp)

    assert view.closes
    assert view.shopify["USD"]["refunds"] == usd("21.00")


@pytest.mark.parametrize(
    ("month", "bounds"),
    [
        ("2026-11", (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
        ("2026-12", (dt.date(2026, 12, 1), dt.date(2026, 12, 31))),
        ("2028-02", (dt.date(2028, 2, 1), dt.date(2028, 2, 29))),
    ],
)
def test_a_month_runs_from_its_first_to_its_last_day(month: str, bounds: tuple[dt.date, dt.date]) -> None:
    assert month_bounds(month) == bounds


def test_a_month_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValueError, match="is not a month"):
        month_bounds("2026-13")


cents = st.integers(min_value=-100_000, max_value=100_000).map(lambda c: Money(Decimal(c) / 100, "USD"))


@given(
    st.lists(st.tuples(cents, cents, cents, cents, st.booleans()), max_size=12),
    st.lists(st.tuples(cents, cents), max_size=3),
)
def test_the_differences_listed_add_up_to_the_difference_of_the_totals(
    orders: list[tuple[Money, Money, Money, Money, bool]], hand_made: list[tuple[Money, Money]]
) -> None:
    shopify, erp = [], []
    for n, (sales, tax, booked_sales, booked_tax, invoiced) in enumerate(orders):
        key = f"o{n}"
        shopify.append(ShopifyDocument(key, DocumentKind.ORDER, key, DAY, {"sales": sales, "tax": tax}))
        if invoiced:
            erp.append(
                ErpDocument(key, ErpKind.INVOICE, f"INV{n}", DAY, (("revenue", booked_sales), ("tax", booked_tax)))
            )
    erp += [
        ErpDocument(None, ErpKind.ENTRY, f"M{n}", DAY, (("fees", f), ("bank", b))) for n, (f, b) in enumerate(hand_made)
    ]

    view = close_month("2026-11", shopify, erp)

    for figure in FIGURES:
        listed = sum(
            (
                gap.amount
                for d in view.differences
                for key, (_, _, gap) in d.figures.items()
                if key.split(":")[0] == figure
            ),
            Decimal(0),
        )
        assert listed == view.difference("USD", figure).amount
    assert view.closes == (not view.differences)


def test_an_order_not_captured_yet_and_not_invoiced_is_listed_apart_not_as_a_difference() -> None:
    waiting = ShopifyDocument(
        "o1", DocumentKind.ORDER, "#o1", DAY, {"sales": usd("20.00"), "tax": usd("1.00")}, awaiting="authorised"
    )

    view = close_month("2026-11", [waiting], [])

    assert view.closes
    assert view.not_invoiced_yet == (("#o1", usd("21.00"), "authorised"),)
    assert view.shopify == {}


def test_an_order_not_captured_yet_but_invoiced_all_the_same_is_compared() -> None:
    waiting = ShopifyDocument(
        "o1", DocumentKind.ORDER, "#o1", DAY, {"sales": usd("20.00"), "tax": usd("1.00")}, awaiting="authorised"
    )

    view = close_month("2026-11", [waiting], [an_invoice("o1", "20.00", "1.10")])

    assert view.not_invoiced_yet == ()
    assert [d.name for d in view.differences] == ["#o1"]
