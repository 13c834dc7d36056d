"""Shopify Payments: balance transactions (the account's ledger), payouts that settle them, disputes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from shopify_sandbox.models.base import Node
from shopify_sandbox.models.orders import Order


@dataclass(eq=False)
class ShopifyPaymentsPayout(Node):
    typename: ClassVar[str] = "ShopifyPaymentsPayout"
    currency: str = "EUR"
    issued_at: datetime | None = None
    status: str = "SCHEDULED"  # ShopifyPaymentsPayoutStatus
    transactions: list[BalanceTransaction] = field(default_factory=list)

    @property
    def net_amount(self) -> Decimal:
        return sum((t.net for t in self.transactions), Decimal("0.00"))

    @property
    def transaction_type(self) -> str:
        return "DEPOSIT" if self.net_amount >= 0 else "WITHDRAWAL"


@dataclass(eq=False)
class BalanceTransaction(Node):
    """One movement of money on the Shopify Payments balance; `net` = `amount` − `fee`, exactly."""

    typename: ClassVar[str] = "ShopifyPaymentsBalanceTransaction"
    type: str = "CHARGE"  # ShopifyPaymentsTransactionType
    amount: Decimal = Decimal("0.00")
    fee: Decimal = Decimal("0.00")
    currency: str = "EUR"
    transaction_date: datetime | None = None
    order: Order | None = None
    source_type: str | None = "CHARGE"  # ShopifyPaymentsSourceType
    source_id: int | None = None
    source_order_transaction_id: int | None = None
    adjustment_reason: str | None = None
    payout: ShopifyPaymentsPayout | None = None
    test: bool = False

    @property
    def net(self) -> Decimal:
        return self.amount - self.fee


@dataclass(eq=False)
class ShopifyPaymentsDispute(Node):
    typename: ClassVar[str] = "ShopifyPaymentsDispute"
    order: Order | None = None
    amount: Decimal = Decimal("0.00")
    currency: str = "EUR"
    reason: str = "FRAUDULENT"
    status: str = "NEEDS_RESPONSE"  # DisputeStatus
    type: str = "CHARGEBACK"  # DisputeType
    initiated_at: datetime | None = None
    finalized_on: datetime | None = None
    evidence_due_by: datetime | None = None
    evidence_sent_on: datetime | None = None
