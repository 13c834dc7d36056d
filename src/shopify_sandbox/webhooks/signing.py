"""The bytes and headers of a webhook, exactly as Shopify sends them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

USER_AGENT = "Shopify-Captain-Hook"


def _json_default(value: Any) -> Any:
    # Shopify's REST payloads carry money as strings ("10.00") and instants as ISO 8601.
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__} in a webhook body")


def encode_body(payload: dict[str, Any]) -> bytes:
    """The raw JSON body: compact, UTF-8, as Shopify's are."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=_json_default).encode()


def sign(body: bytes, api_secret: str) -> str:
    """X-Shopify-Hmac-Sha256: base64 of HMAC-SHA256 of the raw body, keyed with the app's secret."""
    digest = hmac.new(api_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def triggered_at_header(instant: datetime) -> str:
    """X-Shopify-Triggered-At: UTC, ISO 8601 with a Z (Shopify sends sub-second precision)."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def webhook_headers(
    *,
    body: bytes,
    api_secret: str,
    topic: str,
    shop_domain: str,
    api_version: str,
    webhook_id: str,
    event_id: str,
    triggered_at: datetime,
) -> dict[str, str]:
    """The request headers of one delivery (a retry sends the very same ones)."""
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign(body, api_secret),
        "X-Shopify-Shop-Domain": shop_domain,
        "X-Shopify-API-Version": api_version,
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Triggered-At": triggered_at_header(triggered_at),
    }
