"""A factory for webhook requests as Shopify sends them, signed or not."""

from __future__ import annotations

import itertools
import json
from typing import Any

from trueup.adapters.shopify.webhooks import sign

SHOP = "alpha.myshopify.com"
SECRET = "shpss_test_secret_value_1234"
SECRETS = {SHOP: SECRET}
_ids = itertools.count(1)


def order_body(order_number: int = 450789469, **fields: Any) -> bytes:
    payload = {"id": order_number, "admin_graphql_api_id": f"gid://shopify/Order/{order_number}", **fields}
    return json.dumps(payload).encode()


def webhook_request(
    body: bytes | None = None,
    *,
    topic: str = "orders/create",
    shop: str = SHOP,
    secret: str = SECRET,
    webhook_id: str | None = None,
    event_id: str | None = None,
    drop: tuple[str, ...] = (),
) -> tuple[bytes, dict[str, str]]:
    """(body, headers) of one delivery signed with `secret`; `drop` removes headers by name."""
    body = order_body() if body is None else body
    n = next(_ids)
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign(body, secret),
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Webhook-Id": webhook_id or f"b7c5-{n}",
        "X-Shopify-Event-Id": event_id or f"e-{n}",
        "X-Shopify-Triggered-At": "2026-11-27T09:00:00.000000Z",
    }
    return body, {name: value for name, value in headers.items() if name not in drop}
