"""A Shopify refund as trueup understands it, and the credit note the ERP must hold for it.

Every refund becomes exactly one credit note against the order's ERP sale, equal to Shopify's refund to the
cent: the refunded lines at Shopify's subtotal and tax, the refunded shipping, and the order adjustments (a
refund of more or less than the items were worth). Totals are preserved by construction: each credit line
carries Shopify's own amounts; a single-SKU bundle's refunded line is spread over its components by the same
weights posting uses (`bundles.explode_kit`), so the shares add up to the refunded line exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from trueup.domain.after_sale import CreditLine, CreditNoteRequest, Restock, RestockType
from trueup.domain.bundles import KitComponent, explode_kit
from trueup.domain.errors import WHAT_TO_DO, Cause, StructuralError
from trueup.domain.money import Money, allocate, total
from trueup.domain.orders import OrderLine, TaxLine
from trueup.domain.posting import PostingPolicy, tax_key


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

    @property
    def number(self) -> int:
        """The numeric part of the Shopify id."""
        return int(self.refund_id.rsplit("/", 1)[-1])

    @property
    def restocked_units(self) -> int:
        return sum(line.quantity for line in self.lines if line.restock_type != RestockType.NO_RESTOCK)


def refund_reference(shop: str, refund: Refund) -> str:
    """The reference the refund's credit note carries in the ERP: unique per refund, stable across retries."""
    return f"shopify:{shop}:refund:{refund.number}"


def refunded_units(refunds: Sequence[Refund]) -> dict[str, int]:
    """Units refunded so far, by line item id."""
    units: dict[str, int] = {}
    for refund in refunds:
        for line in refund.lines:
            units[line.line_item_id] = units.get(line.line_item_id, 0) + line.quantity
    return units


def build_credit_note(
    refund: Refund,
    *,
    shop: str,
    ordinal: int,
    order_name: str,
    sale_erp_id: int,
    taxes_included: bool,
    policy: PostingPolicy,
    kits: Mapping[str, Sequence[KitComponent]] | None = None,
    locations: Mapping[str, str] | None = None,
) -> CreditNoteRequest | None:
    """The credit note for `refund` (the `ordinal`-th refund of the order), or None when it credits nothing.

    Raises StructuralError for an unmapped tax or restock location, and when Shopify's money refunded is not
    what the refund's parts add up to.
    """
    lines: list[CreditLine] = []
    restocks: list[Restock] = []
    for line in refund.lines:
        components = (kits or {}).get(line.sku)
        lines += _goods_credit(line, components, policy, taxes_included)
        restocks += _restocks(line, components, locations or {})
    lines += [_shipping_credit(s, policy, taxes_included) for s in refund.shipping]
    lines += [_adjustment_credit(a) for a in refund.adjustments]
    lines = [line for line in lines if not (line.net.is_zero() and line.tax.is_zero() and line.sku is None)]
    if not lines and not restocks:
        return None
    request = CreditNoteRequest(
        reference=refund_reference(shop, refund),
        sale_erp_id=sale_erp_id,
        description=f"Refund {ordinal} on {order_name}",
        currency=refund.currency,
        lines=tuple(lines),
        restocks=tuple(restocks),
        tax_rounding_tolerance=Money(policy.tax_rounding_tolerance, refund.currency),
    )
    _check_total(refund, request, taxes_included)
    return request


def _tax_codes(taxes: Sequence[TaxLine], policy: PostingPolicy) -> tuple[str, ...]:
    codes = []
    for tax in taxes:
        if _untaxing(tax):
            continue
        key = tax_key(tax)
        if key not in policy.taxes:
            raise StructuralError(Cause.UNMAPPED_TAX, f"Shopify tax {key!r} has no ERP tax", needs={"taxes": [key]})
        codes.append(policy.taxes[key])
    return tuple(codes)


def _untaxing(tax: TaxLine) -> bool:
    """A zero tax line (no rate, nothing charged): no ERP tax, as when posting."""
    return tax.amount.is_zero() and tax.rate == 0


def _untaxed(subtotal: Money, tax: Money, taxes_included: bool) -> Money:
    return subtotal - tax if taxes_included else subtotal


def _goods_credit(
    line: RefundLine, components: Sequence[KitComponent] | None, policy: PostingPolicy, taxes_included: bool
) -> list[CreditLine]:
    codes = _tax_codes(line.taxes, policy)
    if not components:
        net = _untaxed(line.subtotal, line.tax, taxes_included)
        return [CreditLine(line.title, line.sku, Decimal(line.quantity), net, line.tax, codes)]
    shares = explode_kit(_as_order_line(line), components)
    return [
        CreditLine(
            f"{share.bundle_title} ({share.bundle_sku}): {share.sku}",
            share.sku,
            share.quantity,
            _untaxed(share.net, share.tax, taxes_included),
            share.tax,
            codes,
        )
        for share in shares
    ]


def _as_order_line(line: RefundLine) -> OrderLine:
    """The refunded units as an order line, so a bundle is spread exactly as posting spreads it."""
    currency = line.subtotal.currency
    taxed = [t for t in line.taxes if not _untaxing(t)] or [TaxLine("tax", Decimal(0), line.tax)]
    weights = [max(t.amount.amount, Decimal(0)) for t in taxed]
    amounts = allocate(line.tax, weights)
    return OrderLine(
        line_id=line.line_item_id,
        sku=line.sku,
        title=line.title,
        quantity=line.quantity,
        unit_price=Money(line.subtotal.amount / line.quantity, currency) if line.quantity else line.subtotal,
        discount=Money.zero(currency),
        taxes=tuple(TaxLine(t.title, t.rate, a) for t, a in zip(taxed, amounts, strict=True)),
        original_total=line.subtotal,
    )


def _restocks(
    line: RefundLine, components: Sequence[KitComponent] | None, locations: Mapping[str, str]
) -> list[Restock]:
    if line.restock_type == RestockType.NO_RESTOCK or line.quantity <= 0:
        return []
    warehouse = _warehouse(line.location_id, locations)
    if not components:
        return [Restock(line.sku, Decimal(line.quantity), warehouse, line.restock_type)]
    return [Restock(c.sku, c.quantity_for(line.quantity), warehouse, line.restock_type) for c in components]


def _warehouse(location_id: str | None, locations: Mapping[str, str]) -> str | None:
    """The ERP warehouse of a Shopify location; None (the sale's own) when no location mapping is configured."""
    if location_id is None or not locations:
        return None
    number = location_id.rsplit("/", 1)[-1]
    for key in (location_id, number, f"gid://shopify/Location/{number}"):
        if key in locations:
            return locations[key]
    raise StructuralError(
        Cause.UNMAPPED_LOCATION,
        f"the refund restocks at Shopify location {location_id}, which maps to no ERP warehouse",
        needs={"locations": [location_id]},
    )


def _shipping_credit(shipping: RefundShipping, policy: PostingPolicy, taxes_included: bool) -> CreditLine:
    return CreditLine(
        description=shipping.title or "Shipping",
        sku=None,
        quantity=Decimal(1),
        net=_untaxed(shipping.subtotal, shipping.tax, taxes_included),
        tax=shipping.tax,
        tax_codes=_tax_codes(shipping.taxes, policy),
        is_shipping=True,
    )


def _adjustment_credit(adjustment: RefundAdjustment) -> CreditLine:
    reason = adjustment.reason.replace("_", " ").capitalize()
    return CreditLine(f"Order adjustment: {reason}", None, Decimal(1), adjustment.amount, adjustment.tax)


def _check_total(refund: Refund, request: CreditNoteRequest, taxes_included: bool) -> None:
    """The note must credit what Shopify returned, when money was returned."""
    returned = refund.total_refunded
    if returned is None or returned.is_zero():
        return
    credited = request.expected_total
    if credited.rounded() != returned.rounded():
        raise StructuralError(
            Cause.TOTALS_MISMATCH,
            f"refund {refund.number} returned {returned} but its lines, shipping and adjustments add up to {credited}",
        )


def credited_total(requests: Sequence[CreditNoteRequest], currency: str) -> Money:
    """What the notes credit altogether."""
    return total([r.expected_total for r in requests], currency)


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
