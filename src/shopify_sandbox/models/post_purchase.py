"""What happens to an order after it is placed: fulfilments with their lines, holds, refunds, cancel jobs.

These extend H1's order models (same GraphQL type names) with the parts the post-purchase mutations fill.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from shopify_sandbox.models.base import Node
from shopify_sandbox.models.catalog import Location
from shopify_sandbox.models.orders import (
    Fulfillment,
    FulfillmentOrder,
    LineItem,
    Order,
    OrderTransaction,
    Refund,
    ShippingLine,
)
from shopify_sandbox.money import MoneyBag

HOLD_REASON_TEXT = {
    "AWAITING_PAYMENT": "Awaiting payment",
    "AWAITING_RETURN_ITEMS": "Awaiting return items",
    "HIGH_RISK_OF_FRAUD": "High risk of fraud",
    "INCORRECT_ADDRESS": "Incorrect address",
    "INVENTORY_OUT_OF_STOCK": "Inventory out of stock",
    "ONLINE_STORE_POST_PURCHASE_CROSS_SELL": "Online store post purchase cross sell",
    "OTHER": "Other",
    "UNKNOWN_DELIVERY_DATE": "Unknown delivery date",
}


@dataclass(eq=False, repr=False)
class FulfillmentHold(Node):
    typename: ClassVar[str] = "FulfillmentHold"
    reason: str = "OTHER"
    reason_notes: str | None = None
    handle: str | None = ""
    external_id: str | None = None
    held_by_requesting_app: bool = True
    held_by_app: Any = None

    @property
    def display_reason(self) -> str:
        return HOLD_REASON_TEXT.get(self.reason, self.reason.replace("_", " ").capitalize())


@dataclass(eq=False, repr=False)
class FulfillmentLineItem(Node):
    typename: ClassVar[str] = "FulfillmentLineItem"
    line_item: LineItem | None = None
    quantity: int = 0


@dataclass(eq=False, repr=False)
class SandboxFulfillment(Fulfillment):
    """A Fulfillment with the fulfilment orders and quantities it shipped."""

    fulfillment_orders: list[FulfillmentOrder] = field(default_factory=list)
    fulfillment_line_items: list[FulfillmentLineItem] = field(default_factory=list)
    notify_customer: bool = False
    display_status: str | None = "FULFILLED"
    delivered_at: datetime | None = None
    estimated_delivery_at: datetime | None = None
    in_transit_at: datetime | None = None
    origin_address: Any = None
    service: Any = None


@dataclass(eq=False, repr=False)
class RefundLineItem(Node):
    typename: ClassVar[str] = "RefundLineItem"
    line_item: LineItem | None = None
    quantity: int = 0
    restock_type: str = "NO_RESTOCK"
    restocked: bool = False
    location: Location | None = None
    price_set: MoneyBag | None = None  # the line's discounted unit price
    subtotal_set: MoneyBag | None = None  # refunded before tax
    total_tax_set: MoneyBag | None = None


@dataclass(eq=False, repr=False)
class RefundShippingLine(Node):
    typename: ClassVar[str] = "RefundShippingLine"
    shipping_line: ShippingLine | None = None
    subtotal_amount_set: MoneyBag | None = None
    tax_amount_set: MoneyBag | None = None


@dataclass(eq=False, repr=False)
class OrderAdjustment(Node):
    """The difference between what the refund's items were worth and the money actually returned."""

    typename: ClassVar[str] = "OrderAdjustment"
    amount_set: MoneyBag | None = None
    tax_amount_set: MoneyBag | None = None
    reason: str = "REFUND_DISCREPANCY"


@dataclass(eq=False, repr=False)
class SandboxRefund(Refund):
    """A Refund with its refunded lines, shipping and the discrepancy adjustment, if any."""

    processed_at: datetime | None = None
    refund_line_items: list[RefundLineItem] = field(default_factory=list)
    refund_shipping_lines: list[RefundShippingLine] = field(default_factory=list)
    order_adjustments: list[OrderAdjustment] = field(default_factory=list)
    notify: bool = False
    duties: list[Any] = field(default_factory=list)
    staff_member: Any = None
    transactions: list[OrderTransaction] = field(default_factory=list)

    @property
    def total_refunded(self) -> Any:
        return self.total_refunded_set.shop_money if self.total_refunded_set else None


@dataclass(eq=False, repr=False)
class OrderCancelJob(Node):
    """The job orderCancel returns; it applies the cancellation when the sandbox runs its due jobs."""

    typename: ClassVar[str] = "OrderCancelJobResult"
    order: Order | None = None
    status: str = "STARTED"  # OrderCancelStatus
    errors: list[dict[str, Any]] = field(default_factory=list)

    job_id: str = ""  # gid://shopify/Job/<uuid>, as Shopify names asynchronous jobs

    @property
    def id(self) -> str:
        return self.job_id

    @property
    def done(self) -> bool:
        return self.status != "STARTED"
