"""Shopify's order transactions as payments in the books (docs/payouts.md, "Payments").

Each successful sale or capture is money the gateway now owes the brand: a payment crediting the customer's
receivable (settling the order's invoice) against the clearing account of its gateway and currency. Each
successful refund is money paid back: debiting the receivable (settling the refund's credit note) against the
same clearing account. Gift-card transactions go against the gift-card liability account instead (the card
was money received when it was sold). An authorisation not captured books nothing; a failed capture, or a
void of the authorisation, with nothing captured since, is the order's exception: the goods may ship unpaid.
Every payment is found again by its reference `shopify:<shop>:transaction:<id>` before it is booked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money

GIFT_CARD = "gift_card"


class TransactionKind(StrEnum):
    """Shopify's `OrderTransactionKind`."""

    AUTHORIZATION = "AUTHORIZATION"
    CAPTURE = "CAPTURE"
    SALE = "SALE"
    REFUND = "REFUND"
    VOID = "VOID"
    CHANGE = "CHANGE"
    EMV_AUTHORIZATION = "EMV_AUTHORIZATION"
    SUGGESTED_REFUND = "SUGGESTED_REFUND"


class TransactionStatus(StrEnum):
    """Shopify's `OrderTransactionStatus`."""

    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    ERROR = "ERROR"
    PENDING = "PENDING"
    AWAITING_RESPONSE = "AWAITING_RESPONSE"
    UNKNOWN = "UNKNOWN"


MONEY_IN = frozenset({TransactionKind.SALE, TransactionKind.CAPTURE})


@dataclass(frozen=True)
class OrderTransaction:
    """One of an order's transactions as Shopify records it (shop money)."""

    transaction_id: str  # the numeric id of gid://shopify/OrderTransaction/<n>
    kind: TransactionKind
    status: TransactionStatus
    gateway: str  # as Shopify names it: shopify_payments, paypal, gift_card, manual, ...
    amount: Money
    processed_at: dt.datetime
    refund_reference: str | None = None  # for a REFUND: the reference of the credit note of its refund
    # What the gateway settles it in when that is not the shop's currency (Shopify Payments settles a charge in
    # the customer's currency when the account holds it): the clearing account is that currency's.
    settlement: Money | None = None


class Direction(StrEnum):
    RECEIVED = "received"  # money in: credits the receivable, settles the invoice
    PAID_OUT = "paid_out"  # money out: debits the receivable, settles the credit note


@dataclass(frozen=True)
class Payment:
    """A payment to book: `amount` (positive) between the receivable of `document` and `account`.

    `document` is what it settles: the ERP sale's id (its invoice) for money received, the credit note's
    reference for money paid out."""

    reference: str
    direction: Direction
    document: str
    account: str  # the clearing (or gift-card liability) account's code
    amount: Money  # in the document's (the shop's) currency
    date: dt.date
    description: str
    settled: Money | None = None  # in the clearing account's currency, when it is another than `amount`'s


@dataclass(frozen=True)
class BookedPayment:
    """A payment as the ERP holds it: the entry, and the state of the document it settles afterwards
    ("paid" once settled in full, "posted" while some remains open)."""

    reference: str
    erp_id: str
    document_state: str


@dataclass(frozen=True)
class PaymentAccounts:
    """`[payments]`: (gateway, currency) -> clearing account; the gift-card liability account."""

    clearing: Mapping[tuple[str, str], str]
    gift_cards: str

    def account_for(self, gateway: str, currency: str) -> str:
        if gateway == GIFT_CARD:
            return self.gift_cards
        code = self.clearing.get((gateway, currency))
        if code is None:
            raise StructuralError(
                Cause.UNMAPPED_PAYMENT_ACCOUNT,
                f'no clearing account for gateway {gateway} in {currency} ([payments] clearing "{gateway}:{currency}")',
            )
        return code


def payment_reference(shop: str, transaction_id: str) -> str:
    return f"shopify:{shop}:transaction:{transaction_id}"


def payments_to_book(
    shop: str, order_name: str, sale_id: str, transactions: Iterable[OrderTransaction], accounts: PaymentAccounts
) -> list[Payment]:
    """The payments an order's transactions call for, oldest first: each successful sale or capture, and each
    successful refund whose credit note is known. Nothing for authorisations, voids, failures or pending
    ones; an unmapped gateway raises StructuralError(UNMAPPED_PAYMENT_ACCOUNT) naming it."""
    payments = []
    for tx in sorted(transactions, key=lambda t: (t.processed_at, t.transaction_id)):
        if tx.status != TransactionStatus.SUCCESS or not tx.amount.amount:
            continue
        if tx.kind in MONEY_IN:
            direction, document, what = Direction.RECEIVED, sale_id, "payment"
        elif tx.kind == TransactionKind.REFUND and tx.refund_reference is not None:
            direction, document, what = Direction.PAID_OUT, tx.refund_reference, "refund"
        else:
            continue
        payments.append(
            Payment(
                reference=payment_reference(shop, tx.transaction_id),
                direction=direction,
                document=document,
                account=accounts.account_for(tx.gateway, (tx.settlement or tx.amount).currency),
                amount=tx.amount,
                date=tx.processed_at.date(),
                description=f"Shopify {what} {order_name} ({tx.gateway})",
                settled=tx.settlement,
            )
        )
    return payments


def unpaid_capture(transactions: Iterable[OrderTransaction]) -> OrderTransaction | None:
    """The failed capture (or the void of the authorisation) that leaves the order unpaid: the latest such
    transaction when no successful sale or capture came after it; None otherwise."""
    ordered = sorted(transactions, key=lambda t: (t.processed_at, t.transaction_id))
    last_bad: OrderTransaction | None = None
    for tx in ordered:
        failed_capture = tx.kind in MONEY_IN and tx.status in (TransactionStatus.FAILURE, TransactionStatus.ERROR)
        voided = tx.kind == TransactionKind.VOID and tx.status == TransactionStatus.SUCCESS
        if failed_capture or voided:
            last_bad = tx
        elif tx.kind in MONEY_IN and tx.status == TransactionStatus.SUCCESS:
            last_bad = None
    return last_bad


def unpaid_error(order_name: str, tx: OrderTransaction) -> StructuralError:
    what = "voided" if tx.kind == TransactionKind.VOID else "failed"
    return StructuralError(
        Cause.PAYMENT_NOT_CAPTURED,
        f"order {order_name}: the capture {what} in Shopify ({tx.gateway}, {tx.amount}); the goods may ship unpaid",
    )
