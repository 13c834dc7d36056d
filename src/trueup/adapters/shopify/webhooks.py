"""Shopify webhook deliveries: the signature check and reading what a delivery is about.

Shopify signs the raw body: X-Shopify-Hmac-Sha256 = base64(HMAC-SHA256(body, app secret)). The body is
the REST (snake_case) form of the resource; which order it is about depends on the topic.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from trueup.domain.errors import BadInput
from trueup.domain.orders import order_gid
from trueup.service_layer.ports import IncomingDelivery

HMAC_HEADER = "x-shopify-hmac-sha256"
SHOP_HEADER = "x-shopify-shop-domain"
TOPIC_HEADER = "x-shopify-topic"
WEBHOOK_ID_HEADER = "x-shopify-webhook-id"
EVENT_ID_HEADER = "x-shopify-event-id"
API_VERSION_HEADER = "x-shopify-api-version"
TRIGGERED_AT_HEADER = "x-shopify-triggered-at"

ORDER_TOPICS = frozenset({"orders/create", "orders/updated", "orders/paid", "orders/cancelled"})
KNOWN_TOPICS = ORDER_TOPICS | {
    "orders/edited",
    "refunds/create",
    "fulfillments/create",
    "inventory_levels/update",
    "app/uninstalled",
    "customers/data_request",
    "customers/redact",
    "shop/redact",
}

# Headers worth keeping with the stored delivery; anything else (cookies, proxy credentials) is dropped.
_KEPT_HEADERS = ("content-type", "user-agent")

BODY_NOT_JSON = "body_not_json"
ORDER_NOT_FOUND = "order_not_found_in_body"


def sign(body: bytes, secret: str) -> str:
    """The X-Shopify-Hmac-Sha256 value Shopify sends for `body` signed with `secret`."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signature_is_valid(body: bytes, secret: str, signature: str | None) -> bool:
    """True when `signature` is the base64 HMAC-SHA256 of `body` with `secret` (constant-time compare)."""
    if not signature:
        return False
    try:
        given = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return hmac.compare_digest(given, expected)


def order_id_in(topic: str, payload: Any) -> str | None:
    """The gid of the order a delivery's REST body is about, or None."""
    if not isinstance(payload, dict):
        return None
    if topic in ORDER_TOPICS:
        return order_gid(payload.get("admin_graphql_api_id")) or order_gid(payload.get("id"))
    if topic in ("refunds/create", "fulfillments/create"):
        return order_gid(payload.get("order_id"))
    if topic == "orders/edited":
        edit = payload.get("order_edit")
        return order_gid(edit.get("order_id")) if isinstance(edit, dict) else None
    return None


def _about(topic: str, body: bytes) -> tuple[str | None, str | None]:
    """(order gid, problem) for a delivery of `topic` with `body`."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None, BODY_NOT_JSON
    order_id = order_id_in(topic, payload)
    is_about_an_order = topic in ORDER_TOPICS or topic in ("orders/edited", "refunds/create", "fulfillments/create")
    return order_id, ORDER_NOT_FOUND if is_about_an_order and order_id is None else None


def _required(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name, "").strip()
    if not value:
        raise BadInput(f"missing header {name}")
    return value


def read_delivery(headers: Mapping[str, str], body: bytes, received_at: datetime) -> IncomingDelivery:
    """The delivery a signed request carries. `headers` lower-case; BadInput if a required one is missing.

    A body that is not JSON, or an order topic whose order cannot be found, is still a delivery: it is
    kept with its problem named, never dropped.
    """
    shop = _required(headers, SHOP_HEADER).lower()
    topic = _required(headers, TOPIC_HEADER)
    webhook_id = _required(headers, WEBHOOK_ID_HEADER)
    order_id, problem = _about(topic, body)
    kept = {name: value for name, value in headers.items() if name.startswith("x-shopify-") or name in _KEPT_HEADERS}
    return IncomingDelivery(
        shop=shop,
        topic=topic,
        webhook_id=webhook_id,
        event_id=headers.get(EVENT_ID_HEADER) or None,
        api_version=headers.get(API_VERSION_HEADER) or None,
        triggered_at=headers.get(TRIGGERED_AT_HEADER) or None,
        headers=kept,
        body=body,
        received_at=received_at,
        order_id=order_id,
        known_topic=topic in KNOWN_TOPICS,
        problem=problem,
    )
