"""`trueup clearing` on fakes: Shopify's transactions not paid out yet, each order looked up in trueup's ledger,
against the clearing account's balance the ERP reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from tests.factories import SHOP
from tests.fakes.shopify_payments import FakeShopifyPayments
from tests.fakes.store import InMemoryStore

from trueup.bootstrap import payout_accounts
from trueup.config import PaymentsConfig
from trueup.domain.errors import Cause
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.domain.money import Money
from trueup.domain.payouts import AccountBalance, BalanceTransaction
from trueup.service_layer.clearing_view import ShopPayments, clearing_json, clearing_view

NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)


class Balances:
    def __init__(self, **balances: str) -> None:
        self.balances = balances

    def account_balances(self, codes: Iterable[str]) -> dict[str, AccountBalance]:
        return {
            code: AccountBalance(
                code,
                Money(Decimal(self.balances.get(code, "0")), "EUR"),
                Money(Decimal(self.balances.get(code, "0")), code[-3:]),
            )
            for code in codes
        }


def a_charge(n: int, amount: str) -> BalanceTransaction:
    gross = Money(Decimal(amount), "USD")
    return BalanceTransaction(
        f"tx{n}",
        "CHARGE",
        gross,
        Money(Decimal("0.50"), "USD"),
        gross - Money(Decimal("0.50"), "USD"),
        f"gid://shopify/Order/{n}",
        f"#{n}",
    )


def test_a_parked_order_s_capture_is_named_and_the_rest_explains_the_balance() -> None:
    store = InMemoryStore()
    posted = LedgerEntry.received(SHOP, "gid://shopify/Order/1", "#1", NOW).moved_to(
        OrderState.POSTED, NOW, erp_sale_id="9", erp_number="SO9"
    )
    parked = LedgerEntry.received(SHOP, "gid://shopify/Order/2", "#2", NOW).moved_to(
        OrderState.EXCEPTION, NOW, cause=Cause.SKU_NOT_IN_ITEM_MASTER
    )
    store.save_ledger_entry(posted)
    store.save_ledger_entry(parked)
    shopify = FakeShopifyPayments(pending=[a_charge(1, "40.00"), a_charge(2, "12.00")])
    accounts = payout_accounts_of_the_demo()

    views = clearing_view([ShopPayments(SHOP, shopify)], store, Balances(**{"5117-SP-USD": "40.00"}), accounts)

    (usd,) = [v for v in views if v.currency == "USD"]
    assert usd.explained
    assert [(line.order, line.booked) for line in usd.lines] == [("#1", True), ("#2", False)]
    assert usd.differences() == [
        "#2: CHARGE 12.00 USD not booked in the ERP (the order is exception: sku_not_in_item_master)"
    ]
    assert all(v.explained for v in views)
    assert clearing_json(views)[[v.currency for v in views].index("USD")]["not_paid_out"] == "52.00"


def test_a_balance_nothing_accounts_for_is_unexplained() -> None:
    views = clearing_view(
        [ShopPayments(SHOP, FakeShopifyPayments())],
        InMemoryStore(),
        Balances(**{"5117-SP-CAD": "3.00"}),
        payout_accounts_of_the_demo(),
    )

    (cad,) = [v for v in views if v.currency == "CAD"]
    assert not cad.explained
    assert cad.unexplained == Money(Decimal("3.00"), "CAD")


def payout_accounts_of_the_demo():  # type: ignore[no-untyped-def]
    from trueup.config import TrueupConfig

    config = TrueupConfig.model_construct(payments=PaymentsConfig())
    return payout_accounts(config)
