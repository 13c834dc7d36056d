"""Issue 4's "how we will know": the sandbox's trading, with every kind of order in the mix, ends with
Shopify's and the ERP's totals equal to the cent, per order and overall."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.e2e.conftest import StackFactory
from tests.e2e.orders import place_company_order
from tests.e2e.test_orders_reach_the_erp import assert_one_sale_per_paid_order, credited_by_order
from trueup.domain.ledger import OrderState
from trueup.domain.money import Money
from trueup.local_stack.stack import LocalStack

pytestmark = [pytest.mark.slow, pytest.mark.tryton]

# A trading day whose sold orders include company orders on payment terms, a native bundle, discount codes,
# taxed shipping and foreign presentment currencies (checked below from Shopify's side, so a change of the
# generator is noticed). One paid company order with a PO number is placed besides.
SEED, ORDERS = 2, 25
SETTLE = 120.0
PAID = {"PAID", "AUTHORIZED", "PARTIALLY_PAID"}
KINDS = {"company", "bundle", "discount code", "taxed shipping", "foreign currency"}

ORDERS_PAGE = """
query E2EMoneyMix($after: String) {
  orders(first: 10, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name displayFinancialStatus currencyCode presentmentCurrencyCode discountCodes paymentTerms { id }
      purchasingEntity { __typename }
      currentTotalPriceSet { shopMoney { amount } presentmentMoney { amount currencyCode } }
      lineItems(first: 10) { nodes { lineItemGroup { id } } }
      shippingLines(first: 2) { nodes { taxLines { priceSet { shopMoney { amount } } } } }
    }
  }
}
"""


def shopify_orders(stack: LocalStack) -> list[dict[str, Any]]:
    """Every order of the shop, as Shopify's Admin API shows it."""
    orders: list[dict[str, Any]] = []
    after = None
    while True:
        page = stack.graphql(ORDERS_PAGE, {"after": after})["data"]["orders"]
        orders += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return orders
        after = page["pageInfo"]["endCursor"]


def sold(order: dict[str, Any]) -> bool:
    """Paid or authorised, or a company order on payment terms (pending in Shopify, a sale for the ERP)."""
    return order["displayFinancialStatus"] in PAID or (
        order["displayFinancialStatus"] == "PENDING" and order["paymentTerms"] is not None
    )


def kinds_of(order: dict[str, Any]) -> set[str]:
    """The kinds of money case an order is, read from Shopify's own fields."""
    shipping_tax = [tax for line in order["shippingLines"]["nodes"] for tax in line["taxLines"]]
    kinds = {
        "company": order["purchasingEntity"]["__typename"] == "PurchasingCompany",
        "bundle": any(line["lineItemGroup"] for line in order["lineItems"]["nodes"]),
        "discount code": bool(order["discountCodes"]),
        "taxed shipping": any(Decimal(tax["priceSet"]["shopMoney"]["amount"]) for tax in shipping_tax),
        "foreign currency": order["presentmentCurrencyCode"] != order["currencyCode"],
    }
    return {kind for kind, present in kinds.items() if present}


def erp_totals(stack: LocalStack) -> dict[str, Decimal]:
    """What the ERP books of each sale (its invoices, which carry Shopify's tax), by Shopify order number."""
    return {reference.rsplit(":", 1)[-1]: total for reference, total in stack.erp_booked_totals().items()}


def test_the_trading_ends_with_shopify_and_the_erp_equal_to_the_cent_per_order_and_overall(
    start_stack: StackFactory,
):
    stack = start_stack()
    stack.trade(orders=ORDERS, seed=SEED)
    plain = next(item for item in stack.shopify().catalogue() if not item.is_bundle)
    place_company_order(stack, sku=plain.sku, price="18.00")
    paid = [order for order in shopify_orders(stack) if sold(order)]
    missing = KINDS - {kind for order in paid for kind in kinds_of(order)}
    assert missing == set()

    assert stack.wait_settled(SETTLE)

    assert parked_orders(stack) == {}  # each with its cause, should one be parked
    assert_one_sale_per_paid_order(stack)
    erp = erp_totals(stack)
    # The sale is the order as sold, Shopify's current total is after refunds: each refund is a credit note.
    credited = credited_by_order(stack)
    shopify = {order["name"]: Decimal(order["currentTotalPriceSet"]["shopMoney"]["amount"]) for order in paid}
    by_name = {order["name"]: sale_less_notes(erp, credited, order["id"]) for order in paid}
    assert by_name == shopify
    assert sum(erp.values()) - sum(credited.values()) == sum(shopify.values())
    assert_presentment_totals_kept(stack, [order for order in paid if "foreign currency" in kinds_of(order)])


def sale_less_notes(erp: dict[str, Decimal], credited: dict[str, Decimal], order_id: str) -> Decimal | None:
    """The ERP's sale of the order less its credit notes (None without a sale)."""
    sale = erp.get(order_id.rsplit("/", 1)[-1])
    return None if sale is None else sale - credited.get(order_id, Decimal(0))


def parked_orders(stack: LocalStack) -> dict[str, str]:
    store = stack.store()
    try:
        return {entry.name: f"{entry.cause}: {entry.detail}" for entry in store.ledger_entries(OrderState.EXCEPTION)}
    finally:
        store.close()


def assert_presentment_totals_kept(stack: LocalStack, foreign: list[dict[str, Any]]) -> None:
    """The ledger keeps what each customer paying in another currency was charged in it."""
    store = stack.store()
    try:
        kept = {order["name"]: store.ledger_entry(stack.shop_domain, order["id"]) for order in foreign}
    finally:
        store.close()
    charged = {order["name"]: presentment_total(order) for order in foreign}
    assert {name: entry.presentment_total if entry else None for name, entry in kept.items()} == charged


def presentment_total(order: dict[str, Any]) -> Money:
    money = order["currentTotalPriceSet"]["presentmentMoney"]
    return Money(Decimal(money["amount"]), money["currencyCode"])
