"""An order's Shopify transactions as payments in the ERP's books (docs/payouts.md, "Payments").

Run by the order's sync once the sale is in the ERP and its refunds are credited: each successful capture or
sale settles the sale's invoice, each successful refund whose credit note exists settles the note, through
the clearing account of its gateway and currency (gift cards: the liability account). Each payment is looked
up by its reference before it is booked, so a sync run again, or one that timed out after the ERP committed,
books nothing twice. A failed or voided capture of an order the ERP holds, with nothing captured since, parks
the order (`payment_not_captured`): the goods may ship unpaid.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import structlog

from trueup.domain.orders import ShopifyOrder
from trueup.domain.payments import BookedPayment, PaymentAccounts, payments_to_book, unpaid_capture, unpaid_error
from trueup.domain.refunds import RefundState, refund_reference
from trueup.service_layer.ports import Accounting, RefundRecords

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class OrderPayments:
    """What booking an order's payments needs ([payments] enabled)."""

    accounting: Accounting
    accounts: PaymentAccounts
    journal: str


def book_order_payments(
    payments: OrderPayments, refunds: RefundRecords, order: ShopifyOrder, sale_id: str
) -> list[BookedPayment]:
    """Book the payments of `order`'s transactions the ERP does not hold yet (sale `sale_id`); the ones booked
    now. Raises StructuralError (the order is parked) for an unmapped gateway or a capture that failed."""
    notes: dict[str, str] = {}
    for refund in order.refunds:
        record = refunds.refund_record(order.shop, refund.refund_id) if refund.transaction_ids else None
        if record is not None and record.state == RefundState.CREDITED:
            notes.update(dict.fromkeys(refund.transaction_ids, refund_reference(order.shop, refund)))
    transactions = [replace(tx, refund_reference=notes.get(tx.transaction_id)) for tx in order.transactions]
    booked = []
    due = payments_to_book(order.shop, order.name, sale_id, transactions, payments.accounts)
    held = payments.accounting.booked_payments(p.reference for p in due) if due else set()
    for payment in due:
        if payment.reference in held or payments.accounting.find_payment(payment.reference) is not None:
            continue
        done = payments.accounting.book_payment(payment, payments.journal)
        log.info(
            "payment_booked",
            shop=order.shop,
            order=order.name,
            direction=str(payment.direction),
            amount=str(payment.amount),
            document_state=done.document_state,
        )
        booked.append(done)
    failed = unpaid_capture(order.transactions)
    if failed is not None:
        raise unpaid_error(order.name, failed)
    return booked
