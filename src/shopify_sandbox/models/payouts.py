"""Shopify Payments: the account and its settings, balance transactions (the account's ledger), payouts that
settle them, disputes and reserves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from shopify_sandbox.models.base import Node
from shopify_sandbox.models.orders import Order, OrderTransaction


@dataclass(frozen=True)
class FeeSchedule:
    """Shopify Payments' fees in the account's terms: a card rate (percentage plus a fixed amount per charge,
    in the settlement currency), an extra percentage for a card from another country, a currency conversion
    percentage when the customer paid in a currency that is not paid out as such, and the chargeback fee."""

    percentage: Decimal = Decimal("1.5")
    fixed: Decimal = Decimal("0.25")
    international_percentage: Decimal = Decimal("1.0")
    conversion_percentage: Decimal = Decimal("1.5")
    chargeback_fee: Decimal = Decimal("15.00")
    chargeback_fee_refunded_when_won: bool = True


@dataclass(frozen=True)
class PayoutSchedule:
    """ShopifyPaymentsPayoutSchedule: DAILY (each business day), WEEKLY (on `weekly_anchor`), MONTHLY (on
    `monthly_anchor`, the last day of shorter months) or MANUAL."""

    interval: str = "DAILY"
    weekly_anchor: str | None = None  # DayOfTheWeek, MONDAY..FRIDAY
    monthly_anchor: int | None = None  # 1..31


@dataclass(eq=False, repr=False)
class PaymentsAccount(Node):
    """The shop's Shopify Payments account: where and when it pays out, its fees, and the sandbox's knobs."""

    typename: ClassVar[str] = "ShopifyPaymentsAccount"
    country: str = "US"
    default_currency: str = "USD"
    payout_currencies: list[str] = field(default_factory=list)  # one bank account each; the default first
    schedule: PayoutSchedule = field(default_factory=PayoutSchedule)
    delay_business_days: int = 2  # a charge is paid out this many business days after the day it was taken
    minimum_payout: Decimal = Decimal("1.00")
    fees: FeeSchedule = field(default_factory=FeeSchedule)
    # Fault knobs: captures that fail (a rate in [0, 1] from a seeded generator), with this error code.
    capture_failure_rate: float = 0.0
    capture_failure_code: str = "CARD_DECLINED"
    capture_failure_seed: int = 0
    capture_attempts: int = 0
    # The payout calendar is worked through up to here (runs and settlements happen on the clock, lazily).
    processed_through: datetime | None = None
    ledgered_through: int = 0  # the highest OrderTransaction number already looked at
    charges: dict[int, int] = field(default_factory=dict)  # OrderTransaction number -> its CHARGE's number

    @property
    def currencies(self) -> list[str]:
        return self.payout_currencies or [self.default_currency]


@dataclass(eq=False, repr=False)
class ShopifyPaymentsPayout(Node):
    typename: ClassVar[str] = "ShopifyPaymentsPayout"
    currency: str = "USD"
    issued_at: datetime | None = None
    status: str = "SCHEDULED"  # ShopifyPaymentsPayoutStatus
    transactions: list[BalanceTransaction] = field(default_factory=list)  # what it pays out (not its transfer)
    paid_on: date | None = None  # the business day the sandbox marks it PAID
    failed_at: datetime | None = None
    failure_reason: str | None = None

    @property
    def net_amount(self) -> Decimal:
        return sum((t.net for t in self.transactions), Decimal("0.00"))

    @property
    def transaction_type(self) -> str:
        return "DEPOSIT" if self.net_amount >= 0 else "WITHDRAWAL"


@dataclass(eq=False, repr=False)
class BalanceTransaction(Node):
    """One movement of money on the Shopify Payments balance; `net` = `amount` − `fee`, exactly."""

    typename: ClassVar[str] = "ShopifyPaymentsBalanceTransaction"
    type: str = "CHARGE"  # ShopifyPaymentsTransactionType
    amount: Decimal = Decimal("0.00")
    fee: Decimal = Decimal("0.00")
    currency: str = "USD"
    transaction_date: datetime | None = None
    available_on: date | None = None  # the first payout day it can be paid out on
    order: Order | None = None
    order_transaction: OrderTransaction | None = None
    source_type: str | None = "CHARGE"  # ShopifyPaymentsSourceType
    source_id: int | None = None
    source_order_transaction_id: int | None = None
    adjustment_reason: str | None = None
    payout: ShopifyPaymentsPayout | None = None  # the payout it is paid out in (or, for a TRANSFER, its payout)
    fee_parts: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)  # (kind, rate %, amount)
    test: bool = False

    @property
    def net(self) -> Decimal:
        return self.amount - self.fee


@dataclass(eq=False, repr=False)
class ShopifyPaymentsDispute(Node):
    typename: ClassVar[str] = "ShopifyPaymentsDispute"
    order: Order | None = None
    amount: Decimal = Decimal("0.00")
    currency: str = "USD"
    reason: str = "FRAUDULENT"
    status: str = "NEEDS_RESPONSE"  # DisputeStatus
    type: str = "CHARGEBACK"  # DisputeType
    initiated_at: datetime | None = None
    finalized_on: datetime | None = None
    evidence_due_by: datetime | None = None
    evidence_sent_on: datetime | None = None
    fee: Decimal = Decimal("0.00")  # the chargeback fee taken when it was opened


@dataclass(eq=False, repr=False)
class ReservedFunds(Node):
    """Funds Shopify holds back from the balance until `release_at` (or until released by hand)."""

    typename: ClassVar[str] = "SandboxReservedFunds"
    amount: Decimal = Decimal("0.00")
    currency: str = "USD"
    held_at: datetime | None = None
    release_at: datetime | None = None
    released_at: datetime | None = None
    reason: str = "Reserve"
