"""Webhook topics: Shopify's REST form ("orders/create") and its GraphQL enum form ("ORDERS_CREATE").

The two forms cannot be converted by string rules alone ("inventory_levels/update" has an underscore
inside the resource name), so the supported topics are listed here explicitly.
"""

from __future__ import annotations

# GraphQL `WebhookSubscriptionTopic` value -> REST topic, for the topics the sandbox publishes.
API_TOPICS: dict[str, str] = {
    "ORDERS_CREATE": "orders/create",
    "ORDERS_UPDATED": "orders/updated",
    "ORDERS_PAID": "orders/paid",
    "ORDERS_EDITED": "orders/edited",
    "ORDERS_CANCELLED": "orders/cancelled",
    "ORDERS_FULFILLED": "orders/fulfilled",
    "ORDERS_PARTIALLY_FULFILLED": "orders/partially_fulfilled",
    "ORDERS_DELETE": "orders/delete",
    "REFUNDS_CREATE": "refunds/create",
    "FULFILLMENTS_CREATE": "fulfillments/create",
    "FULFILLMENTS_UPDATE": "fulfillments/update",
    "FULFILLMENT_ORDERS_PLACED_ON_HOLD": "fulfillment_orders/placed_on_hold",
    "FULFILLMENT_ORDERS_HOLD_RELEASED": "fulfillment_orders/hold_released",
    "INVENTORY_LEVELS_UPDATE": "inventory_levels/update",
    "APP_UNINSTALLED": "app/uninstalled",
}

# The mandatory privacy ("compliance") topics. They are not in the GraphQL enum: Shopify takes their
# endpoints from the app's configuration, never from `webhookSubscriptionCreate`.
COMPLIANCE_TOPICS: frozenset[str] = frozenset({"customers/data_request", "customers/redact", "shop/redact"})

_REST_TO_ENUM = {rest: enum for enum, rest in API_TOPICS.items()}


class UnsupportedTopic(ValueError):
    """A topic the sandbox does not publish: subscribing to it would wait forever in silence."""


def rest_topic(enum_topic: str) -> str:
    """ "ORDERS_CREATE" -> "orders/create"."""
    try:
        return API_TOPICS[enum_topic]
    except KeyError:
        raise UnsupportedTopic(f"the sandbox does not publish webhook topic {enum_topic}") from None


def enum_topic(rest: str) -> str:
    """ "orders/create" -> "ORDERS_CREATE" (API topics only)."""
    try:
        return _REST_TO_ENUM[rest]
    except KeyError:
        raise UnsupportedTopic(f"{rest} is not a topic of webhookSubscriptionCreate") from None


def is_known_rest_topic(rest: str) -> bool:
    return rest in _REST_TO_ENUM or rest in COMPLIANCE_TOPICS
