"""shopifyPaymentsAccount with its balance, balance transactions, payouts, disputes and bank accounts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.connections import Connection, paginate
from shopify_sandbox.models.payouts import (
    BalanceTransaction,
    PaymentsAccount,
    ShopifyPaymentsDispute,
    ShopifyPaymentsPayout,
)
from shopify_sandbox.money import ZERO, MoneyV2
from shopify_sandbox.payments_account import payments_account
from shopify_sandbox.payments_ledger import sync_ledger
from shopify_sandbox.payouts import payout_summary, pending_transactions
from shopify_sandbox.resolvers.context import state_of
from shopify_sandbox.resolvers.registry import resolves
from shopify_sandbox.search_query import filter_items

BANK_ACCOUNT_BASE = 81_001_000_000


def _payout_status(t: BalanceTransaction) -> str:
    return t.payout.status if t.payout else "PENDING"


def _midnight(value: Any) -> datetime | None:
    return None if value is None else datetime.combine(value, time(0), tzinfo=UTC)


TRANSACTION_SEARCH: dict[str, Callable[[BalanceTransaction], Any]] = {
    "id": lambda t: t.number,
    "payments_transfer_id": lambda t: t.payout.number if t.payout else None,
    "payout_status": lambda t: _payout_status(t).lower(),
    "payout_date": lambda t: t.payout.issued_at if t.payout else None,
    "processed_at": lambda t: t.transaction_date,
    "available_on": lambda t: _midnight(t.available_on),
    "transaction_type": lambda t: t.type.lower(),
    "currency": lambda t: t.currency,
}
TRANSACTION_SORT: dict[str, Callable[[BalanceTransaction], Any]] = {
    "PROCESSED_AT": lambda t: t.transaction_date,
    "ID": lambda t: t.number,
    "AMOUNT": lambda t: t.amount,
    "FEE": lambda t: t.fee,
    "NET": lambda t: t.net,
    "ORDER_NAME": lambda t: t.order.name if t.order else "",
    "PAYOUT_DATE": lambda t: t.payout.issued_at if t.payout else None,
    "PAYOUT_STATUS": _payout_status,
    "TRANSACTION_TYPE": lambda t: t.type,
    "PAYMENT_METHOD_NAME": lambda t: t.order_transaction.gateway if t.order_transaction else "",
}
PAYOUT_SEARCH: dict[str, Callable[[ShopifyPaymentsPayout], Any]] = {
    "id": lambda p: p.number,
    "status": lambda p: p.status.lower(),
    "issued_at": lambda p: p.issued_at,
    "currency": lambda p: p.currency,
    "amount": lambda p: p.net_amount,
}
PAYOUT_SORT: dict[str, Callable[[ShopifyPaymentsPayout], Any]] = {
    "ISSUED_AT": lambda p: p.issued_at,
    "ID": lambda p: p.number,
    "AMOUNT": lambda p: p.net_amount,
    "STATUS": lambda p: p.status,
    "CHARGE_GROSS": lambda p: payout_summary(p)["chargesGross"],
    "REFUND_GROSS": lambda p: payout_summary(p)["refundsGross"],
    "ADJUSTMENT_GROSS": lambda p: payout_summary(p)["adjustmentsGross"],
    "ADVANCE_GROSS": lambda p: payout_summary(p)["advanceGross"],
    "FEE_AMOUNT": lambda p: sum((t.fee for t in p.transactions), ZERO),
    "DUTIES_GROSS": lambda _p: ZERO,
    "SHIPPING_LABEL_GROSS": lambda _p: ZERO,
}
DISPUTE_SEARCH: dict[str, Callable[[ShopifyPaymentsDispute], Any]] = {
    "id": lambda d: d.number,
    "initiated_at": lambda d: d.initiated_at,
    "status": lambda d: d.status.lower(),
}
_SUMMARY_FIELDS = {
    "chargesGross": "chargesGross",
    "chargesFee": "chargesFee",
    "refundsFeeGross": "refundsGross",
    "refundsFee": "refundsFee",
    "adjustmentsGross": "adjustmentsGross",
    "adjustmentsFee": "adjustmentsFee",
    "reservedFundsGross": "reservedFundsGross",
    "reservedFundsFee": "reservedFundsFee",
    "retriedPayoutsGross": "retriedPayoutsGross",
    "retriedPayoutsFee": "retriedPayoutsFee",
    "advanceGross": "advanceGross",
    "advanceFees": "advanceFee",
}


@resolves("QueryRoot", "shopifyPaymentsAccount")
def shopify_payments_account(_root: Any, info: GraphQLResolveInfo) -> PaymentsAccount:
    state = state_of(info)
    sync_ledger(state)
    return payments_account(state)


@resolves("ShopifyPaymentsAccount", "activated")
def account_activated(_account: PaymentsAccount, _info: GraphQLResolveInfo) -> bool:
    return True


@resolves("ShopifyPaymentsAccount", "onboardable")
def account_onboardable(_account: PaymentsAccount, _info: GraphQLResolveInfo) -> bool:
    return False


@resolves("ShopifyPaymentsAccount", "accountOpenerName")
def account_opener(_account: PaymentsAccount, info: GraphQLResolveInfo) -> str:
    return state_of(info).shop.name


@resolves("ShopifyPaymentsAccount", "payoutStatementDescriptor", "chargeStatementDescriptor")
def account_descriptor(_account: PaymentsAccount, info: GraphQLResolveInfo) -> str:
    return state_of(info).shop.name[:22].upper()


@resolves("ShopifyPaymentsAccount", "chargeStatementDescriptors")
def account_descriptors(_account: PaymentsAccount, info: GraphQLResolveInfo) -> dict[str, Any]:
    name = state_of(info).shop.name.upper()
    return {"__typename": "ShopifyPaymentsDefaultChargeStatementDescriptor", "default": name[:22], "prefix": name[:10]}


@resolves("ShopifyPaymentsAccount", "payoutSchedule")
def account_schedule(account: PaymentsAccount, _info: GraphQLResolveInfo) -> dict[str, Any]:
    schedule = account.schedule
    return {"interval": schedule.interval, "weeklyAnchor": schedule.weekly_anchor,
            "monthlyAnchor": schedule.monthly_anchor}  # fmt: skip


@resolves("ShopifyPaymentsAccount", "balance")
def account_balance(account: PaymentsAccount, info: GraphQLResolveInfo) -> list[MoneyV2]:
    state = state_of(info)
    return [
        MoneyV2(sum((t.net for t in pending_transactions(state, currency)), ZERO), currency)
        for currency in account.currencies
    ]


def _ordered(sort_key: str | None, sorts: dict[str, Callable[[Any], Any]], default: str) -> Callable[[Any], Any]:
    """The sort value for `sortKey` (the default key when none is given)."""
    key = sorts.get(sort_key or default, sorts[default])
    return lambda item: _comparable(key(item))


def _comparable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # a cursor value must be JSON; order is what matters here
    if isinstance(value, datetime):
        return value.isoformat()
    return value


@resolves("ShopifyPaymentsAccount", "balanceTransactions")
def account_balance_transactions(_account: PaymentsAccount, info: GraphQLResolveInfo, **args: Any) -> Connection:
    args.pop("savedSearchId", None)
    hide_transfers = args.pop("hideTransfers", False)
    sort_key = args.pop("sortKey", None)
    items = state_of(info).all("ShopifyPaymentsBalanceTransaction")
    if hide_transfers:
        items = [t for t in items if t.type != "TRANSFER"]  # a failed payout's return is part of the next one
    items = filter_items(items, args.pop("query", None), TRANSACTION_SEARCH)
    return paginate(items, _ordered(sort_key, TRANSACTION_SORT, "PROCESSED_AT"), **args)


@resolves("ShopifyPaymentsAccount", "payouts")
def account_payouts(_account: PaymentsAccount, info: GraphQLResolveInfo, **args: Any) -> Connection:
    args.pop("savedSearchId", None)
    sort_key = args.pop("sortKey", None)
    direction = args.pop("transactionType", None)
    items = filter_items(state_of(info).all("ShopifyPaymentsPayout"), args.pop("query", None), PAYOUT_SEARCH)
    items = [p for p in items if direction is None or p.transaction_type == direction]
    return paginate(items, _ordered(sort_key, PAYOUT_SORT, "ISSUED_AT"), **args)


@resolves("ShopifyPaymentsAccount", "disputes")
def account_disputes(_account: PaymentsAccount, info: GraphQLResolveInfo, **args: Any) -> Connection:
    items = filter_items(state_of(info).all("ShopifyPaymentsDispute"), args.pop("query", None), DISPUTE_SEARCH)
    return paginate(items, **args)


class BankAccount:
    """One bank account per payout currency (the sandbox's reading: Shopify shows the merchant's own)."""

    typename = "ShopifyPaymentsBankAccount"

    def __init__(self, number: int, currency: str, country: str, created_at: datetime | None) -> None:
        self.number, self.currency, self.country, self.created_at = number, currency, country, created_at
        self.id = f"gid://shopify/ShopifyPaymentsBankAccount/{number}"
        self.account_number_last_digits = f"{number % 10000:04d}"
        self.bank_name = "Sandbox Bank"
        self.status = "VERIFIED"


def bank_accounts(account: PaymentsAccount, info: GraphQLResolveInfo) -> list[BankAccount]:
    created = state_of(info).shop.created_at
    return [
        BankAccount(BANK_ACCOUNT_BASE + index, currency, account.country, created)
        for index, currency in enumerate(account.currencies, start=1)
    ]


@resolves("ShopifyPaymentsAccount", "bankAccounts")
def account_bank_accounts(account: PaymentsAccount, info: GraphQLResolveInfo, **args: Any) -> Connection:
    return paginate(bank_accounts(account, info), **args)


@resolves("ShopifyPaymentsBankAccount", "payouts")
def bank_account_payouts(bank: BankAccount, info: GraphQLResolveInfo, **args: Any) -> Connection:
    payouts = account_payouts(payments_account(state_of(info)), info, **args)
    payouts.edges = [edge for edge in payouts.edges if edge.node.currency == bank.currency]
    return payouts


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
    return {"id": payout.id if payout else None, "status": _payout_status(transaction)}


@resolves("ShopifyPaymentsBalanceTransaction", "adjustmentsOrders")
def transaction_adjustment_orders(transaction: BalanceTransaction, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    order = transaction.order
    if transaction.source_type != "ADJUSTMENT" or order is None:
        return []
    paid = next((t for t in order.transactions if t.kind in ("SALE", "CAPTURE") and t.status == "SUCCESS"), None)
    money = {name: MoneyV2(getattr(transaction, name), transaction.currency) for name in ("amount", "fee", "net")}
    return [
        {
            "amount": money["amount"],
            "fees": money["fee"],
            "net": money["net"],
            "link": f"{state_of(info).shop.url}/admin/orders/{order.number}",
            "name": order.name,
            "orderTransactionId": str(paid.number if paid else 0),
        }
    ]


@resolves("ShopifyPaymentsBalanceTransaction", "sourceId", "sourceOrderTransactionId")
def transaction_source(transaction: BalanceTransaction, info: GraphQLResolveInfo) -> str | None:
    # BigInt is serialised as a string.
    value = transaction.source_id if info.field_name == "sourceId" else transaction.source_order_transaction_id
    return None if value is None else str(value)


@resolves("ShopifyPaymentsPayout", "net", "gross")
def payout_money(payout: ShopifyPaymentsPayout, _info: GraphQLResolveInfo) -> MoneyV2:
    return MoneyV2(payout.net_amount, payout.currency)


@resolves("ShopifyPaymentsPayout", "summary")
def payout_summary_field(payout: ShopifyPaymentsPayout, _info: GraphQLResolveInfo) -> dict[str, MoneyV2]:
    sums = payout_summary(payout)
    summary = {field: MoneyV2(sums[key], payout.currency) for field, key in _SUMMARY_FIELDS.items()}
    return summary | {"usdcRebateCreditAmount": MoneyV2(ZERO, payout.currency)}


@resolves("ShopifyPaymentsPayout", "externalTraceId")
def payout_trace(payout: ShopifyPaymentsPayout, _info: GraphQLResolveInfo) -> str | None:
    return None if payout.status == "SCHEDULED" else f"SBX{payout.number:012d}"


@resolves("ShopifyPaymentsPayout", "bankAccount")
def payout_bank_account(payout: ShopifyPaymentsPayout, info: GraphQLResolveInfo) -> BankAccount | None:
    banks = bank_accounts(payments_account(state_of(info)), info)
    return next((bank for bank in banks if bank.currency == payout.currency), None)


@resolves("ShopifyPaymentsPayout", "businessEntity")
def payout_business_entity(_payout: ShopifyPaymentsPayout, info: GraphQLResolveInfo) -> dict[str, Any]:
    state = state_of(info)
    account = payments_account(state)
    return {
        "id": f"gid://shopify/BusinessEntity/{state.shop.number}",
        "displayName": state.shop.name,
        "companyName": state.shop.name,
        "primary": True,
        "archived": False,
        "legalEntityId": None,
        "address": {
            "countryCode": account.country,
            "address1": None,
            "address2": None,
            "city": None,
            "province": None,
            "zip": None,
        },
        "shopifyPaymentsAccount": account,
    }


@resolves("ShopifyPaymentsDispute", "amount")
def dispute_amount(dispute: ShopifyPaymentsDispute, _info: GraphQLResolveInfo) -> MoneyV2:
    return MoneyV2(dispute.amount, dispute.currency)


@resolves("ShopifyPaymentsDispute", "reasonDetails")
def dispute_reason(dispute: ShopifyPaymentsDispute, _info: GraphQLResolveInfo) -> dict[str, Any]:
    return {"reason": dispute.reason, "networkReasonCode": None}
