"""What a shop must grant and subscribe for trueup to work: the access scopes each enabled feature needs, and
the changes that bring the app's webhook subscriptions to trueup's public URL.

trueup's own subscriptions are those whose address ends with its endpoint path (`/webhooks/shopify`); any
other subscription of the app is left alone. Shopify lists an app's own subscriptions only, so another app's
are never seen, let alone changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

WEBHOOK_PATH = "/webhooks/shopify"

# The topics trueup acts on (REST form). The privacy topics are not subscribed through the API: Shopify takes
# them from the app's configuration (docs/going-live.md).
WEBHOOK_TOPICS = (
    "orders/create",
    "orders/updated",
    "orders/paid",
    "orders/edited",
    "orders/cancelled",
    "refunds/create",
    "fulfillments/create",
    "app/uninstalled",
)


@dataclass(frozen=True)
class Features:
    """The parts of trueup a configuration turns on, as far as Shopify's scopes are concerned."""

    inventory: bool = False
    locations_mapped: bool = False
    customer_metafields: bool = False
    payouts: bool = False


@dataclass(frozen=True)
class ScopeNeed:
    scope: str
    why: str


def needed_scopes(features: Features) -> list[ScopeNeed]:
    """Every scope trueup needs with `features`, each with the reason (write scopes grant the read scope)."""
    needs = [
        ScopeNeed("read_orders", "orders, their refunds and fulfilment orders are read to post them to the ERP"),
        ScopeNeed("read_customers", "each order's customer and company become the ERP's buyer parties"),
        ScopeNeed(
            "write_merchant_managed_fulfillment_orders",
            "the ERP's shipments are fulfilled in Shopify with tracking, and held orders are held and released",
        ),
    ]
    if features.inventory or features.locations_mapped:
        needs.append(ScopeNeed("read_locations", "the configured locations are checked and mapped to warehouses"))
    if features.inventory:
        needs.append(ScopeNeed("read_products", "variants, SKUs and bundle components are read to set stock"))
        needs.append(ScopeNeed("write_inventory", "[inventory] sets each mapped location's available stock"))
    if features.payouts:
        needs.append(ScopeNeed("read_shopify_payments_payouts", "[payments] reads payouts and balance transactions"))
    return needs


def missing_scopes(granted: Iterable[str], needs: Sequence[ScopeNeed]) -> list[ScopeNeed]:
    """The needs `granted` does not cover (a `write_x` scope covers `read_x`)."""
    held = set(granted)
    held |= {"read_" + s.removeprefix("write_") for s in held if s.startswith("write_")}
    return [need for need in needs if need.scope not in held]


def webhook_address(public_url: str) -> str:
    return public_url.rstrip("/") + WEBHOOK_PATH


def topic_enum(rest_topic: str) -> str:
    """ "orders/create" → "ORDERS_CREATE" (Shopify's WebhookSubscriptionTopic)."""
    return rest_topic.replace("/", "_").upper()


@dataclass(frozen=True)
class WebhookSubscription:
    subscription_id: str
    topic: str  # Shopify's enum form: "ORDERS_CREATE"
    uri: str


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True)
class WebhookChange:
    action: Action
    topic: str
    uri: str  # the address after the change (the removed one for a delete)
    subscription_id: str | None = None  # the subscription updated or deleted
    previous_uri: str | None = None  # an update's old address


def is_trueups(subscription: WebhookSubscription) -> bool:
    return urlsplit(subscription.uri).path.rstrip("/").endswith(WEBHOOK_PATH)


def plan_webhooks(
    existing: Sequence[WebhookSubscription], topics: Sequence[str], address: str
) -> tuple[list[WebhookChange], list[WebhookSubscription]]:
    """The changes that leave exactly one of trueup's subscriptions per topic at `address`, and the app's
    other subscriptions (left alone). Existing subscriptions at an old address are moved, not recreated."""
    wanted = list(dict.fromkeys(topic_enum(t) for t in topics))
    ours = [s for s in existing if is_trueups(s)]
    others = [s for s in existing if not is_trueups(s)]
    changes: list[WebhookChange] = []
    for topic in wanted:
        mine = [s for s in ours if s.topic == topic]
        keep = next((s for s in mine if s.uri == address), None)
        if keep is None and mine:
            keep = mine[0]
            changes.append(WebhookChange(Action.UPDATE, topic, address, keep.subscription_id, keep.uri))
        elif keep is None:
            changes.append(WebhookChange(Action.CREATE, topic, address))
        changes.extend(WebhookChange(Action.DELETE, topic, s.uri, s.subscription_id) for s in mine if s is not keep)
    changes.extend(
        WebhookChange(Action.DELETE, s.topic, s.uri, s.subscription_id) for s in ours if s.topic not in wanted
    )
    return changes, others
