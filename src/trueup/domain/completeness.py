"""The completeness check: from a Shopify order, the ERP documents that must exist and their states, compared
with what the ERP holds (read from the ERP, never from trueup's own ledger).

Per order: a sale that is processing (not draft, quotation or confirmed); for the goods not yet delivered, a
live shipment, unless the order is cancelled; the sale's total equal to Shopify's (its invoice's, which
carries Shopify's tax); one posted credit note per refund that credits something (none where the sale was
cancelled with nothing invoiced: the cancellation covers them); a cancellation leaving the
sale cancelled with nothing left to ship; where payments are booked, a posted payment for each capture (and each
refund of a credit note); the units a refund restocked as returned received back in the ERP, and those it took off
what was still to ship (restock "cancel") off the ERP's shipments. Per payout trueup
booked or tried to book: its posted entry, and for one paid then failed or cancelled, the posted reversal of its
bank line. Each difference is a typed `Finding` with what to do.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from trueup.domain.credit_notes import PostedCreditNote, RestockRequest
from trueup.domain.money import Money
from trueup.domain.orders import ShopifyOrder
from trueup.domain.payments import Payment
from trueup.domain.payouts import BookedEntry, PayoutRecord, PayoutState, payout_reference, returned_reference
from trueup.domain.refunds import Refund, RestockType, refund_reference
from trueup.domain.sales import UNPROCESSED_SALE_STATES, SaleProgress, ShipmentStage
from trueup.domain.tax_variances import TaxVarianceRecord
from trueup.domain.taxes import tax_key

LIVE_STAGES = frozenset(
    {ShipmentStage.WAITING, ShipmentStage.ASSIGNED, ShipmentStage.PICKED, ShipmentStage.PACKED, ShipmentStage.SHIPPED}
)


class FindingKind(StrEnum):
    SALE_MISSING = "sale_missing"
    SALE_NOT_PROCESSING = "sale_not_processing"
    SHIPMENT_MISSING = "shipment_missing"
    AMOUNT_DIFFERS = "amount_differs"
    CREDIT_NOTE_MISSING = "credit_note_missing"
    CANCELLATION_INCOMPLETE = "cancellation_incomplete"
    PAYMENT_MISSING = "payment_missing"
    RESTOCK_MISSING = "restock_missing"
    CANCELLED_UNITS_STILL_TO_SHIP = "cancelled_units_still_to_ship"
    PAYOUT_MISSING = "payout_missing"
    PAYOUT_RETURN_MISSING = "payout_return_missing"


WHAT_TO_DO: dict[FindingKind, str] = {
    FindingKind.SALE_MISSING: "The ERP has no sale for this posted order (deleted by hand?): `trueup replay --order "
    "NAME` posts it again.",
    FindingKind.SALE_NOT_PROCESSING: "The sale was confirmed but never processed (no shipment, no invoice): trueup "
    "processes it (Tryton's `process`); run verify again if it is still reported.",
    FindingKind.SHIPMENT_MISSING: "Goods sold and not delivered have no live shipment: in Tryton, open the sale and "
    "run 'Handle shipment exception' (recreate the moves), or cancel the order in Shopify if they will not ship.",
    FindingKind.AMOUNT_DIFFERS: "The ERP's total differs from Shopify's: compare the two, correct the ERP document "
    "(or the order), then run verify again.",
    FindingKind.CREDIT_NOTE_MISSING: "A Shopify refund has no posted credit note in the ERP (missing or cancelled): "
    "`trueup replay --order NAME` makes it again.",
    FindingKind.CANCELLATION_INCOMPLETE: "The order is cancelled in Shopify but the ERP sale is not (or still has "
    "goods to ship): `trueup replay --order NAME` finishes the cancellation.",
    FindingKind.PAYMENT_MISSING: "Shopify took (or gave back) this money but the ERP holds no posted payment for it, "
    "so the invoice (or credit note) is not settled by it: `trueup replay --order NAME` books it (looked up "
    "first, never booked twice); if it was deleted on purpose, book it by hand.",
    FindingKind.RESTOCK_MISSING: "Shopify restocked units of this refund that the ERP has not received back (its "
    "customer return shipment is missing, cancelled or not done): finish the return shipment with the refund's "
    "reference in the ERP, or receive the units on one by hand.",
    FindingKind.CANCELLED_UNITS_STILL_TO_SHIP: "A refund took units off what was still to ship (restock "
    "'cancel'), but the ERP's shipment still carries them: the warehouse would send goods that were refunded. Take "
    "them off the shipment still to pick in the ERP (or stop the parcel if it is picked), then run verify again.",
    FindingKind.PAYOUT_MISSING: "Shopify paid out (or tried to pay out) this payout but the ERP holds no posted entry "
    "for it: if trueup recorded a cause (`trueup payouts`), fix that and it books by itself; if the entry was "
    "deleted or left draft in the ERP, delete the draft and let the next payouts poll book it again (looked up "
    "first by its reference, never booked twice).",
    FindingKind.PAYOUT_RETURN_MISSING: "The payout was booked as paid, then failed or was cancelled, and the ERP "
    "holds no posted entry taking its net back off the bank account: post the draft, or book the reversal with "
    "the finding's reference by hand.",
}


@dataclass(frozen=True)
class Finding:
    """One difference between what Shopify's order requires of the ERP and what the ERP holds."""

    kind: FindingKind
    shop: str
    order: str  # the Shopify order's name
    document: str  # the ERP document concerned (sale number, refund reference), or the order's reference
    detail: str
    fixed: bool = False  # trueup applied the mechanical fix

    @property
    def what_to_do(self) -> str:
        return WHAT_TO_DO[self.kind]


@dataclass(frozen=True)
class OpenFinding:
    """A finding the latest check of its order (or payout) still made, and since when: kept by trueup until a
    check finds it put right. Its fields name documents, SKUs and amounts, never the customer."""

    finding: Finding
    found_at: datetime  # when a check first found it (kept while later checks find it again)


def credits_something(refund: Refund) -> bool:
    """A refund that gives money or goods back, and so must have a credit note."""
    money = refund.total_refunded is not None and not refund.total_refunded.is_zero()
    return money or any(line.quantity for line in refund.lines) or bool(refund.shipping)


def covered_by_cancellation(order: ShopifyOrder, sale: SaleProgress | None) -> bool:
    """Whether the order's refunds need no credit note: cancelled in Shopify, its ERP sale cancelled with nothing
    invoiced (the refunds flow's rule: nothing was charged in the ERP, so nothing is credited)."""
    return order.cancelled_at is not None and sale is not None and sale.is_cancelled and not sale.invoice_numbers


def expected_notes(order: ShopifyOrder, sale: SaleProgress | None = None) -> list[str]:
    """The references of the credit notes the ERP must hold for the order's refunds (`sale`: the ERP's sale as
    read, whose cancellation may cover them)."""
    if covered_by_cancellation(order, sale):
        return []
    return [refund_reference(order.shop, r) for r in order.refunds if credits_something(r)]


def check_order(
    order: ShopifyOrder, sale: SaleProgress | None, notes: Mapping[str, PostedCreditNote | None]
) -> list[Finding]:
    """The findings for one order posted to the ERP: `sale` is the ERP's sale as read (None: none found),
    `notes` the ERP's posted credit note for each expected reference (None: none)."""
    found: list[Finding] = []

    def finding(kind: FindingKind, document: str, detail: str) -> None:
        found.append(Finding(kind, order.shop, order.name, document, detail))

    if sale is None:
        finding(FindingKind.SALE_MISSING, order.name, "no ERP sale holds this order's reference")
        return found
    if sale.state in UNPROCESSED_SALE_STATES:
        finding(FindingKind.SALE_NOT_PROCESSING, sale.number, f"sale {sale.number} is {sale.state}")
    for reference in expected_notes(order, sale):
        if notes.get(reference) is None:
            finding(FindingKind.CREDIT_NOTE_MISSING, reference, f"no posted credit note {reference}")
    to_ship = sum((max(line.quantity - line.shipped, Decimal(0)) for line in sale.lines), Decimal(0))
    live = [s for s in sale.shipments if s.stage in LIVE_STAGES]
    if order.cancelled_at is not None:
        if not sale.is_cancelled or [s for s in live if s.stage != ShipmentStage.SHIPPED]:
            finding(FindingKind.CANCELLATION_INCOMPLETE, sale.number, f"sale {sale.number} is {sale.state}")
        return found
    found += cancelled_units_findings(order, sale, notes)
    if to_ship and not live and sale.state not in UNPROCESSED_SALE_STATES:
        finding(FindingKind.SHIPMENT_MISSING, sale.number, f"{to_ship} unit(s) to deliver and no live shipment")
    if sale.total.rounded() != order.total_price.rounded():
        finding(
            FindingKind.AMOUNT_DIFFERS,
            sale.number,
            f"the ERP's sale totals {sale.total}, Shopify's order {order.total_price}",
        )
    return found


def cancelled_units_findings(
    order: ShopifyOrder, sale: SaleProgress, notes: Mapping[str, PostedCreditNote | None]
) -> list[Finding]:
    """Units refunds took off what was still to ship (restock CANCEL, of refunds the ERP credited) must be off
    the ERP's shipments: per SKU sold on a sale line whose moves the ERP reads (`pending` not None), the units
    still on the way may be at most those sold less those delivered and those taken off. SKUs the ERP sells as a
    kit's components (not a sale line of their own) are not checked here."""
    cancelled: dict[str, Decimal] = {}
    for refund in order.refunds:
        if notes.get(refund_reference(order.shop, refund)) is None:
            continue  # not credited (its own finding), so nothing was taken off for it yet
        for line in refund.lines:
            if line.restock_type is RestockType.CANCEL and line.sku:
                cancelled[line.sku] = cancelled.get(line.sku, Decimal(0)) + line.quantity
    found = []
    for sku, units in sorted(cancelled.items()):
        lines = [line for line in sale.lines if line.sku == sku]
        if not lines or any(line.pending is None for line in lines):
            continue
        allowed = max(sum((line.quantity - line.shipped for line in lines), Decimal(0)) - units, Decimal(0))
        pending = sum((line.pending or Decimal(0) for line in lines), Decimal(0))
        if pending > allowed:
            detail = (
                f"{pending} x {sku} still to ship in the ERP, though refunds took {units} off: at most {allowed} "
                "should be"
            )
            found.append(
                Finding(FindingKind.CANCELLED_UNITS_STILL_TO_SHIP, order.shop, order.name, sale.number, detail)
            )
    return found


def payment_findings(order: ShopifyOrder, due: Sequence[Payment], booked: Collection[str]) -> list[Finding]:
    """A finding for each payment the order's transactions call for (`due`, domain/payments.payments_to_book)
    that the ERP does not hold posted (`booked`: the references it holds)."""
    return [
        Finding(
            FindingKind.PAYMENT_MISSING,
            order.shop,
            order.name,
            payment.reference,
            f"{payment.description}: {payment.amount} on {payment.date.isoformat()} is not booked in the ERP",
        )
        for payment in due
        if payment.reference not in booked
    ]


def returned_units_due(request: RestockRequest) -> dict[str, Decimal]:
    """The units a refund's RETURN restocks bring back into stock, per SKU (a bundle's as its components)."""
    due: dict[str, Decimal] = {}
    for restock in request.returns:
        due[restock.sku] = due.get(restock.sku, Decimal(0)) + restock.quantity
    return due


def restock_findings(order: ShopifyOrder, request: RestockRequest, received: Mapping[str, Decimal]) -> list[Finding]:
    """A finding when the units the ERP received back for the refund (`received`, per SKU) are not the units
    Shopify restocked as returned."""
    due = returned_units_due(request)
    differing = sorted(sku for sku in set(due) | set(received) if due.get(sku, 0) != received.get(sku, 0))
    if not differing:
        return []
    detail = "; ".join(
        f"{sku}: {due.get(sku, 0)} restocked in Shopify, {received.get(sku, 0)} received back in the ERP"
        for sku in differing
    )
    return [Finding(FindingKind.RESTOCK_MISSING, order.shop, order.name, request.reference, detail)]


# --- Period figures: Shopify against the ERP, per day and per month, to the cent ------------------------------


def period_keys(moment: object) -> tuple[str, str]:
    """The day ("2026-12-07") and the month ("2026-12") a document falls in."""
    day = str(moment)[:10]
    return day, day[:7]


def add_period_figures(
    periods: dict[str, dict[str, Decimal]],
    order: ShopifyOrder,
    erp_total: Decimal | None,
    erp_credited: Decimal,
    tax_variances: Sequence[TaxVarianceRecord] = (),
    *,
    erp_taxes: Mapping[str, Money] | None = None,
) -> None:
    """Add one order to its day's and month's figures: Shopify's sales, tax by rate, shipping, discounts and
    refunds against the ERP's sales (its sale's total), tax per ERP tax (`erp_taxes`: what its invoices carry)
    and credit notes; and, per ERP tax, what Shopify charged beyond what the ERP's rate gives on the order's tax
    variances (posted as Shopify charged it)."""
    figures: dict[str, Decimal] = {
        "shopify_sales": order.total_price.amount,
        "erp_sales": erp_total if erp_total is not None else Decimal(0),
        "shopify_shipping": sum((s.net.amount for s in order.shipping), Decimal(0)),
        "shopify_discounts": sum((line.discount.amount for line in order.lines), Decimal(0))
        + sum((s.discount.amount for s in order.shipping), Decimal(0)),
        "shopify_refunds": sum(
            (r.total_refunded.amount for r in order.refunds if r.total_refunded is not None), Decimal(0)
        ),
        "erp_credit_notes": erp_credited,
    }
    for tax in [t for line in order.lines for t in line.taxes] + [t for s in order.shipping for t in s.taxes]:
        key = f"shopify_tax {tax_key(tax)}"
        figures[key] = figures.get(key, Decimal(0)) + tax.amount.amount
    for erp_tax, carried in (erp_taxes or {}).items():
        key = f"erp_tax {erp_tax}"
        figures[key] = figures.get(key, Decimal(0)) + carried.amount
    for variance in tax_variances:
        key = f"tax_variance {variance.tax}"
        figures[key] = figures.get(key, Decimal(0)) + variance.difference.amount
    for period in period_keys(order.created_at):
        into = periods.setdefault(period, {})
        for name, amount in figures.items():
            into[name] = into.get(name, Decimal(0)) + amount


def expected_payout_entries(record: PayoutRecord) -> list[str]:
    """The references of the entries the ERP must hold for a payout trueup recorded: its own entry (a payout
    not booked yet too: the ERP lacks it), and the reversal of its bank line once booked as paid and returned."""
    references = [payout_reference(record.shop, record.payout_id)]
    if record.state is PayoutState.RETURNED or record.returned_entry_id is not None:
        references.append(returned_reference(record.shop, record.payout_id))
    return references


def payout_name(payout_id: str) -> str:
    """What a payout's findings name in place of an order."""
    return f"payout {payout_id}"


def payout_findings(record: PayoutRecord, entries: Mapping[str, BookedEntry | None]) -> list[Finding]:
    """The findings for one payout: `entries` the ERP's entry for each of `expected_payout_entries` (None: none)."""
    found: list[Finding] = []
    name = payout_name(record.payout_id)
    for reference in expected_payout_entries(record):
        entry = entries.get(reference)
        if entry is not None and entry.posted:
            continue
        returned = reference != payout_reference(record.shop, record.payout_id)
        kind = FindingKind.PAYOUT_RETURN_MISSING if returned else FindingKind.PAYOUT_MISSING
        if entry is not None:
            detail = f"entry {reference} is in the ERP but not posted"
        elif record.state is PayoutState.EXCEPTION and not returned:
            detail = f"{record.status.value} payout of {record.net} not booked: {record.cause or 'unexplained'}"
        else:
            detail = f"{record.status.value} payout of {record.net}: no entry {reference} in the ERP"
        found.append(Finding(kind, record.shop, name, reference, detail))
    return found
