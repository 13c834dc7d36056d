import base64
import hashlib
import hmac
import json
import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from shopify_sandbox.webhooks.signing import encode_body, sign, triggered_at_header, webhook_headers
from tests.sandbox.webhooks.webhook_factories import SECRET, SHOP

openssl = shutil.which("openssl")


def openssl_hmac(body: bytes, secret: str) -> str:
    """An independent implementation: `openssl dgst -sha256 -hmac SECRET -binary | base64`."""
    digest = subprocess.run(
        [openssl or "openssl", "dgst", "-sha256", "-hmac", secret, "-binary"],
        input=body,
        capture_output=True,
        check=True,
    ).stdout
    return base64.b64encode(digest).decode()


@pytest.mark.skipif(openssl is None, reason="openssl is not installed")
@pytest.mark.parametrize(
    "payload",
    [
        {"id": 1, "total_price": "10.00"},
        {"id": 2, "note": "café ☕ – naïve", "line_items": [{"sku": "TEE-BLK-M", "quantity": 2}]},
        {},
    ],
)
def test_the_signature_verifies_with_openssl(payload):
    body = encode_body(payload)
    assert sign(body, SECRET) == openssl_hmac(body, SECRET)


@pytest.mark.skipif(openssl is None, reason="openssl is not installed")
def test_a_signature_made_with_another_secret_does_not_verify():
    body = encode_body({"id": 1})
    assert sign(body, SECRET) != openssl_hmac(body, SECRET + "x")


def test_the_body_is_compact_utf8_json_with_money_as_strings():
    body = encode_body({"total_price": Decimal("10.50"), "note": "café", "at": datetime(2026, 11, 27, tzinfo=UTC)})
    assert body == '{"total_price":"10.50","note":"café","at":"2026-11-27T00:00:00+00:00"}'.encode()
    assert json.loads(body)["total_price"] == "10.50"


def test_the_headers_are_shopifys():
    body = b'{"id":1}'
    at = datetime(2026, 11, 27, 9, 30, 1, 250000, tzinfo=UTC)
    headers = webhook_headers(
        body=body,
        api_secret=SECRET,
        topic="orders/create",
        shop_domain=SHOP,
        api_version="2026-10",
        webhook_id="w-1",
        event_id="e-1",
        triggered_at=at,
    )
    expected_hmac = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    assert headers == {
        "Content-Type": "application/json",
        "User-Agent": "Shopify-Captain-Hook",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Hmac-Sha256": expected_hmac,
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Webhook-Id": "w-1",
        "X-Shopify-Event-Id": "e-1",
        "X-Shopify-Triggered-At": "2026-11-27T09:30:01.250000Z",
    }
    assert triggered_at_header(at) == "2026-11-27T09:30:01.250000Z"
