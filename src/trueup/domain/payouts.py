"""Shopify Payments payouts and the one balanced entry each becomes in the ERP's books.

Shopify's figures are the truth, and they are checked before anything is booked: each balance transaction's
amount − fee = net, every transaction in the payout's currency, and the sum of the nets = the payout's net.
Lines are in the payout's currency, debit positive: the net to the bank (or, for a payout that failed or was
cancelled, to the payouts-returned account, since Shopify owes it again), each transaction's amount against the
account its type maps to (charges and refunds against the gateway's clearing account), and the fees to the fee
expense account, one line per payout. They balance by construction of the checks, never by a balancing line:
a payout that does not add up is `payout_unexplained`, with the variance.

Booked in a company currency other than the payout's, each line is converted at the payout date's rate and the
rounding of the conversion, at most half a cent per line, is the one exchange-difference line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money, minor_unit, total

GATEWAY = "shopify_payments"  # the gateway whose money payouts carry
CLEARING = "clearing"  # an account role in the transaction-type mapping: the gateway's clearing account
ORDER_TYPES = frozenset({"CHARGE", "REFUND", "REFUND_FAILURE"})  # settle an order the ERP must hold first


class PayoutStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    IN_TRANSIT = "IN_TRANSIT"
    PAID = "PAID"
    FAILED = "FAILED"
    CANCELED = "CANCELED"


BOOKABLE = frozenset({PayoutStatus.PAID, PayoutStatus.FAILED, PayoutStatus.CANCELED})
RETURNED = frozenset({PayoutStatus.FAILED, PayoutStatus.CANCELED})


@dataclass(frozen=True)
class BalanceTransaction:
    """One movement of the Shopify Payments balance, as Shopify reports it (amount − fee = net)."""

    transaction_id: str
    type: str  # Shopify's BalanceTransactionType: CHARGE, REFUND, ADJUSTMENT, DISPUTE_WITHDRAWAL, ...
    amount: Money
    fee: Money
    net: Money
    order_id: str | None = None  # gid of the associated order
    order_name: str | None = None
    processed_at: dt.datetime | None = None  # Shopify's transactionDate (read with the unpaid transactions)
    payout_status: str | None = None  # PENDING (in no payout yet), SCHEDULED, IN_TRANSIT; read with the unpaid ones


@dataclass(frozen=True)
class Payout:
    """A Shopify Payments payout with its balance transactions (its own TRANSFER left out)."""

    payout_id: str  # Shopify's legacy (numeric) id
    status: PayoutStatus
    issued_at: dt.datetime
    net: Money
    transactions: tuple[BalanceTransaction, ...] = ()

    @property
    def currency(self) -> str:
        return self.net.currency


@dataclass(frozen=True)
class PayoutAccounts:
    """ERP account codes by role (the configuration's `[payments]`)."""

    bank: Mapping[str, str]  # payout currency -> bank account
    clearing: Mapping[tuple[str, str], str]  # (gateway, currency) -> clearing account
    fee_expense: str
    exchange_difference: str
    returned_payouts: str
    transaction_types: Mapping[str, str]  # Shopify type -> account code, or CLEARING

    def codes(self) -> set[str]:
        """Every account code named: what the ERP must have."""
        mapped = {code for code in self.transaction_types.values() if code != CLEARING}
        fixed = {self.fee_expense, self.exchange_difference, self.returned_payouts}
        return {*self.bank.values(), *self.clearing.values(), *mapped, *fixed}


@dataclass(frozen=True)
class EntryLine:
    """One line of a payout entry: debit when `amount` is positive, credit when negative."""

    account: str
    amount: Money
    description: str


@dataclass(frozen=True)
class PayoutEntry:
    """The balanced entry a payout becomes (or the reversal of its bank line), in the payout's currency."""

    reference: str
    date: dt.date
    description: str
    lines: tuple[EntryLine, ...]

    @property
    def currency(self) -> str:
        return self.lines[0].amount.currency

    def balance(self) -> Money:
        return total([line.amount for line in self.lines], self.currency)


@dataclass(frozen=True)
class CompanyLine:
    """An entry line in the company's currency, with the payout-currency amount it stands for (None when
    the two currencies are the same, or for the exchange-difference line)."""

    account: str
    amount: Money
    second: Money | None
    description: str


def payout_reference(shop: str, payout_id: str) -> str:
    """The entry's external reference, looked up in the ERP before booking (one entry per payout)."""
    return f"shopify:{shop}:payout:{payout_id}"


def returned_reference(shop: str, payout_id: str) -> str:
    """The reference of the entry reversing a paid payout's bank line when it fails afterwards."""
    return f"{payout_reference(shop, payout_id)}:returned"


def check_payout(payout: Payout) -> None:
    """Raise `payout_unexplained` unless Shopify's figures hold: every transaction in the payout's currency with
    amount − fee = net, and Σ net = the payout's net (the variance named)."""
    for tx in payout.transactions:
        currencies = {tx.amount.currency, tx.fee.currency, tx.net.currency}
        if currencies != {payout.currency}:
            raise _unexplained(payout, f"transaction {tx.transaction_id} is in {', '.join(sorted(currencies))}")
        if tx.amount - tx.fee != tx.net:
            variance = tx.amount - tx.fee - tx.net
            raise _unexplained(
                payout, f"transaction {tx.transaction_id}: amount − fee − net = {variance} (expected 0.00)"
            )
    contents = total([tx.net for tx in payout.transactions], payout.currency)
    if contents != payout.net:
        raise _unexplained(
            payout, f"its transactions' nets add up to {contents}, the payout is {payout.net}: {payout.net - contents}"
        )


def _unexplained(payout: Payout, why: str) -> StructuralError:
    return StructuralError(Cause.PAYOUT_UNEXPLAINED, f"payout {payout.payout_id}: {why}")


def unmapped(payout: Payout, accounts: PayoutAccounts) -> list[str]:
    """What the mapping lacks for this payout: one message per missing bank, clearing account or type."""
    problems: list[str] = []
    if payout.currency not in accounts.bank:
        problems.append(f"no bank account for {payout.currency} ([payments.bank])")
    for kind in sorted({tx.type for tx in payout.transactions}):
        code = accounts.transaction_types.get(kind)
        if code is None:
            problems.append(f"balance transaction type {kind} is not mapped ([payments.transaction_types])")
        elif code == CLEARING and (GATEWAY, payout.currency) not in accounts.clearing:
            problems.append(f'no clearing account for "{GATEWAY}:{payout.currency}" ([payments.clearing])')
    return problems


def payout_entry(shop: str, payout: Payout, accounts: PayoutAccounts) -> PayoutEntry:
    """The payout's one balanced entry. Raises `payout_unexplained` when Shopify's figures do not hold and
    `unmapped_payment_account` when the mapping lacks an account; nothing is built then."""
    check_payout(payout)
    problems = unmapped(payout, accounts)
    if problems:
        raise StructuralError(Cause.UNMAPPED_PAYMENT_ACCOUNT, f"payout {payout.payout_id}: " + "; ".join(problems))
    returned = payout.status in RETURNED
    destination = accounts.returned_payouts if returned else accounts.bank[payout.currency]
    lines = [EntryLine(destination, payout.net, f"Payout {payout.payout_id} {payout.status.lower()}")]
    for tx in payout.transactions:
        code = accounts.transaction_types[tx.type]
        account = accounts.clearing[(GATEWAY, payout.currency)] if code == CLEARING else code
        what = f"{tx.type} {tx.order_name}" if tx.order_name else tx.type
        lines.append(EntryLine(account, -tx.amount, f"{what} ({tx.transaction_id})"))
    fees = total([tx.fee for tx in payout.transactions], payout.currency)
    if not fees.is_zero():
        lines.append(EntryLine(accounts.fee_expense, fees, f"Shopify Payments fees, payout {payout.payout_id}"))
    entry = PayoutEntry(
        payout_reference(shop, payout.payout_id),
        payout.issued_at.date(),
        f"Shopify Payments payout {payout.payout_id} ({payout.status.lower()})",
        tuple(lines),
    )
    assert entry.balance().is_zero(), "a checked payout's entry balances"
    return entry


def returned_entry(shop: str, payout: Payout, accounts: PayoutAccounts, on: dt.date) -> PayoutEntry:
    """For a payout booked as paid that failed or was cancelled afterwards: its net leaves the bank account for
    the payouts-returned account (Shopify pays it again, as TRANSFER_FAILURE / TRANSFER_CANCEL in a later
    payout)."""
    bank = accounts.bank[payout.currency]
    what = f"Payout {payout.payout_id} {payout.status.lower()}"
    return PayoutEntry(
        returned_reference(shop, payout.payout_id),
        on,
        f"Shopify Payments payout {payout.payout_id} returned ({payout.status.lower()})",
        (EntryLine(accounts.returned_payouts, payout.net, what), EntryLine(bank, -payout.net, what)),
    )


def in_company_currency(
    entry: PayoutEntry, company_currency: str, rate: Decimal, exchange_account: str
) -> list[CompanyLine]:
    """The entry's lines in the company's currency. `rate` is units of the payout currency per unit of the
    company's (as ERPs keep rates). Each line is converted and rounded half to even; their rounding, if any,
    is one exchange-difference line, so the lines balance by construction."""
    if entry.currency == company_currency:
        return [CompanyLine(line.account, line.amount, None, line.description) for line in entry.lines]
    if rate <= 0:
        raise ValueError(f"no usable rate for {entry.currency} against {company_currency}: {rate}")
    unit = minor_unit(company_currency)
    lines = [
        CompanyLine(
            line.account,
            Money((line.amount.amount / rate).quantize(unit, rounding=ROUND_HALF_EVEN), company_currency),
            line.amount,
            line.description,
        )
        for line in entry.lines
    ]
    rounding = total([line.amount for line in lines], company_currency)
    if not rounding.is_zero():
        lines.append(
            CompanyLine(exchange_account, -rounding, None, f"Conversion of {entry.currency} at {rate}: rounding")
        )
    return lines


def orders_of(payout: Payout) -> set[str]:
    """The orders whose charges and refunds the payout settles: the ERP must hold each before it is booked."""
    return {tx.order_id for tx in payout.transactions if tx.type in ORDER_TYPES and tx.order_id}


def waiting_for(payout: Payout, missing: Sequence[str]) -> StructuralError:
    """`payout_waiting_for_orders`, naming the orders not in the ERP yet (it replays by itself)."""
    names = sorted(missing)
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    return StructuralError(
        Cause.PAYOUT_WAITING_FOR_ORDERS,
        f"payout {payout.payout_id}: {len(names)} order(s) not in the ERP yet: {shown}",
        needs={"orders": names},
    )


@dataclass(frozen=True)
class BookedEntry:
    """An entry the ERP holds: its reference, its (opaque) ERP id, whether it is posted, its number of lines."""

    reference: str
    erp_id: str
    posted: bool
    lines: int


@dataclass(frozen=True)
class AccountBalance:
    """An ERP account's balance (debit positive) in the company's currency, and in its second currency when
    it is kept in one."""

    code: str
    balance: Money
    second: Money | None = None


class PayoutState(StrEnum):
    """Where a payout stands in the ERP's books."""

    BOOKED = "booked"  # its entry is posted
    RETURNED = "returned"  # booked as paid, then failed or cancelled: the reversal of its bank line is posted too
    EXCEPTION = "exception"  # nothing of it is booked: unexplained, waiting for orders, or an account unmapped


# The payout's contents by kind, as finance reads them (Shopify's summary groups them alike).
TOTAL_KINDS = ("charges", "refunds", "fees", "adjustments", "disputes", "reserves", "retried", "net")
_KIND_OF = {
    "CHARGE": "charges",
    "REFUND": "refunds",
    "REFUND_FAILURE": "refunds",
    "DISPUTE_WITHDRAWAL": "disputes",
    "DISPUTE_REVERSAL": "disputes",
    "RESERVED_FUNDS": "reserves",
    "RESERVED_FUNDS_REVERSAL": "reserves",
    "RESERVED_FUNDS_WITHDRAWAL": "reserves",
    "TRANSFER_FAILURE": "retried",
    "TRANSFER_CANCEL": "retried",
}


def payout_totals(payout: Payout) -> dict[str, Money]:
    """Gross amounts by kind (every other type is an adjustment), the fees and the net."""
    totals = {kind: Money.zero(payout.currency) for kind in TOTAL_KINDS}
    for tx in payout.transactions:
        kind = _KIND_OF.get(tx.type, "adjustments")
        totals[kind] = totals[kind] + tx.amount
        totals["fees"] = totals["fees"] + tx.fee
    totals["net"] = payout.net
    return totals


@dataclass(frozen=True)
class PayoutRecord:
    """What trueup recorded of one payout: Shopify's status and figures, the ERP entries, or why none."""

    shop: str
    payout_id: str
    status: PayoutStatus
    issued_at: dt.datetime
    net: Money
    state: PayoutState
    first_seen_at: dt.datetime
    updated_at: dt.datetime
    totals: Mapping[str, Money] = field(default_factory=dict)
    transactions: int = 0
    entry_id: str | None = None
    returned_entry_id: str | None = None
    cause: Cause | None = None
    detail: str | None = None
    needs: Mapping[str, list[str]] = field(default_factory=dict)
