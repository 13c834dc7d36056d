"""The hostile-input corpus of the webhook endpoint: each case a request and its documented answer
(docs/going-live.md, "What the endpoint answers")."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from trueup.adapters.shopify.webhooks import sign

SHOP = "hostile.myshopify.com"
SECRET = "shpss_hostile_corpus_secret"
EMAIL = "ada.lovelace@example.com"  # never to be seen in a log line
_numbers = itertools.count(1)


def now_header(age: timedelta = timedelta(0)) -> str:
    return (datetime.now(UTC) - age).strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"  # nanoseconds, as Shopify


def order_body(number: int) -> bytes:
    payload = {"id": number, "admin_graphql_api_id": f"gid://shopify/Order/{number}", "email": EMAIL}
    return json.dumps(payload).encode()


@dataclass
class Case:
    """One request; `stored` is the problem it is kept with ("" for none) or None when it is not kept."""

    name: str
    status: int
    body: bytes
    headers: dict[str, str]
    stored: str | None = None
    path: str = "/webhooks/shopify"
    method: str = "POST"
    refused: str | None = None  # the reason it is counted under
    tags: list[str] = field(default_factory=list)


def signed(body: bytes | None = None, *, secret: str = SECRET, **overrides: str | None) -> tuple[bytes, dict[str, str]]:
    n = next(_numbers)
    body = order_body(10_000 + n) if body is None else body
    headers: dict[str, str | None] = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Hmac-Sha256": sign(body, secret),
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Webhook-Id": f"hostile-{n}",
        "X-Shopify-Event-Id": f"hostile-event-{n}",
        "X-Shopify-Triggered-At": now_header(),
    }
    for name, value in overrides.items():
        headers[name.replace("_", "-")] = value
    return body, {k: v for k, v in headers.items() if v is not None}


def good(number: int) -> tuple[bytes, dict[str, str]]:
    return signed(order_body(number))


def cases() -> list[Case]:
    """Every hostile request of the corpus, each with its documented answer."""
    c: list[Case] = []

    def add(
        name: str, status: int, sent: tuple[bytes, dict[str, str]], stored: str | None = None, **kw: object
    ) -> None:
        c.append(Case(name, status, sent[0], sent[1], stored, **kw))  # type: ignore[arg-type]

    body = order_body(1)
    add("good", 200, signed(body), "")
    add("bad signature", 401, signed(X_Shopify_Hmac_Sha256=sign(body, "wrong")), refused="bad_signature")
    add("no signature", 401, signed(X_Shopify_Hmac_Sha256=None), refused="bad_signature")
    add("signature not base64", 401, signed(X_Shopify_Hmac_Sha256="%%%"), refused="bad_signature")
    add("signed with an empty key", 401, signed(secret=""), refused="bad_signature")
    add("unknown shop", 401, signed(X_Shopify_Shop_Domain="other.myshopify.com"), refused="unknown_shop")
    add("no shop", 401, signed(X_Shopify_Shop_Domain=None), refused="unknown_shop")
    add("shop in capitals", 200, signed(X_Shopify_Shop_Domain=SHOP.upper()), "")
    add("no topic", 400, signed(X_Shopify_Topic=None), refused="bad_request")
    add("no webhook id", 400, signed(X_Shopify_Webhook_Id=None), refused="bad_request")
    add("topic of 300 characters", 400, signed(X_Shopify_Topic="orders/" + "x" * 293), refused="bad_request")
    add("webhook id of 300 characters", 400, signed(X_Shopify_Webhook_Id="w" * 300), refused="bad_request")
    add("event id of 300 characters", 400, signed(X_Shopify_Event_Id="e" * 300), refused="bad_request")
    add("api version of 30 characters", 400, signed(X_Shopify_API_Version="2026-10" * 5), refused="bad_request")
    add("triggered-at of 100 characters", 400, signed(X_Shopify_Triggered_At="2" * 100), refused="bad_request")
    add("triggered-at not a time", 400, signed(X_Shopify_Triggered_At="yesterday"), refused="bad_request")
    add("triggered-at without zone", 400, signed(X_Shopify_Triggered_At="2026-11-27T09:00:00"), refused="bad_request")
    add("webhook id with a tab", 400, signed(X_Shopify_Webhook_Id="a\tb"), refused="bad_request")
    add(
        "triggered 7 hours ago (a replay)",
        400,
        signed(X_Shopify_Triggered_At=now_header(timedelta(hours=7))),
        refused="too_old",
    )
    add("triggered 3 hours ago (a retry)", 200, signed(X_Shopify_Triggered_At=now_header(timedelta(hours=3))), "")
    add("no triggered-at", 200, signed(X_Shopify_Triggered_At=None), "")
    add("deeply nested JSON", 200, signed(b"[" * 20_000 + b"]" * 20_000), "body_too_deeply_nested")
    add("nested objects", 200, signed(b'{"a":' * 5000 + b"1" + b"}" * 5000), "body_too_deeply_nested")
    add("not JSON", 200, signed(b"id=1&email=" + EMAIL.encode()), "body_not_json")
    add("not UTF-8", 200, signed(b'{"id": "\xff\xfe"}'), "body_not_json")
    add("empty body", 200, signed(b""), "body_not_json")
    add("a number of 5000 digits", 200, signed(b'{"id": ' + b"7" * 5000 + b"}"), "body_not_json")
    add("an order id of 400 digits", 200, signed(b'{"id": ' + b"9" * 400 + b"}"), "order_not_found_in_body")
    add("superscript digits as id", 200, signed('{"id": "²³"}'.encode()), "order_not_found_in_body")
    add("a NUL character as id", 200, signed(b'{"id": "\\u0000"}'), "order_not_found_in_body")
    add("JSON array", 200, signed(b"[1, 2, 3]"), "order_not_found_in_body")
    add("JSON null", 200, signed(b"null"), "order_not_found_in_body")
    add("unknown topic", 200, signed(X_Shopify_Topic="carts/create"), "")
    add("topic with a NUL escape in the body", 200, signed(b'{"note": "\\u0000", "id": 77}'), "")
    add("trailing slash", 200, signed(), "", path="/webhooks/shopify/")
    add("GET on the webhook path", 405, (b"", {}), method="GET")
    add("other path", 404, signed(), path="/webhooks/shopify/extra")
    add("over the size limit", 413, signed(b'{"id": 5, "x": "' + b"a" * 70_000 + b'"}'), refused="body_too_large")
    body, headers = signed()
    add("duplicate webhook id", 200, (body, headers), "")
    add("the same again", 200, (body, dict(headers)), None)
    again = signed(X_Shopify_Event_Id=headers["X-Shopify-Event-Id"])
    add("same event, new webhook id", 200, again, None)
    add("many extra X-Shopify headers", 200, signed(**{f"X_Shopify_Extra_{i}": "v" * 500 for i in range(30)}), "")
    return c
