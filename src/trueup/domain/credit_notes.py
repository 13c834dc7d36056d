"""The credit note the ERP must hold for a Shopify refund, and the stock the refund moves.

Every refund becomes exactly one credit note against the order's ERP sale, equal to Shopify's refund to the
cent: the refunded lines at Shopify's subtotal and tax, the refunded shipping, and the order adjustments (a
refund of more or less than the items were worth). Totals are preserved by construction: each credit line
carries Shopify's own amounts; a single-SKU bundle's refunded line is spread over its components by the same
weights posting uses (`bundles.explode_kit`), so the shares add up to the refunded line exactly. The ERP taxes
are those the sale was posted with (`taxes.erp_tax_codes`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from trueup.domain.bundles import KitComponent, explode_kit
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.inventory import location_gid
from trueup.domain.money import Money, allocate, total
from trueup.domain.orders import OrderLine
from trueup.domain.posting import PostingPolicy
from trueup.domain.refunds import Refund, RefundAdjustment, RefundLine, RefundShipping, RestockType, refund_reference
from trueup.domain.tax_rounding import TaxVariance
from trueup.domain.taxes import TaxLine, erp_tax_codes, is_untaxing, shopify_rates, tax_by_erp_tax


@dataclass(frozen=True)
class CreditLine:
    """One line of a credit note, as Shopify computed the refund: `net` is before tax, `tax` is Shopify's
    tax for it, both positive amounts (the note credits them). `sku` is the product credited: the goods', the
    shipping product for shipping (`PostingPolicy.shipping_sku`), None for money alone (an order adjustment,
    a refund discrepancy)."""

    description: str
    sku: str | None
    quantity: Decimal
    net: Money
    tax: Money
    tax_codes: tuple[str, ...] = ()  # ERP taxes the net was taxed with
    is_shipping: bool = False


@dataclass(frozen=True)
class Restock:
    """Units a refund puts back: RETURN returns them to stock at `warehouse`; CANCEL takes them off the
    sale's shipment still to leave."""

    sku: str
    quantity: Decimal
    warehouse: str | None  # ERP warehouse code (mapped from the Shopify restock location); None: the sale's
    kind: RestockType


@dataclass(frozen=True)
class CreditNoteRequest:
    """A credit note for one Shopify refund against the order's ERP sale.

    `reference` ("shopify:<shop>:refund:<refund number>") is unique per refund: the ERP is asked for it before
    anything is created, so a retry never makes a second note. The note's total is `expected_total` exactly:
    a difference between the ERP's tax and Shopify's is booked as a rounding line within tolerance.
    """

    reference: str
    sale_id: str  # the ERP sale (its opaque id)
    description: str  # e.g. "Refund 2 on #1042"
    currency: str
    lines: tuple[CreditLine, ...]
    tax_rounding_tolerance: Money | None = None
    # Shopify's refunded tax by ERP tax (what the note carries, to the cent; domain/tax_rounding.py), and the
    # Shopify tax line keys behind each. Tax on money alone (an adjustment) has no ERP tax: see `uncarried_tax`.
    expected_taxes: tuple[tuple[str, Money], ...] = ()
    tax_rates: tuple[tuple[str, str], ...] = ()

    @property
    def uncarried_tax(self) -> Money:
        """Shopify's refunded tax no ERP tax of the note carries (an order adjustment's)."""
        return self.expected_tax - total([m for _, m in self.expected_taxes], self.currency)

    @property
    def expected_untaxed(self) -> Money:
        return total([line.net for line in self.lines], self.currency)

    @property
    def expected_tax(self) -> Money:
        return total([line.tax for line in self.lines], self.currency)

    @property
    def expected_total(self) -> Money:
        return self.expected_untaxed + self.expected_tax


@dataclass(frozen=True)
class RestockRequest:
    """The stock side of one Shopify refund, for the warehouse: RETURN units received back, CANCEL units taken
    off the sale's shipment still to pick. `reference` is the refund's (as its credit note's): the warehouse
    moves each refund's units once, whatever the retries."""

    reference: str
    sale_id: str  # the ERP sale the units were sold on
    restocks: tuple[Restock, ...]

    @property
    def cancels(self) -> tuple[Restock, ...]:
        return tuple(r for r in self.restocks if r.kind is RestockType.CANCEL)

    @property
    def returns(self) -> tuple[Restock, ...]:
        return tuple(r for r in self.restocks if r.kind in (RestockType.RETURN, RestockType.LEGACY_RESTOCK))


@dataclass(frozen=True)
class PostedCreditNote:
    """A credit note as the ERP holds it; `total` is positive (what was credited)."""

    erp_id: str
    number: str  # e.g. "CN-17"
    reference: str
    total: Money
    state: str  # the ERP's state, e.g. "posted"
    # Where the ERP's rate gives another refunded tax than Shopify's beyond the tolerance (the note carries
    # Shopify's; amounts negative, as credited); only on the answer that made the note.
    tax_variances: tuple[TaxVariance, ...] = ()


def build_credit_note(
    refund: Refund,
    *,
    shop: str,
    ordinal: int,
    order_name: str,
    sale_id: str,
    taxes_included: bool,
    policy: PostingPolicy,
    kits: Mapping[str, Sequence[KitComponent]] | None = None,
) -> CreditNoteRequest | None:
    """The credit note for `refund` (the `ordinal`-th refund of the order), or None when it credits nothing.

    Raises StructuralError for an unmapped tax, and when Shopify's money refunded is not what the refund's
    parts add up to.
    """
    lines: list[CreditLine] = []
    for line in refund.lines:
        lines += _goods_credit(line, (kits or {}).get(line.sku), policy, taxes_included)
    lines += [_shipping_credit(s, policy, taxes_included) for s in refund.shipping]
    lines += [_adjustment_credit(a) for a in refund.adjustments]
    lines = [line for line in lines if not (_is_zero(line) and (line.sku is None or line.is_shipping))]
    if not lines:
        return None
    request = CreditNoteRequest(
        reference=refund_reference(shop, refund),
        sale_id=sale_id,
        description=f"Refund {ordinal} on {order_name}",
        currency=refund.currency,
        lines=tuple(lines),
        tax_rounding_tolerance=Money(policy.tax_rounding_tolerance, refund.currency),
        expected_taxes=tuple(sorted(tax_by_erp_tax(_refunded_taxes(refund), policy.taxes, refund.currency).items())),
        tax_rates=tuple(sorted(shopify_rates(_refunded_taxes(refund), policy.taxes).items())),
    )
    _check_total(refund, request, taxes_included)
    return request


def build_restock(
    refund: Refund,
    *,
    shop: str,
    sale_id: str,
    kits: Mapping[str, Sequence[KitComponent]] | None = None,
    locations: Mapping[str, str] | None = None,
) -> RestockRequest | None:
    """What `refund` moves in the warehouse (a single-SKU bundle as its components), or None when it moves
    nothing (NO_RESTOCK). Raises StructuralError(UNMAPPED_LOCATION) for a restock location no warehouse maps."""
    restocks = [
        restock for line in refund.lines for restock in _restocks(line, (kits or {}).get(line.sku), locations or {})
    ]
    if not restocks:
        return None
    return RestockRequest(refund_reference(shop, refund), sale_id, tuple(restocks))


def _refunded_taxes(refund: Refund) -> list[TaxLine]:
    """The refunded tax of each line and shipping, split over its tax lines by their (whole-line) amounts."""
    parts = [(line.tax, line.taxes) for line in refund.lines] + [(s.tax, s.taxes) for s in refund.shipping]
    return [tax for refunded, taxes in parts for tax in _split(refunded, taxes)]


def _split(refunded: Money, taxes: Sequence[TaxLine]) -> list[TaxLine]:
    taxed = [t for t in taxes if not is_untaxing(t)]
    weights = [max(t.amount.amount, Decimal(0)) for t in taxed]
    if not taxed or not any(weights):
        return [TaxLine(t.title, t.rate, refunded) for t in taxed[:1]]
    return [TaxLine(t.title, t.rate, a) for t, a in zip(taxed, allocate(refunded, weights), strict=True)]


def _is_zero(line: CreditLine) -> bool:
    return line.net.is_zero() and line.tax.is_zero()


def _untaxed(subtotal: Money, tax: Money, taxes_included: bool) -> Money:
    return subtotal - tax if taxes_included else subtotal


def _goods_credit(
    line: RefundLine, components: Sequence[KitComponent] | None, policy: PostingPolicy, taxes_included: bool
) -> list[CreditLine]:
    codes = erp_tax_codes(line.taxes, policy.taxes)
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
    taxed = [t for t in line.taxes if not is_untaxing(t)] or [TaxLine("tax", Decimal(0), line.tax)]
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
    by_gid = {location_gid(key): warehouse for key, warehouse in locations.items()}
    if location_gid(location_id) in by_gid:
        return by_gid[location_gid(location_id)]
    raise StructuralError(
        Cause.UNMAPPED_LOCATION,
        f"the refund restocks at Shopify location {location_id}, which maps to no ERP warehouse",
        needs={"locations": [location_id]},
    )


def _shipping_credit(shipping: RefundShipping, policy: PostingPolicy, taxes_included: bool) -> CreditLine:
    return CreditLine(
        description=shipping.title or "Shipping",
        sku=policy.shipping_sku,
        quantity=Decimal(1),
        net=_untaxed(shipping.subtotal, shipping.tax, taxes_included),
        tax=shipping.tax,
        tax_codes=erp_tax_codes(shipping.taxes, policy.taxes),
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
            f"refund {refund.numeric_id} returned {returned} but its lines, shipping and adjustments add up to "
            f"{credited}",
        )


def credited_total(requests: Sequence[CreditNoteRequest], currency: str) -> Money:
    """What the notes credit altogether."""
    return total([r.expected_total for r in requests], currency)
