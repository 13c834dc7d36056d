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
from trueup.domain.privacy import PRIVACY_TOPICS
from trueup.service_layer.ports import IncomingDelivery, triggered_time

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
MAX_KEPT_HEADERS = 24
MAX_KEPT_HEADER_LENGTH = 1024

# The longest value trueup stores for each identifying header (the store's column widths). Shopify signs
# only the body, so these are checked like any other input: a longer one is refused (400), never stored.
HEADER_LIMITS = {
    SHOP_HEADER: 255,
    TOPIC_HEADER: 100,
    WEBHOOK_ID_HEADER: 255,
    EVENT_ID_HEADER: 255,
    API_VERSION_HEADER: 20,
    TRIGGERED_AT_HEADER: 64,
}
MAX_ORDER_ID_LENGTH = 255

BODY_NOT_JSON = "body_not_json"
BODY_TOO_DEEPLY_NESTED = "body_too_deeply_nested"
ORDER_NOT_FOUND = "order_not_found_in_body"
PRIVACY_REQUEST_UNREADABLE = "privacy_request_unreadable"  # JSON, but not the object Shopify sends


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
    except RecursionError:  # signed, so kept: thousands of nested brackets are not Shopify's
        return None, BODY_TOO_DEEPLY_NESTED
    if topic in PRIVACY_TOPICS and not isinstance(payload, dict):
        return None, PRIVACY_REQUEST_UNREADABLE
    order_id = order_id_in(topic, payload)
    if order_id is not None and len(order_id) > MAX_ORDER_ID_LENGTH:
        order_id = None
    is_about_an_order = topic in ORDER_TOPICS or topic in ("orders/edited", "refunds/create", "fulfillments/create")
    return order_id, ORDER_NOT_FOUND if is_about_an_order and order_id is None else None


def _optional(headers: Mapping[str, str], name: str) -> str | None:
    """The header's value, checked: printable ASCII within its length limit, else BadInput (400)."""
    value = headers.get(name, "").strip()
    if not value:
        return None
    limit = HEADER_LIMITS[name]
    if len(value) > limit:
        raise BadInput(f"header {name} is longer than {limit} characters")
    if not (value.isascii() and value.isprintable()):
        raise BadInput(f"header {name} holds characters other than printable ASCII")
    return value


def _required(headers: Mapping[str, str], name: str) -> str:
    value = _optional(headers, name)
    if value is None:
        raise BadInput(f"missing header {name}")
    return value


def _kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    kept = {
        name: value[:MAX_KEPT_HEADER_LENGTH]
        for name, value in headers.items()
        if name.startswith("x-shopify-") or name in _KEPT_HEADERS
    }
    return dict(sorted(kept.items())[:MAX_KEPT_HEADERS])


def read_delivery(headers: Mapping[str, str], body: bytes, received_at: datetime) -> IncomingDelivery:
    """The delivery a signed request carries. `headers` lower-case; BadInput if a required one is missing,
    or an identifying one is too long, not printable ASCII, or (Triggered-At) not a time.

    A body that is not JSON, or an order topic whose order cannot be found, is still a delivery: it is
    kept with its problem named, never dropped.
    """
    shop = _required(headers, SHOP_HEADER).lower()
    topic = _required(headers, TOPIC_HEADER)
    webhook_id = _required(headers, WEBHOOK_ID_HEADER)
    event_id = _optional(headers, EVENT_ID_HEADER)
    api_version = _optional(headers, API_VERSION_HEADER)
    triggered_at = _optional(headers, TRIGGERED_AT_HEADER)
    if triggered_at is not None and triggered_time(triggered_at) is None:
        raise BadInput(f"header {TRIGGERED_AT_HEADER} is not an ISO 8601 time with its zone")
    order_id, problem = _about(topic, body)
    return IncomingDelivery(
        shop=shop,
        topic=topic,
        webhook_id=webhook_id,
        event_id=event_id,
        api_version=api_version,
        triggered_at=triggered_at,
        headers=_kept_headers(headers),
        body=body,
        received_at=received_at,
        order_id=order_id,
        known_topic=topic in KNOWN_TOPICS,
        problem=problem,
    )
