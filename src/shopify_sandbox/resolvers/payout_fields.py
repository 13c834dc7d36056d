"""shopifyPaymentsAccount with its balance transactions and payouts, and their fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.connections import Connection, paginate
from shopify_sandbox.models.payouts import BalanceTransaction, ShopifyPaymentsPayout
from shopify_sandbox.money import MoneyV2
from shopify_sandbox.payouts import payout_summary, pending_transactions, sync_ledger
from shopify_sandbox.resolvers.context import state_of
from shopify_sandbox.resolvers.registry import resolves
from shopify_sandbox.search_query import filter_items

TRANSACTION_SEARCH = {
    "id": lambda t: t.number,
    "payments_transfer_id": lambda t: t.payout.number if t.payout else None,
    "payout_status": lambda t: (t.payout.status if t.payout else "PENDING").lower(),
    "payout_date": lambda t: t.payout.issued_at if t.payout else None,
    "processed_at": lambda t: t.transaction_date,
    "transaction_type": lambda t: t.type.lower(),
    "currency": lambda t: t.currency,
}
PAYOUT_SEARCH = {
    "id": lambda p: p.number,
    "status": lambda p: p.status.lower(),
    "issued_at": lambda p: p.issued_at,
    "currency": lambda p: p.currency,
}
_SUMMARY_FIELDS = {
    "chargesGross": "chargesGross",
    "chargesFee": "chargesFee",
    "refundsFeeGross": "refundsGross",
    "refundsFee": "refundsFee",
    "adjustmentsGross": "adjustmentsGross",
    "adjustmentsFee": "adjustmentsFee",
}
_ZERO_SUMMARY_FIELDS = (
    "advanceFees",
    "advanceGross",
    "reservedFundsFee",
    "reservedFundsGross",
    "retriedPayoutsFee",
    "retriedPayoutsGross",
    "usdcRebateCreditAmount",
)


class Account:
    typename = "ShopifyPaymentsAccount"
    id = "gid://shopify/ShopifyPaymentsAccount/1"
    activated = True
    onboardable = False
    account_opener_name = "Sandbox Merchant"
    payout_statement_descriptor = "SANDBOX"
    charge_statement_descriptor = "SANDBOX"
    charge_statement_descriptors = None
    payout_schedule = {"interval": "DAILY", "monthlyAnchor": None, "weeklyAnchor": None}

    def __init__(self, currency: str, country: str) -> None:
        self.default_currency = currency
        self.country = country


@resolves("QueryRoot", "shopifyPaymentsAccount")
def shopify_payments_account(_root: Any, info: GraphQLResolveInfo) -> Account:
    state = state_of(info)
    sync_ledger(state)
    locations = state.all("Location")
    country = locations[0].address.country_code if locations and locations[0].address else "US"
    return Account(state.shop.currency_code, country)


@resolves("ShopifyPaymentsAccount", "balance")
def account_balance(account: Account, info: GraphQLResolveInfo) -> list[MoneyV2]:
    pending = pending_transactions(state_of(info))
    return [MoneyV2(sum((t.net for t in pending), Decimal("0.00")), account.default_currency)]


@resolves("ShopifyPaymentsAccount", "balanceTransactions")
def account_balance_transactions(_account: Account, info: GraphQLResolveInfo, **args: Any) -> Connection:
    for ignored in ("sortKey", "savedSearchId", "hideTransfers"):
        args.pop(ignored, None)
    items = filter_items(
        state_of(info).all("ShopifyPaymentsBalanceTransaction"), args.pop("query", None), TRANSACTION_SEARCH
    )
    return paginate(items, lambda t: t.transaction_date, **args)


@resolves("ShopifyPaymentsAccount", "payouts")
def account_payouts(_account: Account, info: GraphQLResolveInfo, **args: Any) -> Connection:
    for ignored in ("sortKey", "savedSearchId"):
        args.pop(ignored, None)
    direction = args.pop("transactionType", None)
    items = filter_items(state_of(info).all("ShopifyPaymentsPayout"), args.pop("query", None), PAYOUT_SEARCH)
    items = [p for p in items if direction is None or p.transaction_type == direction]
    return paginate(items, lambda p: p.issued_at, **args)


@resolves("ShopifyPaymentsAccount", "disputes")
def account_disputes(_account: Account, info: GraphQLResolveInfo, **args: Any) -> Connection:
    args.pop("query", None)
    return paginate(state_of(info).all("ShopifyPaymentsDispute"), **args)


@resolves("ShopifyPaymentsAccount", "bankAccounts")
def account_bank_accounts(_account: Account, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    return paginate([], **args)


@resolves("ShopifyPaymentsBalanceTransaction", "amount", "fee", "net")
def transaction_money(transaction: BalanceTransaction, info: GraphQLResolveInfo) -> MoneyV2:
    return MoneyV2(getattr(transaction, info.field_name), transaction.currency)


@resolves("ShopifyPaymentsBalanceTransaction", "associatedOrder")
def transaction_order(transaction: BalanceTransaction, _info: GraphQLResolveInfo) -> dict[str, str] | None:
    order = transaction.order
    return None if order is None else {"id": order.id, "name": order.name}


@resolves("ShopifyPaymentsBalanceTransaction", "associatedPayout")
def transaction_payout(transaction: BalanceTransaction, _info: GraphQLResolveInfo) -> dict[str, Any]:
    payout = transaction.payout
    return {"id": payout.id if payout else None, "status": payout.status if payout else "PENDING"}


@resolves("ShopifyPaymentsBalanceTransaction", "adjustmentsOrders")
def transaction_adjustment_orders(_transaction: BalanceTransaction, _info: GraphQLResolveInfo) -> list[Any]:
    return []


@resolves("ShopifyPaymentsBalanceTransaction", "sourceId", "sourceOrderTransactionId")
def transaction_source(transaction: BalanceTransaction, info: GraphQLResolveInfo) -> str | None:
    # BigInt is serialised as a string.
    value = transaction.source_id if info.field_name == "sourceId" else transaction.source_order_transaction_id
    return None if value is None else str(value)


@resolves("ShopifyPaymentsPayout", "net", "gross")
def payout_money(payout: ShopifyPaymentsPayout, info: GraphQLResolveInfo) -> MoneyV2:
    if info.field_name == "net":
        return MoneyV2(payout.net_amount, payout.currency)
    return MoneyV2(sum((t.amount for t in payout.transactions), Decimal("0.00")), payout.currency)


@resolves("ShopifyPaymentsPayout", "summary")
def payout_summary_field(payout: ShopifyPaymentsPayout, _info: GraphQLResolveInfo) -> dict[str, MoneyV2]:
    sums = payout_summary(payout)
    summary = {field: MoneyV2(sums[key], payout.currency) for field, key in _SUMMARY_FIELDS.items()}
    return summary | {field: MoneyV2(Decimal("0.00"), payout.currency) for field in _ZERO_SUMMARY_FIELDS}


@resolves("ShopifyPaymentsPayout", "externalTraceId", "bankAccount")
def payout_absent(_payout: ShopifyPaymentsPayout, _info: GraphQLResolveInfo) -> None:
    return None


@resolves("ShopifyPaymentsDispute", "amount")
def dispute_amount(dispute: Any, _info: GraphQLResolveInfo) -> MoneyV2:
    return MoneyV2(dispute.amount, dispute.currency)


@resolves("ShopifyPaymentsDispute", "reasonDetails")
def dispute_reason(dispute: Any, _info: GraphQLResolveInfo) -> dict[str, Any]:
    return {"reason": dispute.reason, "networkReasonCode": None}
