"""Shopify's GraphQL refunds of an order (as selected by `queries.ORDER_REFUNDS`) → trueup's Refunds.

Amounts are read in the shop currency; missing or invalid data raises StructuralError naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from trueup.adapters.shopify.order_mapping import shop_money
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money, total
from trueup.domain.refunds import Refund, RefundAdjustment, RefundLine, RefundShipping, RestockType
from trueup.domain.taxes import TaxLine

Json = Mapping[str, Any]


def _unsupported(path: str, problem: str = "is missing or invalid") -> StructuralError:
    return StructuralError(Cause.UNSUPPORTED_ORDER, f"Shopify refund field {path} {problem}")


def _nodes(node: Json, key: str, path: str) -> Sequence[Json]:
    connection = node.get(key)
    nodes = connection.get("nodes") if isinstance(connection, Mapping) else None
    if not isinstance(nodes, Sequence):
        raise _unsupported(f"{path}.{key}")
    return nodes


def _tax_lines(nodes: Any, currency: str, path: str) -> tuple[TaxLine, ...]:
    if not isinstance(nodes, Sequence):
        raise _unsupported(path)
    return tuple(
        TaxLine(
            str(node.get("title") or ""),
            # `rate` is a GraphQL Float; through str() so 0.2 stays Decimal("0.2").
            rate=Decimal(str(node.get("rate") or 0)),
            amount=shop_money(node.get("priceSet"), currency, f"{path}[{i}].priceSet"),
        )
        for i, node in enumerate(nodes)
    )


def _line(node: Json, currency: str, path: str) -> RefundLine:
    item = node.get("lineItem")
    if not isinstance(item, Mapping) or not item.get("id"):
        raise _unsupported(f"{path}.lineItem")
    quantity = node.get("quantity")
    if not isinstance(quantity, int) or quantity < 0:
        raise _unsupported(f"{path}.quantity")
    try:
        restock = RestockType(str(node.get("restockType")))
    except ValueError as exc:
        raise _unsupported(f"{path}.restockType") from exc
    location = node.get("location")
    return RefundLine(
        line_item_id=str(item["id"]),
        sku=str(item.get("sku") or "").strip(),
        title=str(item.get("title") or ""),
        quantity=quantity,
        restock_type=restock,
        location_id=str(location["id"]) if isinstance(location, Mapping) and location.get("id") else None,
        subtotal=shop_money(node.get("subtotalSet"), currency, f"{path}.subtotalSet"),
        tax=shop_money(node.get("totalTaxSet"), currency, f"{path}.totalTaxSet"),
        taxes=_tax_lines(item.get("taxLines") or [], currency, f"{path}.lineItem.taxLines"),
    )


def _shipping(node: Json, currency: str, path: str) -> RefundShipping:
    given = node.get("shippingLine")
    line: Json = given if isinstance(given, Mapping) else {}
    return RefundShipping(
        title=str(line.get("title") or "Shipping"),
        subtotal=shop_money(node.get("subtotalAmountSet"), currency, f"{path}.subtotalAmountSet"),
        tax=shop_money(node.get("taxAmountSet"), currency, f"{path}.taxAmountSet"),
        taxes=_tax_lines(line.get("taxLines") or [], currency, f"{path}.shippingLine.taxLines"),
    )


def _adjustment(node: Json, currency: str, path: str) -> RefundAdjustment:
    return RefundAdjustment(
        reason=str(node.get("reason") or "REFUND_DISCREPANCY"),
        amount=shop_money(node.get("amountSet"), currency, f"{path}.amountSet"),
        tax=shop_money(node.get("taxAmountSet"), currency, f"{path}.taxAmountSet"),
    )


def _credited_adjustments(
    adjustments: list[RefundAdjustment], parts: Money, returned: Money | None
) -> tuple[RefundAdjustment, ...]:
    """Adjustments signed so that a positive one credits the customer. Shopify's sign for a refund discrepancy
    is read from the refund itself: the adjustments are what the money returned differs by from the parts."""
    if not adjustments or returned is None:
        return tuple(adjustments)
    summed = total([a.amount + a.tax for a in adjustments], parts.currency)
    if (parts + summed).rounded() != returned.rounded() and (parts - summed).rounded() == returned.rounded():
        return tuple(RefundAdjustment(a.reason, -a.amount, -a.tax) for a in adjustments)
    return tuple(adjustments)


def map_refund(node: Json, order_id: str, currency: str, taxes_included: bool, path: str) -> Refund:
    """One Refund node → Refund."""
    items = node.get("refundLineItems")
    if isinstance(items, Mapping) and (items.get("pageInfo") or {}).get("hasNextPage"):
        raise _unsupported(f"{path}.refundLineItems", "has more than 50 lines: credit this refund by hand")
    lines = tuple(
        _line(n, currency, f"{path}.refundLineItems[{i}]") for i, n in enumerate(_nodes(node, "refundLineItems", path))
    )
    shipping = tuple(
        _shipping(n, currency, f"{path}.refundShippingLines[{i}]")
        for i, n in enumerate(_nodes(node, "refundShippingLines", path))
    )
    adjustments = [
        _adjustment(n, currency, f"{path}.orderAdjustments[{i}]")
        for i, n in enumerate(_nodes(node, "orderAdjustments", path))
    ]
    returned = (
        shop_money(node["totalRefundedSet"], currency, f"{path}.totalRefundedSet")
        if node.get("totalRefundedSet")
        else None
    )
    parts = [line.subtotal + (Money.zero(currency) if taxes_included else line.tax) for line in lines]
    parts += [s.subtotal + (Money.zero(currency) if taxes_included else s.tax) for s in shipping]
    created = node.get("createdAt")
    if not isinstance(created, str):
        raise _unsupported(f"{path}.createdAt")
    if not str(node.get("id") or "").rsplit("/", 1)[-1].isdigit():
        raise _unsupported(f"{path}.id")
    return Refund(
        refund_id=str(node.get("id") or ""),
        order_id=order_id,
        created_at=datetime.fromisoformat(created),
        currency=currency,
        lines=lines,
        shipping=shipping,
        adjustments=_credited_adjustments(adjustments, total(parts, currency), returned),
        total_refunded=returned,
        note=str(node["note"]) if node.get("note") else None,
        transaction_ids=tuple(
            str(n.get("id") or "").rsplit("/", 1)[-1] for n in ((node.get("transactions") or {}).get("nodes") or [])
        ),
    )


def map_refunds(order: Json) -> list[Refund]:
    """The order node's refunds → Refunds, oldest first."""
    currency = order.get("currencyCode")
    if not isinstance(currency, str) or len(currency) != 3:
        raise _unsupported("currencyCode")
    nodes = order.get("refunds")
    if not isinstance(nodes, Sequence):
        raise _unsupported("refunds")
    order_id = str(order.get("id") or "")
    taxes_included = bool(order.get("taxesIncluded"))
    refunds = [map_refund(node, order_id, currency, taxes_included, f"refunds[{i}]") for i, node in enumerate(nodes)]
    return sorted(refunds, key=lambda r: (r.created_at, r.numeric_id))
