"""The month view's Shopify side: orders, refunds and payouts of the month in the shop's time zone, each looked up
in the ERP's books by the reference trueup gave its document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests.factories import SHOP, a_line, an_order, eur
from tests.fakes.shopify import FakeShopifyAdmin
from tests.fakes.store import InMemoryStore

from trueup.domain.errors import Cause
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.domain.money import Money
from trueup.domain.month_close import ErpDocument, ErpKind
from trueup.domain.orders import FinancialStatus
from trueup.domain.payouts import PayoutRecord, PayoutState, PayoutStatus
from trueup.domain.refunds import Refund
from trueup.service_layer.month_view import ShopMonth, month_view

NEW_YORK = ZoneInfo("America/New_York")
LATE_ON_THE_30TH = dt.datetime(2026, 12, 1, 4, 30, tzinfo=dt.UTC)  # 23:30 on 30 November in New York
EARLY_ON_THE_1ST = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)  # 01:00 on 1 December in New York


class Books:
    """The ERP's side as a stub: the documents it was told of, and what it was asked for."""

    def __init__(self, documents: list[ErpDocument]) -> None:
        self.documents = documents
        self.asked: list[str] = []
        self.period: tuple[dt.date, dt.date] | None = None

    def month_books(
        self, references: Collection[str], start: dt.date, end: dt.date, fee: str, banks: Collection[str]
    ) -> list[ErpDocument]:
        self.asked = sorted(references)
        self.period = (start, end)
        return [d for d in self.documents if d.key in self.asked]


def test_orders_belong_to_the_month_they_were_made_in_the_shop_s_time_zone() -> None:
    shopify = FakeShopifyAdmin(SHOP)
    late = an_order(
        [a_line(price="10.00", tax="2.00")], number=1, created_at=LATE_ON_THE_30TH, updated_at=LATE_ON_THE_30TH
    )
    early = an_order(
        [a_line(price="30.00", tax="6.00")], number=2, created_at=EARLY_ON_THE_1ST, updated_at=EARLY_ON_THE_1ST
    )
    shopify.put_order(late)
    shopify.put_order(early)
    books = Books(
        [
            ErpDocument(
                f"shopify:{SHOP}:1",
                ErpKind.INVOICE,
                "INV1",
                dt.date(2026, 12, 1),
                (("revenue", eur("10.00")), ("tax", eur("2.00"))),
            )
        ]
    )

    view = month_view("2026-11", [ShopMonth(SHOP, shopify, NEW_YORK)], InMemoryStore(), books, "FEES", ["BANK"])

    assert books.asked == [f"shopify:{SHOP}:1"]
    assert books.period == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert view.closes
    assert view.shopify["EUR"] == {"sales": eur("10.00"), "tax": eur("2.00")}


def test_a_refund_and_a_payout_of_the_month_are_looked_up_by_their_references() -> None:
    shopify = FakeShopifyAdmin(SHOP)
    order = an_order(
        [a_line(price="10.00", tax="2.00")], number=3, created_at=EARLY_ON_THE_1ST, updated_at=EARLY_ON_THE_1ST
    )
    shopify.put_order(order)
    refund = Refund("gid://shopify/Refund/77", order.order_id, EARLY_ON_THE_1ST, "EUR", total_refunded=eur("12.00"))
    shopify.put_order(replace(order, refunds=(refund,)))
    store = InMemoryStore()
    store.save_payout_record(a_payout_record("55", EARLY_ON_THE_1ST, fees="0.65", net="11.35"))
    store.save_payout_record(a_payout_record("56", EARLY_ON_THE_1ST, status=PayoutStatus.SCHEDULED))

    view = month_view("2026-12", [ShopMonth(SHOP, shopify, NEW_YORK)], store, Books([]), "FEES", ["BANK"])

    names = {(d.kind, d.name) for d in view.differences}
    assert names == {("order", "#3"), ("refund", "refund 1 of #3"), ("payout", "payout 55")}
    assert view.shopify["EUR"] == {
        "sales": eur("10.00"),
        "tax": eur("2.00"),
        "refunds": eur("12.00"),
        "fees": eur("0.65"),
        "payouts": eur("11.35"),
    }


def test_an_order_waiting_for_payment_is_no_sale_yet() -> None:
    shopify = FakeShopifyAdmin(SHOP)
    shopify.put_order(
        an_order(number=4, status=FinancialStatus.PENDING, created_at=EARLY_ON_THE_1ST, updated_at=EARLY_ON_THE_1ST)
    )

    view = month_view("2026-12", [ShopMonth(SHOP, shopify, NEW_YORK)], InMemoryStore(), Books([]), "FEES", ["BANK"])

    assert view.documents == 0


def a_payout_record(
    payout_id: str, issued: dt.datetime, *, status: PayoutStatus = PayoutStatus.PAID, fees: str = "0", net: str = "0"
) -> PayoutRecord:
    return PayoutRecord(
        shop=SHOP,
        payout_id=payout_id,
        status=status,
        issued_at=issued,
        net=Money(Decimal(net), "EUR"),
        state=PayoutState.BOOKED,
        first_seen_at=issued,
        updated_at=issued,
        totals={"fees": Money(Decimal(fees), "EUR")},
    )


def test_an_order_authorised_and_not_captured_is_not_invoiced_yet() -> None:
    shopify = FakeShopifyAdmin(SHOP)
    shopify.put_order(
        an_order(number=5, status=FinancialStatus.AUTHORIZED, created_at=EARLY_ON_THE_1ST, updated_at=EARLY_ON_THE_1ST)
    )

    view = month_view("2026-12", [ShopMonth(SHOP, shopify, NEW_YORK)], InMemoryStore(), Books([]), "FEES", ["BANK"])

    assert view.closes
    assert [(name, why) for name, _, why in view.not_invoiced_yet] == [
        ("#5", "authorised, not captured yet: invoiced at capture")
    ]


def test_an_order_parked_in_trueup_says_so_in_its_difference() -> None:
    shopify = FakeShopifyAdmin(SHOP)
    order = shopify.put_order(an_order(number=6, created_at=EARLY_ON_THE_1ST, updated_at=EARLY_ON_THE_1ST))
    store = InMemoryStore()
    parked = LedgerEntry.received(SHOP, order.order_id, order.name, EARLY_ON_THE_1ST).moved_to(
        OrderState.EXCEPTION, EARLY_ON_THE_1ST, cause=Cause.SKU_NOT_IN_ITEM_MASTER
    )
    store.save_ledger_entry(parked)

    view = month_view("2026-12", [ShopMonth(SHOP, shopify, NEW_YORK)], store, Books([]), "FEES", ["BANK"])

    (difference,) = view.differences
    assert difference.why == "no posted invoice in the ERP (the order is exception: sku_not_in_item_master)"
