"""Webhooks as Shopify sends them: subscriptions, signed deliveries, retries, faults, a delivery log.

Wiring (the composition root does this):

    registry = InMemorySubscriptionRegistry(clock)
    dispatcher = WebhookDispatcher(registry, api_secret=..., shop_domain=..., clock=clock, faults=injector)
    dispatcher.start()            # the state then calls dispatcher.publish("orders/create", rest_order)
    ...
    dispatcher.log()              # delivery outcomes; delivery_routes(dispatcher) serves them over HTTP
    dispatcher.stop()
"""

from shopify_sandbox.webhooks.dispatcher import UnknownTopic, WebhookDispatcher
from shopify_sandbox.webhooks.inspection import delivery_routes
from shopify_sandbox.webhooks.registry import DuplicateSubscription, InMemorySubscriptionRegistry, InvalidCallbackUrl
from shopify_sandbox.webhooks.retry_schedule import retry_delays
from shopify_sandbox.webhooks.signing import sign
from shopify_sandbox.webhooks.topics import UnsupportedTopic, enum_topic, rest_topic
from shopify_sandbox.webhooks.transport import HttpTransport, RecordingTransport, SendResult

__all__ = [
    "DuplicateSubscription",
    "HttpTransport",
    "InMemorySubscriptionRegistry",
    "InvalidCallbackUrl",
    "RecordingTransport",
    "SendResult",
    "UnknownTopic",
    "UnsupportedTopic",
    "WebhookDispatcher",
    "delivery_routes",
    "enum_topic",
    "rest_topic",
    "retry_delays",
    "sign",
]
