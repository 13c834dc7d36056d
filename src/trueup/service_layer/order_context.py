"""What the use cases about one shop's orders need: the shop's Admin API, the back-office, trueup's store, the
clock and the shop's policies. Its own module, so that each flow of an order (sync, hold window, post-purchase
changes, refunds, unposted demand, fulfilment, replay) imports it without importing the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trueup.domain.post_purchase import PostPurchasePolicy
from trueup.domain.posting import PostingPolicy
from trueup.service_layer.payments import OrderPayments
from trueup.service_layer.ports import BackOffice, Clock, ShopifyAdmin, Store


@dataclass(frozen=True)
class OrderContext:
    """What syncing one shop's orders needs."""

    shopify: ShopifyAdmin
    back_office: BackOffice
    store: Store
    clock: Clock
    policy: PostingPolicy
    # The cut-off after which Shopify-side changes are exceptions, and the hold window of new orders.
    post_purchase: PostPurchasePolicy = field(default_factory=PostPurchasePolicy)
    # Whether unposted demand is recorded for the stock sync ([inventory] enabled): without it, no ERP look-up
    # or store write is spent on it.
    track_demand: bool = True
    # Where the order's payments are booked ([payments] enabled); None: no payment is booked.
    payments: OrderPayments | None = None
    # The key of the shop's customer e-mail index (domain/email_index.py); None: orders are not indexed by e-mail.
    email_key: bytes | None = None
    # Whether a sync that posts, amends or cancels the order's sale then checks its ERP documents as `trueup
    # verify` does (service_layer/verify.py, `check_synced_order`); off only to measure what it costs.
    check_each_sync: bool = True
