"""OrderTransaction fields about Shopify Payments: the fees taken on it, where it settles, what is capturable."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.models.orders import OrderTransaction
from shopify_sandbox.money import MoneyBag, MoneyV2
from shopify_sandbox.order_payments import capturable
from shopify_sandbox.payments_account import payments_account
from shopify_sandbox.payments_ledger import charge_of, sync_ledger
from shopify_sandbox.resolvers.context import state_of
from shopify_sandbox.resolvers.registry import resolves

_FEE_NAMES = {
    "processing": "Card rate",
    "international": "International card",
    "currency_conversion": "Currency conversion",
}


@resolves("OrderTransaction", "fees")
def transaction_fees(transaction: OrderTransaction, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    """The fee parts of the charge this payment became (Shopify Payments only, as Shopify documents)."""
    state = state_of(info)
    sync_ledger(state)
    charge = charge_of(state, transaction)
    if charge is None:
        return []
    fees = []
    for index, (kind, rate, amount) in enumerate(charge.fee_parts, start=1):
        processing = kind == "processing"
        fixed = payments_account(state).fees.fixed if processing else Decimal("0.00")
        fees.append(
            {
                "id": f"gid://shopify/TransactionFee/{charge.number * 10 + index}",
                "amount": MoneyV2(amount, charge.currency),
                "flatFee": MoneyV2(fixed, charge.currency),
                "flatFeeName": "Card fixed fee" if processing else None,
                "rate": str(rate / 100),
                "rateName": _FEE_NAMES.get(kind, kind),
                "taxAmount": MoneyV2(Decimal("0.00"), charge.currency),
                "type": kind.upper(),
            }
        )
    return fees


@resolves("OrderTransaction", "settlementCurrency")
def transaction_settlement_currency(transaction: OrderTransaction, info: GraphQLResolveInfo) -> str | None:
    state = state_of(info)
    sync_ledger(state)
    charge = charge_of(state, transaction)
    return charge.currency if charge else None


@resolves("OrderTransaction", "settlementCurrencyRate")
def transaction_settlement_rate(transaction: OrderTransaction, info: GraphQLResolveInfo) -> str | None:
    state = state_of(info)
    sync_ledger(state)
    charge = charge_of(state, transaction)
    if charge is None or transaction.amount_set is None or not transaction.amount_set.presentment:
        return None
    return str((charge.amount / transaction.amount_set.presentment).quantize(Decimal("0.000001")))


@resolves("OrderTransaction", "manuallyCapturable")
def transaction_manually_capturable(transaction: OrderTransaction, info: GraphQLResolveInfo) -> bool:
    if transaction.kind != "AUTHORIZATION" or transaction.status != "SUCCESS":
        return False
    order = transaction.order
    return order is not None and order.cancelled_at is None and capturable(state_of(info), transaction).shop > 0


@resolves("OrderTransaction", "multiCapturable")
def transaction_multi_capturable(_transaction: OrderTransaction, _info: GraphQLResolveInfo) -> bool:
    return False


@resolves("OrderTransaction", "totalUnsettledSet")
def transaction_unsettled(transaction: OrderTransaction, info: GraphQLResolveInfo) -> MoneyBag | None:
    if transaction.kind != "AUTHORIZATION" or transaction.status != "SUCCESS":
        return None
    return capturable(state_of(info), transaction)


@resolves("OrderTransaction", "paymentId")
def transaction_payment_id(transaction: OrderTransaction, _info: GraphQLResolveInfo) -> str:
    return f"#{transaction.order.name.lstrip('#') if transaction.order else ''}.{transaction.number % 1000}"
