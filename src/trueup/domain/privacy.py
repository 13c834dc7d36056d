"""Shopify's mandatory privacy requests, read from their webhook bodies, and which of trueup's own records
hold a customer's data.

customers/data_request: the customer wants what the shop holds about them; customers/redact: their data
must be erased (Shopify sends it 10 days after the request, or 6 months after the last order); shop/redact:
48 hours after a shop uninstalls the app, everything of that shop must go. Shopify's bodies:
`{"shop_domain", "customer": {"id", "email", "phone"}, "orders_requested" | "orders_to_redact": [ids],
"data_request": {"id"}}`, and for shop/redact only the shop.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from trueup.domain.orders import order_gid

REDACTED_BODY = b'{"redacted":true}'  # what a stored delivery's body becomes once its customer is erased


class PrivacyKind(StrEnum):
    DATA_REQUEST = "customers/data_request"
    CUSTOMER_REDACT = "customers/redact"
    SHOP_REDACT = "shop/redact"


PRIVACY_TOPICS = frozenset(kind.value for kind in PrivacyKind)


@dataclass(frozen=True)
class PrivacyRequest:
    """One privacy request: its kind, the shop, and (for a customer's) who and which orders."""

    kind: PrivacyKind
    shop: str
    customer_id: str | None = None
    email: str | None = None
    phone: str | None = None
    orders: tuple[str, ...] = ()  # order gids

    def needles(self) -> list[str]:
        """The customer's identifying strings trueup looks for in free text (lower case)."""
        return [value.lower() for value in (self.email, self.phone) if value]


def read_privacy_request(topic: str, shop: str, body: bytes) -> PrivacyRequest | None:
    """The request a privacy webhook's body carries; None for another topic or a body that is not one."""
    if topic not in PRIVACY_TOPICS:
        return None
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(payload, dict):
        return None
    kind = PrivacyKind(topic)
    if kind is PrivacyKind.SHOP_REDACT:
        return PrivacyRequest(kind, shop)
    customer = payload.get("customer")
    customer = customer if isinstance(customer, dict) else {}
    listed = payload.get("orders_requested" if kind is PrivacyKind.DATA_REQUEST else "orders_to_redact")
    orders = tuple(gid for gid in map(order_gid, listed if isinstance(listed, list) else []) if gid is not None)
    return PrivacyRequest(
        kind,
        shop,
        customer_id=_text(customer.get("id")),
        email=_text(customer.get("email")),
        phone=_text(customer.get("phone")),
        orders=orders,
    )


def _text(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    return text or None


def _walk(value: Any) -> Iterator[Any]:
    stack = [value]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _customer_ids(payload: Any) -> Iterator[str]:
    for item in _walk(payload):
        if isinstance(item, dict):
            customer = item.get("customer")
            if isinstance(customer, dict) and customer.get("id") is not None:
                yield str(customer["id"]).removeprefix("gid://shopify/Customer/")


def body_is_about(body: bytes, order_id: str | None, request: PrivacyRequest) -> bool:
    """True when a stored delivery (its body, and the order it is about) holds the request's customer's data:
    one of their orders, their customer id, or their e-mail or phone anywhere in it."""
    if order_id is not None and order_id in request.orders:
        return True
    lowered = body.lower()
    if any(needle.encode() in lowered for needle in request.needles()):
        return True
    if request.customer_id is None:
        return False
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    wanted = request.customer_id.removeprefix("gid://shopify/Customer/")
    return any(found == wanted for found in _customer_ids(payload))


# Where a Shopify body holds a person's name, address and contacts: the customer and each address of theirs.
_PERSON_KEYS = frozenset({"customer", "billing_address", "shipping_address", "default_address", "destination"})
MIN_DETAIL_LENGTH = 5  # shorter text (a first name alone, a house number) would redact unrelated text too


def customer_details(body: bytes) -> set[str]:
    """The names, street lines, e-mails and phones a delivery's body quotes of its customer (lower case), to be
    looked for in free text elsewhere once that customer asks to be erased; each at least MIN_DETAIL_LENGTH long."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return set()
    found: set[str] = set()
    if isinstance(payload, dict):  # an order's own "name" is its number (#1001): only its contacts here
        found.update(_details_of(payload, ("email", "contact_email", "phone")))
    for item in _walk(payload):
        if not isinstance(item, dict):
            continue
        for key, value in item.items():
            people = value if key == "addresses" and isinstance(value, list) else [value] if key in _PERSON_KEYS else []
            for person in people:
                if isinstance(person, dict):
                    found.update(_details_of(person, _PERSON_FIELDS))
                    found.update(_full_name(person))
    return {detail for detail in found if len(detail) >= MIN_DETAIL_LENGTH}


_PERSON_FIELDS = ("name", "address1", "address2", "email", "contact_email", "phone")


def _details_of(person: dict[str, Any], keys: tuple[str, ...]) -> Iterator[str]:
    for key in keys:
        value = person.get(key)
        text = _text(value) if isinstance(value, str) else None
        if text is not None:
            yield text.lower()


def _full_name(person: dict[str, Any]) -> Iterator[str]:
    first, last = person.get("first_name"), person.get("last_name")
    if isinstance(first, str) and isinstance(last, str) and first.strip() and last.strip():
        yield f"{first.strip()} {last.strip()}".lower()
