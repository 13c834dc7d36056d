"""A Shopify refund as trueup understands it (its lines, shipping, adjustments and restocks), and trueup's
record of where each refund stands in the ERP. The credit note a refund becomes is `credit_notes.py`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from trueup.domain.errors import WHAT_TO_DO, Cause
from trueup.domain.money import Money, total
from trueup.domain.taxes import TaxLine


class RestockType(StrEnum):
    """Shopify's RefundLineItemRestockType."""

    RETURN = "RETURN"  # the goods came back: they return to stock at the location
    CANCEL = "CANCEL"  # the goods never left: the units are taken off what is still to ship
    LEGACY_RESTOCK = "LEGACY_RESTOCK"  # treated as RETURN
    NO_RESTOCK = "NO_RESTOCK"  # money only (goodwill): no stock movement


@dataclass(frozen=True)
class RefundLine:
    """Units of one line item given back. `subtotal` and `tax` are Shopify's amounts for them (the subtotal
    includes the tax when the shop's prices do); `taxes` are the line item's tax lines (title and rate say
    which ERP tax the units were sold with; their amounts are the whole line's)."""

    line_item_id: str
    sku: str
    title: str
    quantity: int
    restock_type: RestockType
    location_id: str | None
    subtotal: Money
    tax: Money
    taxes: tuple[TaxLine, ...] = ()


@dataclass(frozen=True)
class RefundShipping:
    """Shipping given back: `subtotal` (tax included when the shop's prices include it) and its tax."""

    title: str
    subtotal: Money
    tax: Money
    taxes: tuple[TaxLine, ...] = ()  # the shipping line's tax lines


@dataclass(frozen=True)
class RefundAdjustment:
    """An order adjustment of the refund, positive when it credits the customer: the difference between the
    money refunded and what the refunded items were worth (Shopify's REFUND_DISCREPANCY, or a restocking fee)."""

    reason: str
    amount: Money  # before tax
    tax: Money


@dataclass(frozen=True)
class Refund:
    """One Shopify refund of an order, amounts in the shop currency."""

    refund_id: str  # gid://shopify/Refund/<n>
    order_id: str
    created_at: datetime
    currency: str
    lines: tuple[RefundLine, ...] = ()
    shipping: tuple[RefundShipping, ...] = ()
    adjustments: tuple[RefundAdjustment, ...] = ()
    total_refunded: Money | None = None  # the money returned (Shopify's totalRefundedSet)
    note: str | None = None
    transaction_ids: tuple[str, ...] = ()  # the numeric ids of the order transactions that paid it back

    @property
    def numeric_id(self) -> int:
        """The numeric part of the Shopify id."""
        return int(self.refund_id.rsplit("/", 1)[-1])

    @property
    def restocked_units(self) -> int:
        return sum(line.quantity for line in self.lines if line.restock_type != RestockType.NO_RESTOCK)


def refund_reference(shop: str, refund: Refund) -> str:
    """The reference the refund's credit note carries in the ERP: unique per refund, stable across retries."""
    return f"shopify:{shop}:refund:{refund.numeric_id}"


def refunded_units(refunds: Sequence[Refund]) -> dict[str, int]:
    """Units refunded so far, by line item id."""
    units: dict[str, int] = {}
    for refund in refunds:
        for line in refund.lines:
            units[line.line_item_id] = units.get(line.line_item_id, 0) + line.quantity
    return units


def value_taken_off(refunds: Sequence[Refund], currency: str, *, taxes_included: bool) -> tuple[Money, Money]:
    """What refunds took off Shopify's current total and current tax: their lines and shipping (tax added
    unless prices include it). Order adjustments are money only: Shopify leaves the current total as it is."""
    parts = [(line.subtotal, line.tax) for r in refunds for line in r.lines]
    parts += [(shipping.subtotal, shipping.tax) for r in refunds for shipping in r.shipping]
    subtotal = total([s for s, _ in parts], currency)
    tax = total([t for _, t in parts], currency)
    return (subtotal if taxes_included else subtotal + tax), tax


class RefundState(StrEnum):
    """Where a Shopify refund stands in the ERP."""

    WAITING_FOR_SALE = "waiting_for_sale"  # the order is not in the ERP yet: credited once it is posted
    CREDITED = "credited"  # the ERP holds credit note `credit_note_number`
    COVERED_BY_CANCELLATION = "covered_by_cancellation"  # the sale was cancelled with nothing invoiced: no note
    NOTHING_TO_CREDIT = "nothing_to_credit"  # no money, no line, no stock: nothing for the ERP
    EXCEPTION = "exception"  # parked with a business cause; the order itself is not


@dataclass(frozen=True)
class RefundRecord:
    """What trueup knows of one refund: its state, the note that credits it, and for an exception its cause."""

    shop: str
    order_id: str
    refund_id: str
    order_name: str
    ordinal: int  # 1 for the order's first refund
    state: RefundState
    first_seen_at: datetime
    updated_at: datetime
    amount: Money | None = None  # what the note credits (or would)
    credit_note_number: str | None = None
    cause: Cause | None = None
    detail: str | None = None
    needs: dict[str, list[str]] = field(default_factory=dict)

    @property
    def what_to_do(self) -> str | None:
        return WHAT_TO_DO[self.cause] if self.cause else None

    def describe(self) -> str:
        """One line for a person, e.g. "refund 2 on order #1042: credit note CN-17 posted"."""
        head = f"refund {self.ordinal} on order {self.order_name}"
        if self.state == RefundState.CREDITED:
            return f"{head}: credit note {self.credit_note_number} posted"
        if self.state == RefundState.WAITING_FOR_SALE:
            return f"{head}: waiting for the order to be posted"
        if self.state == RefundState.COVERED_BY_CANCELLATION:
            return f"{head}: covered by the sale's cancellation, no credit note"
        if self.state == RefundState.NOTHING_TO_CREDIT:
            return f"{head}: nothing to credit"
        return f"{head}: {self.cause}: {self.detail}"
