"""The month view (`trueup month`): Shopify's documents of a month, read from Shopify and from the payouts trueup
recorded, against what the ERP's accounts book for them (domain/month_close.py, docs/payouts.md).

The period is Shopify's, in each shop's time zone: an order belongs to the month it was created in, a refund to
the month it was made in, a payout to the month it was issued in. The ERP's figures are those of the documents
trueup booked for them, whatever their accounting date (an invoice is dated the day its payment was booked),
and the ERP's entries trueup did not make dated in the month.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from trueup.domain.ledger import OrderState
from trueup.domain.money import Money
from trueup.domain.month_close import DocumentKind, MonthView, ShopifyDocument, close_month, month_bounds
from trueup.domain.orders import FinancialStatus, ShopifyOrder
from trueup.domain.payouts import BOOKABLE, PayoutRecord, PayoutStatus, payout_reference
from trueup.domain.posting import order_reference
from trueup.domain.refunds import RefundState, refund_reference
from trueup.service_layer.ports import Accounting, ShopifyAdmin, Store


@dataclass(frozen=True)
class ShopMonth:
    """One shop's sources for the month view."""

    shop: str
    shopify: ShopifyAdmin
    timezone: ZoneInfo


def month_view(
    month: str,
    shops: Sequence[ShopMonth],
    store: Store,
    accounting: Accounting,
    fee_account: str,
    bank_accounts: Sequence[str],
) -> MonthView:
    """The month's Shopify documents of every shop in `shops` against the ERP's books. ValueError for a month
    that is not YYYY-MM."""
    first, last = month_bounds(month)
    documents: list[ShopifyDocument] = []
    for shop in shops:
        documents += shopify_documents(shop, store, first, last)
    books = accounting.month_books([d.key for d in documents], first, last, fee_account, bank_accounts)
    return close_month(month, documents, books)


def shopify_documents(shop: ShopMonth, store: Store, first: date, last: date) -> list[ShopifyDocument]:
    """The shop's orders and refunds made in [first, last] (its time zone), read from Shopify, and the payouts
    issued then, as trueup recorded them from Shopify."""
    start = datetime.combine(first, time(), shop.timezone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), shop.timezone).astimezone(UTC)
    documents: list[ShopifyDocument] = []
    for order in shop.shopify.orders_updated_since(start):
        documents += (_noted(store, shop.shop, d) for d in _order_documents(order, shop.timezone, first, last))
    for record in store.payout_records(shop.shop, issued_from=start, issued_before=end):
        if record.status in BOOKABLE:
            documents.append(_payout_document(record, shop.timezone))
    return documents


def _order_documents(order: ShopifyOrder, tz: ZoneInfo, first: date, last: date) -> Iterator[ShopifyDocument]:
    cancelled = order.cancelled_at is not None
    day = order.created_at.astimezone(tz).date()
    if first <= day <= last and (order.is_postable or cancelled):
        untaxed = order.total_price - order.total_tax
        figures = {"sales": untaxed, "tax": order.total_tax}
        yield ShopifyDocument(
            order_reference(order),
            DocumentKind.ORDER,
            order.name,
            day,
            figures,
            cancelled,
            awaiting=_awaiting(order),
            shopify_id=order.order_id,
        )
    for ordinal, refund in enumerate(order.refunds, 1):
        made = refund.created_at.astimezone(tz).date()
        if first <= made <= last:
            money = refund.total_refunded or Money.zero(order.currency)
            yield ShopifyDocument(
                refund_reference(order.shop, refund),
                DocumentKind.REFUND,
                f"refund {ordinal} of {order.name}",
                made,
                {"refunds": money},
                order_key=order_reference(order),
                shopify_id=refund.refund_id,
            )


def _payout_document(record: PayoutRecord, tz: ZoneInfo) -> ShopifyDocument:
    """A payout's fees, and its net when it reached the bank (a failed or cancelled one's did not)."""
    fees = record.totals.get("fees", Money.zero(record.net.currency))
    paid = record.net if record.status is PayoutStatus.PAID else Money.zero(record.net.currency)
    return ShopifyDocument(
        payout_reference(record.shop, record.payout_id),
        DocumentKind.PAYOUT,
        f"payout {record.payout_id}",
        record.issued_at.astimezone(tz).date(),
        {"fees": fees, "payouts": paid},
    )


def _awaiting(order: ShopifyOrder) -> str | None:
    """Why the ERP is not to have invoiced `order` yet: trueup posts the invoice with the first payment."""
    if order.financial_status is FinancialStatus.AUTHORIZED:
        return "authorised, not captured yet: invoiced at capture"
    if order.financial_status is FinancialStatus.PENDING and order.payment_terms is not None:
        return "on payment terms, not paid yet: invoiced when Shopify records the payment"
    return None


def _noted(store: Store, shop: str, document: ShopifyDocument) -> ShopifyDocument:
    """`document` with where trueup has it when that is not in the ERP (parked, waiting), for the difference's
    reason."""
    if document.kind is DocumentKind.ORDER:
        entry = store.ledger_entry(shop, document.shopify_id or "")
        if entry is not None and entry.state not in (OrderState.POSTED, OrderState.CANCELLED):
            cause = f": {entry.cause.value}" if entry.cause else ""
            return replace(document, note=f"the order is {entry.state.value}{cause}")
    elif document.kind is DocumentKind.REFUND and document.shopify_id:
        record = store.refund_record(shop, document.shopify_id)
        if record is not None and record.state is not RefundState.CREDITED:
            cause = f": {record.cause.value}" if record.cause else ""
            return replace(document, note=f"the refund is {record.state.value}{cause}")
    return document
