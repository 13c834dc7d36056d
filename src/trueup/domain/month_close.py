"""The month view: Shopify's sales, tax, refunds, fees and payouts of a month against what the ERP books for
them, to the cent, every difference named by document.

Each side is a list of documents carrying figures. Shopify's: an order (its sales before tax and its tax), a
refund (the money it gave back), a payout (its fees, and its net when it reached the bank). The ERP's: an
invoice (revenue and tax read from its accounts), a credit note (what it credits), an entry (fee expense and
bank). Both are keyed by the reference trueup gives the ERP document (`shopify:<shop>:<order id>`,
`shopify:<shop>:refund:<id>`, `shopify:<shop>:payout:<id>`); an ERP entry trueup did not make has no key and
is a difference of its own. The period is Shopify's (docs/payouts.md, "The month view"): the ERP's figures
are those of the documents booked for the month's Shopify documents, whatever their accounting date, plus the
entries trueup did not make dated in the month.

By construction the differences listed add up to the difference of the totals, figure by figure and currency
by currency: nothing is netted away unseen.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from trueup.domain.money import Money

# The figures, in the order finance reads them: Shopify's name for each, and the ERP's.
FIGURES = ("sales", "tax", "refunds", "fees", "payouts")
ERP_NAMES = {
    "sales": "revenue",
    "tax": "tax",
    "refunds": "credit notes",
    "fees": "fee expense",
    "payouts": "bank",
}
RETURNED_SUFFIX = ":returned"  # a paid payout's return entry belongs to the payout


class DocumentKind(StrEnum):
    ORDER = "order"
    REFUND = "refund"
    PAYOUT = "payout"


class ErpKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    ENTRY = "entry"


@dataclass(frozen=True)
class ShopifyDocument:
    """One of Shopify's documents of the month and its figures (FIGURES; absent figures are zero)."""

    key: str  # the reference its ERP document carries
    kind: DocumentKind
    name: str  # order name ("#1001"), "refund 1 of #1001", or the payout's id
    date: dt.date  # Shopify's date of it in the shop's time zone
    figures: Mapping[str, Money]
    cancelled: bool = False  # an order cancelled in Shopify
    order_key: str | None = None  # a refund's order
    # Why the ERP is not to have invoiced the order yet (authorised and not captured, on terms and not paid): such
    # an order with no posted invoice is a timing item, listed apart, not a difference.
    awaiting: str | None = None
    shopify_id: str | None = None  # Shopify's id of the order or refund
    note: str | None = None  # where trueup has it, when that explains an ERP document missing ("the order is ...")


@dataclass(frozen=True)
class ErpDocument:
    """One ERP document as its accounts book it. `amounts` by role, in the document's currency: revenue and
    tax credited (positive on an invoice, negative on a credit note), fee expense and bank debited."""

    key: str | None  # the Shopify reference it carries; None for an entry trueup did not make
    kind: ErpKind
    number: str  # the ERP's number (invoice, credit note or move)
    date: dt.date  # its accounting date
    amounts: tuple[tuple[str, Money], ...]  # (role, amount): role is revenue, tax, fees or bank

    def figures(self) -> dict[str, Money]:
        """The document's figures under Shopify's names: a credit note's revenue and tax are what it credits."""
        out: dict[str, Money] = {}
        for role, amount in self.amounts:
            figure = _FIGURE_OF_ROLE[role]
            if self.kind is ErpKind.CREDIT_NOTE and figure in ("sales", "tax"):
                figure, amount = "refunds", -amount
            if figure in out and out[figure].currency != amount.currency:  # a document in two currencies
                figure = f"{figure}:{amount.currency}"
            out[figure] = out[figure] + amount if figure in out else amount
        return out


_FIGURE_OF_ROLE = {"revenue": "sales", "tax": "tax", "fees": "fees", "bank": "payouts"}


def erp_key(reference: str) -> str:
    """The Shopify document an ERP reference belongs to (a payout's return entry belongs to the payout)."""
    return reference.removesuffix(RETURNED_SUFFIX)


@dataclass(frozen=True)
class Difference:
    """A document whose two sides differ: the figures (Shopify's, the ERP's, their difference) that do."""

    key: str | None
    kind: str  # order, refund, payout, or "erp entry" for an entry trueup did not make
    name: str  # Shopify's name for it, or the ERP's number
    erp_documents: tuple[str, ...]  # the ERP's numbers booked for it
    figures: Mapping[str, tuple[Money, Money, Money]]  # figure -> (shopify, erp, erp − shopify)
    why: str


@dataclass(frozen=True)
class MonthView:
    """The month's totals per currency and figure on both sides, and every document that differs."""

    month: str  # YYYY-MM
    shopify: Mapping[str, Mapping[str, Money]]  # currency -> figure -> total
    erp: Mapping[str, Mapping[str, Money]]
    differences: tuple[Difference, ...]
    documents: int  # Shopify documents of the month
    cancelled_unbooked: tuple[str, ...] = field(default_factory=tuple)  # orders cancelled, nothing booked either side
    # Orders the ERP is not to have invoiced yet (name, Shopify's total, why): left out of both sides.
    not_invoiced_yet: tuple[tuple[str, Money, str], ...] = field(default_factory=tuple)

    def difference(self, currency: str, figure: str) -> Money:
        zero = Money.zero(currency)
        return self.erp.get(currency, {}).get(figure, zero) - self.shopify.get(currency, {}).get(figure, zero)

    def currencies(self) -> list[str]:
        return sorted({*self.shopify, *self.erp})

    @property
    def closes(self) -> bool:
        """Every figure equal to the cent on both sides, and no document differing."""
        return not self.differences and all(self.difference(c, f).is_zero() for c in self.currencies() for f in FIGURES)


def close_month(month: str, shopify: Sequence[ShopifyDocument], erp: Iterable[ErpDocument]) -> MonthView:
    """Compare the month's Shopify documents with the ERP documents booked for them (and the ERP entries trueup
    did not make). An order cancelled in Shopify for which the ERP books nothing (its invoice never posted) counts
    on neither side, its refunds with it: Shopify gave the money back, the ERP never claimed it."""
    booked: dict[str, list[ErpDocument]] = defaultdict(list)
    foreign: list[ErpDocument] = []
    for document in erp:
        if document.key is None:
            foreign.append(document)
        else:
            booked[erp_key(document.key)].append(document)
    orders = [d for d in shopify if d.kind is DocumentKind.ORDER and not booked.get(d.key)]
    unbooked = {d.key for d in orders if d.cancelled}
    waiting = [d for d in orders if d.awaiting and not d.cancelled]
    left_out = unbooked | {d.key for d in waiting}
    counted = [d for d in shopify if d.key not in left_out and d.order_key not in left_out]
    shopify_totals: dict[str, dict[str, Money]] = defaultdict(dict)
    erp_totals: dict[str, dict[str, Money]] = defaultdict(dict)
    differences: list[Difference] = []
    for mine in counted:
        theirs = _sum_figures(d.figures() for d in booked.get(mine.key, []))
        _add(shopify_totals, mine.figures)
        _add(erp_totals, theirs)
        differing = _compare(mine.figures, theirs)
        if differing:
            numbers = tuple(d.number for d in booked.get(mine.key, []))
            differences.append(
                Difference(mine.key, mine.kind.value, mine.name, numbers, differing, _why(mine, numbers))
            )
    for document in foreign:
        figures = document.figures()
        _add(erp_totals, figures)
        differing = _compare({}, _sum_figures([figures]))
        if differing:
            why = f"an ERP {document.kind.value.replace('_', ' ')} trueup did not make, dated {document.date}"
            differences.append(Difference(None, "erp entry", document.number, (document.number,), differing, why))
    return MonthView(
        month,
        {c: dict(f) for c, f in shopify_totals.items()},
        {c: dict(f) for c, f in erp_totals.items()},
        tuple(differences),
        len(shopify),
        tuple(sorted(d.name for d in shopify if d.key in unbooked)),
        tuple((d.name, _sum_total(d.figures), d.awaiting or "") for d in waiting),
    )


def _sum_total(figures: Mapping[str, Money]) -> Money:
    amounts = list(figures.values())
    out = amounts[0]
    for amount in amounts[1:]:
        out = out + amount
    return out


def _sum_figures(many: Iterable[Mapping[str, Money]]) -> dict[str, Money]:
    out: dict[str, Money] = {}
    for figures in many:
        for figure, amount in figures.items():
            key = f"{figure.split(':')[0]}:{amount.currency}"
            out[key] = out[key] + amount if key in out else amount
    return out


def _add(totals: dict[str, dict[str, Money]], figures: Mapping[str, Money]) -> None:
    for name, amount in figures.items():
        figure = name.split(":")[0]
        bucket = totals[amount.currency]
        bucket[figure] = bucket[figure] + amount if figure in bucket else amount


def _compare(shopify: Mapping[str, Money], erp: Mapping[str, Money]) -> dict[str, tuple[Money, Money, Money]]:
    """Figure by figure and currency by currency, those that differ (keyed "figure" or "figure:CUR" when a
    document's figure is in more than one currency)."""
    mine = _sum_figures([shopify])
    keys = sorted({*mine, *erp}, key=lambda k: (FIGURES.index(k.split(":")[0]), k))
    out: dict[str, tuple[Money, Money, Money]] = {}
    for key in keys:
        currency = key.split(":")[1]
        left = mine.get(key, Money.zero(currency))
        right = erp.get(key, Money.zero(currency))
        if left != right:
            out[key] = (left, right, right - left)
    figures = [key.split(":")[0] for key in out]
    return {(key.split(":")[0] if figures.count(key.split(":")[0]) == 1 else key): v for key, v in out.items()}


def _why(document: ShopifyDocument, numbers: Sequence[str]) -> str:
    if not numbers:
        what = {
            DocumentKind.ORDER: "no posted invoice in the ERP",
            DocumentKind.REFUND: "no posted credit note in the ERP",
            DocumentKind.PAYOUT: "no posted entry in the ERP",
        }
        return what[document.kind] + (f" ({document.note})" if document.note else "")
    return f"the ERP's {', '.join(numbers)} differ from Shopify"


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """The first and last day of `month` (YYYY-MM); ValueError when it is not one."""
    try:
        first = dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise ValueError(f"{month!r} is not a month (YYYY-MM)") from None
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, following - dt.timedelta(days=1)
