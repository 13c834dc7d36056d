"""The payout poll keeps the captures Shopify has not paid out after N business days; `trueup status` and
`trueup payouts` show them with what to do."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.unit.engine.test_payouts import NOW, SHOP, Books, order, usd

from trueup.domain.payouts import BalanceTransaction
from trueup.service_layer.payouts import poll_payouts
from trueup.service_layer.payouts_status import payouts_summary


def a_capture(n: int, days_ago: int) -> BalanceTransaction:
    return BalanceTransaction(
        f"tx{n}",
        "CHARGE",
        usd("40.00"),
        usd("1.46"),
        usd("38.54"),
        order(n),
        f"#{n}",
        processed_at=NOW - timedelta(days=days_ago),
    )


def test_a_capture_in_no_payout_after_five_business_days_is_shown_with_what_to_do() -> None:
    books = Books()
    books.shopify.pending = [a_capture(1, 8), a_capture(2, 1)]  # NOW is a Friday: 6 and 1 business days

    poll_payouts(books.ctx)

    summary = payouts_summary(books.store, shop=SHOP)
    assert [item["capture"] for item in summary["overdue_captures"]] == [
        "#1: 40.00 USD captured on 2026-11-12, in no payout after 6 business days"
    ]
    assert "hold on the account" in summary["overdue_what_to_do"]


def test_a_capture_paid_out_since_is_no_longer_shown() -> None:
    books = Books()
    books.shopify.pending = [a_capture(1, 8)]
    poll_payouts(books.ctx)

    books.shopify.pending = []
    poll_payouts(books.ctx)

    assert payouts_summary(books.store, shop=SHOP) == {}


def test_the_number_of_business_days_is_the_configuration_s() -> None:
    books = Books()
    books.shopify.pending = [a_capture(1, 8)]

    poll_payouts(replace(books.ctx, overdue_business_days=7))

    assert payouts_summary(books.store, shop=SHOP) == {}
