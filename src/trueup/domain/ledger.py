"""The completeness ledger: where every Shopify order stands, and the amounts on each side."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from trueup.domain.errors import WHAT_TO_DO, Cause
from trueup.domain.money import Money


class OrderState(StrEnum):
    RECEIVED = "received"  # known to trueup, not yet looked at
    WAITING_FOR_PAYMENT = "waiting_for_payment"  # pending payment: not a sale yet
    POSTED = "posted"  # the ERP holds sales order `erp_number`
    EXCEPTION = "exception"  # parked with a business cause
    CANCELLED_UNPOSTED = "cancelled_unposted"  # cancelled in Shopify before it was ever a sale
    HELD = "held"  # in the hold window: its fulfilment held in Shopify, posted when the window ends
    CANCELLED = "cancelled"  # cancelled in Shopify after posting: the ERP sale `erp_number` is cancelled


# States in which an order still needs something to happen (or someone to act).
OPEN_STATES = frozenset({OrderState.RECEIVED, OrderState.WAITING_FOR_PAYMENT, OrderState.EXCEPTION})


@dataclass(frozen=True)
class LedgerEntry:
    shop: str
    order_id: str
    name: str
    state: OrderState
    first_seen_at: datetime
    state_since: datetime
    shopify_total: Money | None = None
    erp_total: Money | None = None
    erp_sale_id: str | None = None  # the ERP's id of the sale, opaque
    erp_number: str | None = None
    cause: Cause | None = None
    detail: str | None = None
    needs: dict[str, list[str]] = field(default_factory=dict)
    # Shopify's updatedAt of the order version last applied: the poll skips orders already seen.
    shopify_updated_at: datetime | None = None
    # What the customer was charged in the currency they saw, kept only when it is not the shop's
    # (the ERP posts in the shop currency; this is the record of the foreign amount).
    presentment_total: Money | None = None
    # While HELD: when the hold window ends and the order posts (unless released earlier).
    held_until: datetime | None = None
    # A change after the cut-off a person accepted as it is (the difference, as described): not raised again.
    accepted_changes: str | None = None

    @classmethod
    def received(cls, shop: str, order_id: str, name: str, at: datetime) -> LedgerEntry:
        """The entry of an order trueup has just come to know."""
        return cls(shop=shop, order_id=order_id, name=name, state=OrderState.RECEIVED, first_seen_at=at, state_since=at)

    @property
    def what_to_do(self) -> str | None:
        return WHAT_TO_DO[self.cause] if self.cause else None

    def moved_to(self, state: OrderState, at: datetime, **changes: object) -> LedgerEntry:
        """This entry in `state`; `state_since` only moves when the state changes."""
        since = self.state_since if state == self.state else at
        cleared: dict[str, object] = (
            {} if state == OrderState.EXCEPTION else {"cause": None, "detail": None, "needs": {}}
        )
        return replace(self, state=state, state_since=since, **{**cleared, **changes})  # type: ignore[arg-type]
