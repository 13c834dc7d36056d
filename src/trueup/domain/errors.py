"""Errors, classed by what the engine should do about them.

- `TransientError`: try again later (timeouts, 5xx, throttling). May carry the wait the remote asked for.
- `StructuralError`: park the order with a business cause; it replays once the cause is fixed.
- `BadInput`: refuse what was sent to us (a webhook without a valid signature, a config file in error).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class TrueupError(Exception):
    """The root of every error trueup raises on purpose."""


class TransientError(TrueupError):
    """The other side failed in a way that may pass: retry with backoff."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BadInput(TrueupError):
    """Input from outside is invalid; the message says what is wrong (never the secret or customer data)."""


class Cause(StrEnum):
    """The business causes an order can be parked for. Each has what to do about it."""

    SKU_NOT_IN_ITEM_MASTER = "sku_not_in_item_master"
    UNMAPPED_LOCATION = "unmapped_location"
    UNMAPPED_TAX = "unmapped_tax"
    UNMAPPED_PAYMENT_TERM = "unmapped_payment_term"
    TOTALS_MISMATCH = "totals_mismatch"
    TAX_MISMATCH = "tax_mismatch"
    INVALID_CUSTOMER_DATA = "invalid_customer_data"
    UNSUPPORTED_ORDER = "unsupported_order"
    BACK_OFFICE_REJECTED = "back_office_rejected"
    PROCESSING_FAILED = "processing_failed"
    FULFILMENT_ORDER_NOT_FOUND = "fulfilment_order_not_found"
    CHANGED_AFTER_CUT_OFF = "changed_after_cut_off"
    CANCELLED_IN_ERP_ONLY = "cancelled_in_erp_only"
    ALREADY_DESPATCHED = "already_despatched"
    SKU_NOT_IN_SHOPIFY = "sku_not_in_shopify"
    PAYOUT_UNEXPLAINED = "payout_unexplained"
    PAYOUT_WAITING_FOR_ORDERS = "payout_waiting_for_orders"
    UNMAPPED_PAYMENT_ACCOUNT = "unmapped_payment_account"
    PAYMENT_NOT_CAPTURED = "payment_not_captured"


WHAT_TO_DO: dict[Cause, str] = {
    Cause.SKU_NOT_IN_ITEM_MASTER: "Create the product with this SKU (code) in the ERP item master, or fix the SKU "
    "in Shopify; the order posts by itself once the SKU exists.",
    Cause.UNMAPPED_LOCATION: "Map the Shopify location to an ERP warehouse in the configuration ([shops.locations]).",
    Cause.UNMAPPED_TAX: "Map this Shopify tax line to an ERP tax in the configuration ([taxes]), or create the "
    "mapped tax in the ERP; the order posts by itself once it is there.",
    Cause.UNMAPPED_PAYMENT_TERM: "Map these Shopify payment terms to an ERP payment term in the configuration "
    "([payment_terms]), or create the mapped term in the ERP; then replay.",
    Cause.TOTALS_MISMATCH: "Compare the two totals shown; fix the order or the mapping in error, then replay.",
    Cause.TAX_MISMATCH: "The ERP's tax rate gives another figure than Shopify charged, and this brand parks such "
    "orders (park_on_tax_variance): correct the ERP tax's rate or the mapping, or turn the switch off to post with "
    "Shopify's tax; then replay.",
    Cause.INVALID_CUSTOMER_DATA: "Correct the named customer field in Shopify (or the ERP party), then replay.",
    Cause.UNSUPPORTED_ORDER: "This kind of order is not handled yet; post it by hand in the ERP.",
    Cause.BACK_OFFICE_REJECTED: "The ERP refused the document; read its message, fix the data, then replay.",
    Cause.PROCESSING_FAILED: "trueup failed on this order repeatedly (a defect): report the detail, then replay.",
    Cause.FULFILMENT_ORDER_NOT_FOUND: "The shipment's lines have no open fulfilment order in Shopify (the order is "
    "unknown, already fulfilled, closed or on hold, or its lines are due from another location): fulfil it by "
    "hand in Shopify, or release the hold or move the lines to the shipment's location and run `trueup replay "
    "--cause fulfilment_order_not_found`; the shipment is never fulfilled twice.",
    Cause.CHANGED_AFTER_CUT_OFF: "The order changed in Shopify after the warehouse reached the cut-off: stop the "
    "parcel (cancel its shipment in the ERP) and replay, and the change applies; or make the ERP sale match by "
    "hand and replay; or, if the parcel has gone, accept the difference (`trueup accept ORDER`).",
    Cause.CANCELLED_IN_ERP_ONLY: "The ERP sale was cancelled but the Shopify order was not: cancel the order in "
    "Shopify too, or post it again in the ERP by hand; then replay.",
    Cause.ALREADY_DESPATCHED: "The warehouse has already picked or despatched what the change touches, so the ERP "
    "refuses it: stop or amend the parcel by hand in the ERP/warehouse (or book a return), then resolve.",
    Cause.SKU_NOT_IN_SHOPIFY: "Shopify has no tracked inventory item with this SKU (or it is not stocked at the "
    "location): create the variant in Shopify, turn on inventory tracking and stock it at the location, or fix "
    "the SKU; the stock is sent by itself at the next update.",
    Cause.PAYOUT_UNEXPLAINED: "Shopify's figures for this payout do not add up (the variance is named): nothing of it "
    "is booked. Compare the payout with its balance transactions in Shopify's admin, then `trueup payouts` again "
    "after the next poll; never book a balancing line by hand.",
    Cause.PAYOUT_WAITING_FOR_ORDERS: "The payout settles orders the ERP does not hold yet; it is booked by itself once "
    "they post (see the orders' own exceptions if they stay out).",
    Cause.UNMAPPED_PAYMENT_ACCOUNT: "Map the named currency or balance transaction type to an ERP account in the "
    "configuration ([payments]) and create the account in the ERP; the payout is booked at the next poll.",
    Cause.PAYMENT_NOT_CAPTURED: "Shopify could not take the payment of an order the ERP already holds: the goods may "
    "ship unpaid. Hold its shipment in the ERP, capture again or collect the payment in Shopify (or cancel the "
    "order); the order's payments are booked at its next sync once Shopify records one.",
}


@dataclass
class StructuralError(TrueupError):
    """A data problem only a person (or a later fix) can solve: park the order with its cause."""

    cause: Cause
    detail: str
    # What must exist or change for the problem to be gone, e.g. {"skus": ["TEE-M"]}: lets the engine
    # check by itself whether the cause is fixed and replay the order (service_layer/needs.py reads them).
    needs: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.cause}: {self.detail}")

    @property
    def what_to_do(self) -> str:
        return WHAT_TO_DO[self.cause]
