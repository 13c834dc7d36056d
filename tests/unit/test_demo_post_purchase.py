"""The demo's per-order accounting: ERP sale (as sold; 0 once cancelled) less its credit notes = Shopify's current
total, for every order sold, in the ERP, or cancelled."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from trueup.adapters.shopify.admin import OrderSummary
from trueup.domain.money import Money
from trueup.entrypoints.demo_post_purchase import _accounted

SHOP = "shop.myshopify.com"


def summary(number: int, status: str, total: str, cancelled: bool = False) -> OrderSummary:
    return OrderSummary(
        f"gid://shopify/Order/{number}",
        f"#{number}",
        datetime(2026, 1, 1, tzinfo=UTC),
        status,
        cancelled,
        Money(Decimal(total), "USD"),
    )


def sale(number: int, total: str) -> dict[str, object]:
    return {"reference": f"shopify:{SHOP}:{number}", "total_amount": Decimal(total)}


def test_a_refunded_order_is_accounted_for_by_its_sale_less_its_credit_notes():
    orders = [summary(1, "PARTIALLY_REFUNDED", "70.00"), summary(2, "PAID", "20.00")]
    result = _accounted(orders, [sale(1, "100.00"), sale(2, "20.00")], {"gid://shopify/Order/1": Decimal("30.00")})
    assert result == {
        "orders_accounted": 2,
        "erp_less_credit_notes": "90.00",
        "shopify_current_total": "90.00",
        "per_order_mismatches": [],
    }


def test_cancelled_orders_count_at_zero_and_pending_ones_are_not_sales_yet():
    orders = [summary(1, "REFUNDED", "0.00", cancelled=True), summary(2, "VOIDED", "0.00", cancelled=True)]
    orders.append(summary(3, "PENDING", "40.00"))
    result = _accounted(orders, [sale(1, "0")], {})
    assert (result["orders_accounted"], result["per_order_mismatches"]) == (2, [])


def test_a_difference_is_shown_with_both_figures_and_a_note_of_no_known_order_is_not_hidden():
    orders = [summary(1, "PAID", "223.08"), summary(2, "PENDING", "10.00")]
    credited = {"shopify:x:refund:9": Decimal("5.00")}
    result = _accounted(orders, [sale(1, "223.09")], credited)
    assert result["per_order_mismatches"] == [
        {"order": "#1", "erp": "223.09", "shopify": "223.08"},
        {"order": "shopify:x:refund:9", "erp": "-5.00", "shopify": "none"},
    ]
    assert result["erp_less_credit_notes"] == "218.09"


def test_a_cancelled_order_on_which_no_money_was_taken_is_no_false_alarm():
    # Shopify leaves the current total of a voided or never-paid cancelled order as it was: nothing is owed.
    orders = [summary(1, "VOIDED", "40.80", cancelled=True), summary(2, "PENDING", "12.00", cancelled=True)]
    result = _accounted(orders, [sale(1, "0")], {})
    assert result["per_order_mismatches"] == []
    assert Decimal(result["shopify_current_total"]) == 0


def test_a_cancelled_paid_order_not_refunded_is_still_a_difference():
    result = _accounted([summary(1, "PAID", "40.80", cancelled=True)], [sale(1, "0")], {})
    assert result["per_order_mismatches"] == [{"order": "#1", "erp": "0", "shopify": "40.80"}]
