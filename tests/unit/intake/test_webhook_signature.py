"""The X-Shopify-Hmac-Sha256 check."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shopify_sandbox.webhooks.signing import webhook_headers
from trueup.adapters.shopify.webhooks import sign, signature_is_valid

BODY = b'{"id":820982911946154508}'
# Computed outside Python: printf '%s' BODY | openssl dgst -sha256 -hmac hush -binary | base64
OPENSSL_SIGNATURE = "qBvrsZF7RfB1iS6BX6IHqJTp5L911P7intnPeTPsH0I="


def test_a_signature_computed_by_openssl_is_accepted() -> None:
    assert signature_is_valid(BODY, "hush", OPENSSL_SIGNATURE)
    assert sign(BODY, "hush") == OPENSSL_SIGNATURE


def test_a_delivery_signed_by_the_sandbox_is_accepted() -> None:
    headers = webhook_headers(
        body=BODY,
        api_secret="sandbox-secret",
        topic="orders/create",
        shop_domain="alpha.myshopify.com",
        api_version="2026-10",
        webhook_id="w1",
        event_id="e1",
        triggered_at=datetime(2026, 11, 27, tzinfo=UTC),
    )

    assert signature_is_valid(BODY, "sandbox-secret", headers["X-Shopify-Hmac-Sha256"])


@pytest.mark.parametrize(
    ("body", "secret", "signature"),
    [
        pytest.param(BODY + b" ", "hush", OPENSSL_SIGNATURE, id="body changed by one byte"),
        pytest.param(BODY, "other", OPENSSL_SIGNATURE, id="another shop's secret"),
        pytest.param(BODY, "hush", None, id="no signature"),
        pytest.param(BODY, "hush", "", id="empty signature"),
        pytest.param(BODY, "hush", "not base64 at all!", id="not base64"),
        pytest.param(BODY, "hush", OPENSSL_SIGNATURE[:-4], id="truncated"),
        pytest.param(BODY, "hush", OPENSSL_SIGNATURE.lower(), id="wrong case"),
    ],
)
def test_anything_but_the_exact_signature_is_refused(body: bytes, secret: str, signature: str | None) -> None:
    assert not signature_is_valid(body, secret, signature)
