"""FakeShopifyPayments: one shop's Shopify Payments payouts in memory (the ShopifyPaymentsReader port), held to
the sandbox-backed client by tests/contract/test_shopify_payments_contract.py. Tests put payouts (with their
transactions) and change their status, and put transactions in no payout yet (`pending`); `transaction_reads`
counts the payouts whose transactions were read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date

from trueup.domain.errors import TransientError
from trueup.domain.payouts import BalanceTransaction, Payout, PayoutStatus


@dataclass
class FakeShopifyPayments:
    payouts: dict[str, Payout] = field(default_factory=dict)
    down: bool = False
    transaction_reads: int = 0
    pending: list[BalanceTransaction] = field(default_factory=list)  # in no payout yet

    def put(self, payout: Payout) -> None:
        self.payouts[payout.payout_id] = payout

    def set_status(self, payout_id: str, status: PayoutStatus) -> None:
        self.payouts[payout_id] = replace(self.payouts[payout_id], status=status)

    def payouts_issued_since(self, since: date) -> Iterator[Payout]:
        if self.down:
            raise TransientError("Shopify unavailable (fake)")
        chosen = sorted(
            (p for p in self.payouts.values() if p.issued_at.date() >= since), key=lambda p: (p.issued_at, p.payout_id)
        )
        for payout in chosen:
            yield replace(payout, transactions=())

    def with_transactions(self, payout: Payout) -> Payout:
        if self.down:
            raise TransientError("Shopify unavailable (fake)")
        self.transaction_reads += 1
        kept = self.payouts[payout.payout_id]
        return replace(payout, transactions=kept.transactions)

    def unpaid_transactions(self) -> list[BalanceTransaction]:
        if self.down:
            raise TransientError("Shopify unavailable (fake)")
        waiting = (PayoutStatus.SCHEDULED, PayoutStatus.IN_TRANSIT)
        scheduled = [
            replace(t, payout_status=p.status.value)
            for p in self.payouts.values()
            if p.status in waiting
            for t in p.transactions
        ]
        return [*(replace(t, payout_status="PENDING") for t in self.pending), *scheduled]
