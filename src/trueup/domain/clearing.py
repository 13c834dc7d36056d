"""A Shopify Payments clearing account explained line by line: what Shopify has captured and not paid out yet.

A payment debits the gateway's clearing account when the money is taken, and the payout that carries the charge
credits it (domain/payments.py, domain/payouts.py), so the ERP's balance of a clearing account should be
Shopify's balance transactions not paid out yet (charges and refunds; in no payout, or in one not yet paid).
Where it is not, the difference is named: a capture whose order is not in the ERP yet (no payment booked), a
payout Shopify paid that is not booked (its charges still sit on the account), and what remains unexplained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trueup.domain.money import Money, total

CLEARING_TYPES = frozenset({"CHARGE", "REFUND", "REFUND_FAILURE"})  # the types payouts clear (domain/payouts.py)


@dataclass(frozen=True)
class ClearingLine:
    """One transaction Shopify has not paid out yet."""

    gateway: str
    transaction_id: str
    type: str
    order: str  # the order's name, or "-" when none
    amount: Money
    booked: bool = True  # its payment is in the ERP (False: the order is not, see `why`)
    why: str = ""


@dataclass(frozen=True)
class UnbookedPayout:
    """A payout Shopify paid whose entry is not in the ERP: its charges and refunds are still on the account."""

    payout_id: str
    clearing: Money  # its charges and refunds (what its entry would clear)
    why: str


@dataclass(frozen=True)
class ClearingExplanation:
    account: str
    gateway: str
    currency: str
    balance: Money  # the ERP's, in the account's currency
    lines: tuple[ClearingLine, ...]
    unbooked_payouts: tuple[UnbookedPayout, ...] = ()

    @property
    def not_paid_out(self) -> Money:
        """Shopify's side: every line."""
        return total([line.amount for line in self.lines], self.currency)

    @property
    def expected(self) -> Money:
        """What the ERP should hold: the lines whose payment is booked, and the charges of payouts not booked."""
        booked = [line.amount for line in self.lines if line.booked]
        return total([*booked, *(p.clearing for p in self.unbooked_payouts)], self.currency)

    @property
    def unexplained(self) -> Money:
        return self.balance - self.expected

    @property
    def explained(self) -> bool:
        return self.unexplained.is_zero()

    def differences(self) -> list[str]:
        """Each named reason the ERP's balance is not Shopify's lines, then what remains unexplained."""
        named = [
            f"{line.order}: {line.type} {line.amount} not booked in the ERP ({line.why})"
            for line in self.lines
            if not line.booked
        ]
        named += [
            f"payout {p.payout_id}: {p.clearing} paid out by Shopify, not booked ({p.why})"
            for p in self.unbooked_payouts
        ]
        if not self.explained:
            named.append(f"unexplained: the ERP holds {self.unexplained} more than the above accounts for")
        return named


def explain_clearing(
    account: str,
    gateway: str,
    balance: Money,
    lines: Sequence[ClearingLine],
    unbooked_payouts: Sequence[UnbookedPayout] = (),
) -> ClearingExplanation:
    """The account's lines in its currency (others left out), oldest first as given."""
    mine = tuple(line for line in lines if line.amount.currency == balance.currency and line.gateway == gateway)
    payouts = tuple(p for p in unbooked_payouts if p.clearing.currency == balance.currency)
    return ClearingExplanation(account, gateway, balance.currency, balance, mine, payouts)
