"""The demo report's after-sale part: what the edits, cancellations and refunds did in the ERP, and whether every
order is accounted for, per order, to the cent: the ERP sale (the order as sold; 0 once cancelled) less its
credit notes is Shopify's current total (after refunds).

Read from both systems themselves (Tryton's sales, amendments and credit notes; Shopify's orders), with trueup's
refund records only to say which order each credit note's refund belongs to.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from trueup.adapters.shopify.admin import OrderSummary
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.domain.orders import FinancialStatus, worth_after_cancellation
from trueup.domain.refunds import RefundRecord, RefundState

EDITED = "Shopify order edited"  # the description of an amendment applying a Shopify edit or address change


def post_purchase_side(
    client: TrytonClient, orders: Iterable[OrderSummary], refunds: list[RefundRecord], sales: list[dict[str, Any]]
) -> dict[str, Any]:
    """Edits applied, sales cancelled, credit notes posted, refunds covered by a cancellation, and the orders whose
    ERP sale less its credit notes is not Shopify's current total (with both figures)."""
    notes = client.call(
        "account.invoice",
        "search_read",
        [("reference", "like", "shopify:%:refund:%"), ("type", "=", "out")],
        0,
        None,
        None,
        ["reference", "state", "total_amount"],
    )
    amendments = client.call(
        "sale.amendment",
        "search_read",
        [("sale.reference", "like", "shopify:%"), ("state", "=", "validated"), ("description", "=", EDITED)],
        0,
        None,
        None,
        ["sale"],
    )
    order_of = {r.refund_id.rsplit("/", 1)[-1]: r.order_id for r in refunds}
    credited: dict[str, Decimal] = {}
    for note in notes:
        order_id = order_of.get(note["reference"].rsplit(":", 1)[-1], note["reference"])
        credited[order_id] = credited.get(order_id, Decimal(0)) - Decimal(str(note["total_amount"]))
    accounted = _accounted(list(orders), sales, credited)
    posted = [n for n in notes if n["state"] in ("posted", "paid")]
    return {
        "edits_applied": len(amendments),
        "sales_amended": len({a["sale"] for a in amendments}),
        "credit_notes": len(notes),
        "credit_notes_posted": len(posted),
        "credited_total": str(-sum((Decimal(str(n["total_amount"])) for n in posted), Decimal(0))),
        "refunds_covered_by_cancellation": sum(1 for r in refunds if r.state == RefundState.COVERED_BY_CANCELLATION),
        **accounted,
    }


def _accounted(orders: list[OrderSummary], sales: list[dict[str, Any]], credited: dict[str, Decimal]) -> dict[str, Any]:
    """Per order sold (or in the ERP, or cancelled): ERP sale − credit notes against Shopify's current total."""
    sale_of = {sale["reference"].rsplit(":", 1)[-1]: sale for sale in sales}
    mismatches, erp_sum, shopify_sum, count = [], Decimal(0), Decimal(0), 0
    for order in orders:
        sale = sale_of.get(order.order_id.rsplit("/", 1)[-1])
        if not (order.postable or order.cancelled or sale is not None):
            continue  # waiting for payment: not a sale yet
        erp = (Decimal(str(sale["total_amount"])) if sale else Decimal(0)) - credited.pop(order.order_id, Decimal(0))
        status = FinancialStatus(order.financial_status)
        shopify = worth_after_cancellation(status, order.total, cancelled=order.cancelled).amount
        count, erp_sum, shopify_sum = count + 1, erp_sum + erp, shopify_sum + shopify
        if erp != shopify:
            mismatches.append({"order": order.name, "erp": str(erp), "shopify": str(shopify)})
    # A note whose refund trueup does not know of, or whose order Shopify did not list: shown, never hidden.
    mismatches += [{"order": ref, "erp": str(-amount), "shopify": "none"} for ref, amount in credited.items()]
    return {
        "orders_accounted": count,
        "erp_less_credit_notes": str(erp_sum - sum(credited.values(), Decimal(0))),
        "shopify_current_total": str(shopify_sum),
        "per_order_mismatches": mismatches,
    }
