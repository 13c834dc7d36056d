"""Order.transactions → the domain's OrderTransactions: kinds, statuses, gateway, shop money, the settlement
currency when the gateway settles in the customer's; Refund.transactions → the refund's transaction ids."""

from __future__ import annotations

from tests.unit.shopify_client.payloads import money_bag, order_node
from trueup.adapters.shopify.order_mapping import map_order
from trueup.domain.money import Money
from trueup.domain.payments import TransactionKind, TransactionStatus

SHOP = "demo.myshopify.com"


def a_transaction(n: int, kind: str, status: str = "SUCCESS", **overrides: object) -> dict[str, object]:
    return {
        "id": f"gid://shopify/OrderTransaction/{n}",
        "kind": kind,
        "status": status,
        "gateway": "shopify_payments",
        "processedAt": "2026-11-27T08:00:00Z",
        "settlementCurrency": "EUR",
        "amountSet": money_bag("20.00"),
        **overrides,
    }


def test_an_order_s_transactions_are_read_with_it() -> None:
    node = order_node(transactions=[a_transaction(5, "AUTHORIZATION"), a_transaction(6, "CAPTURE", "FAILURE")])

    order = map_order(SHOP, node)

    assert [(t.transaction_id, t.kind, t.status, t.gateway, t.amount) for t in order.transactions] == [
        ("5", TransactionKind.AUTHORIZATION, TransactionStatus.SUCCESS, "shopify_payments", Money.of("20.00", "EUR")),
        ("6", TransactionKind.CAPTURE, TransactionStatus.FAILURE, "shopify_payments", Money.of("20.00", "EUR")),
    ]
    assert order.transactions[0].settlement is None


def test_a_charge_settled_in_the_customer_s_currency_keeps_that_amount() -> None:
    charge = a_transaction(
        7, "SALE", settlementCurrency="CAD", amountSet=money_bag("20.00", presentment=("27.10", "CAD"))
    )

    (tx,) = map_order(SHOP, order_node(transactions=[charge])).transactions

    assert tx.settlement == Money.of("27.10", "CAD")


def test_a_kind_shopify_adds_later_is_left_out_not_refused() -> None:
    order = map_order(SHOP, order_node(transactions=[a_transaction(8, "SOMETHING_NEW"), a_transaction(9, "SALE")]))

    assert [t.transaction_id for t in order.transactions] == ["9"]
