"""What happens to an order after it is placed: an address change, an edit, a cancellation, a partial refund.

Each follow-up is a list of operations that refer to the order by its position in the plan.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shopify_sandbox.spec import ShopSpec
from shopify_sandbox.trading import operations, refs
from shopify_sandbox.trading.order_money import Money, OrderLine, cents, total
from shopify_sandbox.trading.orders import PlannedOrder


@dataclass(frozen=True)
class Operation:
    """One GraphQL request: a document and its variables (which may hold `refs` placeholders)."""

    query: str
    variables: dict[str, Any]


@dataclass(frozen=True)
class PlannedRefund:
    """A partial refund of `quantity` units of one line (and maybe the shipping), with restock."""

    sku: str
    quantity: int
    amount: Money  # what goes back to the customer: the units' discounted price and tax (+ shipping)
    refund_shipping: bool


def address_change(order: PlannedOrder, rng: random.Random) -> tuple[Operation, ...]:
    """orderUpdate with a corrected shipping address (same city, another street number)."""
    buyer = order.buyer
    street = (buyer.customer.address1 if buyer.customer else "1 Main St").split(" ", 1)[-1]
    address: dict[str, Any] = {
        "address1": f"{rng.randint(1000, 1999)} {street}",
        "address2": "Apt 2",
        "city": order.place.city,
        "provinceCode": order.place.province_code,
        "countryCode": "US",
        "zip": order.place.zip,
    }
    if buyer.customer is not None:
        address |= {"firstName": buyer.customer.first_name, "lastName": buyer.customer.last_name}
    variables = {"input": {"id": refs.order(order.position), "shippingAddress": address}}
    return (Operation(operations.ORDER_UPDATE, variables),)


def cancellation(order: PlannedOrder, rng: random.Random) -> tuple[Operation, ...]:
    """orderCancel with restock; a paid order is refunded to its original payment method."""
    variables: dict[str, Any] = {
        "orderId": refs.order(order.position),
        "reason": rng.choice(("CUSTOMER", "CUSTOMER", "INVENTORY", "FRAUD", "DECLINED", "OTHER")),
        "restock": True,
        "notifyCustomer": False,
        "staffNote": "cancelled by the trading plan",
    }
    if order.financial_status == "PAID":
        variables["refundMethod"] = {"originalPaymentMethodsRefund": True}
    return (Operation(operations.ORDER_CANCEL, variables),)


def refundable_lines(order: PlannedOrder) -> list[OrderLine]:
    """Lines a plan can name by SKU: not bundles (those become several component lines)."""
    return [line for line in order.lines if not line.is_bundle]


def partial_refund(order: PlannedOrder, rng: random.Random, key: str, location: str) -> tuple[Operation, PlannedRefund]:
    """refundCreate for some units of one line, restocked (RETURN) at `location`, sometimes with the
    shipping; the transaction refunds exactly what those units cost (presentment currency)."""
    line = rng.choice(refundable_lines(order))
    quantity = rng.randint(1, line.quantity)
    amount = _units_cost(line, quantity)
    shipping = order.shipping
    refund_shipping = shipping is not None and shipping.price.shop > 0 and rng.random() < 0.3
    if refund_shipping and shipping is not None:
        amount = amount + shipping.price - shipping.discount + total(t.amount for t in shipping.taxes)
    refund_input: dict[str, Any] = {
        "orderId": refs.order(order.position),
        "currency": order.presentment_currency,
        "note": "partial refund from the trading plan",
        "notify": False,
        "refundLineItems": [
            {
                "lineItemId": refs.order_line(order.position, line.sku),
                "quantity": quantity,
                "restockType": "RETURN" if line.requires_shipping else "NO_RESTOCK",
                "locationId": refs.location(location),
            }
        ],
        "transactions": [
            {
                "orderId": refs.order(order.position),
                "parentId": refs.order_sale(order.position),
                "amount": str(amount.presentment),
                "gateway": "shopify_payments",
                "kind": "REFUND",
            }
        ],
    }
    if refund_shipping:
        refund_input["shipping"] = {"fullRefund": True}
    operation = Operation(operations.REFUND_CREATE, {"input": refund_input, "idempotencyKey": key})
    return operation, PlannedRefund(line.sku, quantity, amount, refund_shipping)


def _units_cost(line: OrderLine, quantity: int) -> Money:
    share = Decimal(quantity) / Decimal(line.quantity)

    def part(amount: Money) -> Money:
        return Money(cents(amount.shop * share), cents(amount.presentment * share))

    return part(line.subtotal - line.discount) + total(part(t.amount) for t in line.taxes)


def edit(order: PlannedOrder, rng: random.Random, shop: ShopSpec) -> tuple[Operation, ...]:
    """orderEditBegin, then take a unit off a line or add a variant (sometimes with a line discount),
    then orderEditCommit."""
    begin = Operation(operations.ORDER_EDIT_BEGIN, {"id": refs.order(order.position)})
    reducible = [line for line in refundable_lines(order) if line.quantity >= 2]
    if reducible and rng.random() < 0.5:
        changes: tuple[Operation, ...] = (_take_one_off(rng.choice(reducible)),)
    else:
        changes = _add_variant(_addable_sku(order, rng, shop), with_discount=rng.random() < 0.4)
    commit_variables = {
        "id": refs.calculated_order(),
        "notifyCustomer": False,
        "staffNote": "edited by the trading plan",
    }
    return (begin, *changes, Operation(operations.ORDER_EDIT_COMMIT, commit_variables))


def _take_one_off(line: OrderLine) -> Operation:
    variables = {
        "id": refs.calculated_order(),
        "lineItemId": refs.calculated_line(line.sku),
        "quantity": line.quantity - 1,
        "restock": True,
    }
    return Operation(operations.ORDER_EDIT_SET_QUANTITY, variables)


def _add_variant(sku: str, with_discount: bool) -> tuple[Operation, ...]:
    calculated = refs.calculated_order()
    add = Operation(
        operations.ORDER_EDIT_ADD_VARIANT, {"id": calculated, "variantId": refs.variant(sku), "quantity": 1}
    )
    if not with_discount:
        return (add,)
    discount = {"percentValue": 10.0, "description": "Goodwill 10% off"}
    variables = {"id": calculated, "lineItemId": refs.calculated_line(sku), "discount": discount}
    return add, Operation(operations.ORDER_EDIT_ADD_LINE_ITEM_DISCOUNT, variables)


def _addable_sku(order: PlannedOrder, rng: random.Random, shop: ShopSpec) -> str:
    in_order = {line.sku for line in order.lines}
    candidates = [
        v.sku
        for p in shop.products
        if not p.bundle_components
        for v in p.variants
        if v.tracked and v.sku not in in_order
    ]
    return rng.choice(candidates)
