"""Honouring Shopify's privacy requests on trueup's own records (docs/going-live.md, "Privacy requests").

A data request is answered with an export of what trueup holds about the customer, shown to the operator
(`trueup privacy show`), who sends it on. A customer redact replaces the body of every kept delivery holding the
customer's data, the request's own included, and any free text quoting their e-mail, phone, name or street (as
those deliveries quote them), the console's too (its audit's filters and sign-in names, its alerts' details);
the keyed hashes of their e-mail go (the console's search by e-mail then finds none of their orders); the
order ledger keeps only ids, names like "#1001" and amounts, and stays. A shop redact erases everything of
the shop, its alert states included, and redacts the audit records naming it. The ERP's legal records (sales,
invoices, credit notes, parties) are the brand's own books, kept under its legal obligations: trueup does not
touch them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import structlog

from trueup.domain.email_index import email_hash
from trueup.domain.privacy import (
    PRIVACY_TOPICS,
    REDACTED_BODY,
    PrivacyKind,
    PrivacyRequest,
    body_is_about,
    customer_details,
    read_privacy_request,
)
from trueup.service_layer.ports import ConsolePrivacy, PrivacyRecords, PrivacyReport, Store, StoredDelivery

log = structlog.get_logger(__name__)

REDACTED_TEXT = "(redacted: customer data erased on request)"


def honour(
    store: Store,
    webhook_id: str,
    now: Callable[[], datetime],
    console: ConsolePrivacy | None = None,
    email_keys: Mapping[str, bytes] | None = None,
) -> PrivacyReport | None:
    """Act on the privacy request delivered as `webhook_id` and record what was done, on the store and on the
    console's records (`console`, on the same database in production); None when the delivery is gone (purged)
    or is not a readable privacy request (it is then shown as kept but not understood). `email_keys`: each
    shop's key of the e-mail index, to forget the customer's orders found by their e-mail too."""
    delivery = store.stored_delivery(webhook_id)
    if delivery is None or delivery.body == REDACTED_BODY:
        return None
    request = read_privacy_request(delivery.topic, delivery.shop, delivery.body)
    if request is None:
        log.warning("privacy.unreadable_request", shop=delivery.shop, topic=delivery.topic, webhook_id=webhook_id)
        return None
    if request.kind is PrivacyKind.DATA_REQUEST:
        records = _found(store, request)
    elif request.kind is PrivacyKind.CUSTOMER_REDACT:
        records = _redact_customer(store, request, webhook_id, console, (email_keys or {}).get(request.shop))
    else:
        records = store.erase_shop(request.shop)
        if console is not None:
            records.update(console.erase_console_shop(request.shop, REDACTED_TEXT))
    report = PrivacyReport(
        webhook_id=webhook_id,
        shop=request.shop,
        kind=request.kind.value,
        customer_id=request.customer_id,
        orders=list(request.orders),
        received_at=delivery.received_at,
        done_at=now(),
        records=records,
    )
    store.save_privacy_report(report)
    # Ids and counts only: never the customer's e-mail, name or address.
    log.info("privacy.honoured", shop=request.shop, kind=request.kind.value, webhook_id=webhook_id, **records)
    return report


def _about_customer(store: PrivacyRecords, request: PrivacyRequest, with_requests: bool) -> list[StoredDelivery]:
    """The shop's kept deliveries holding the customer's data; privacy requests among them only if asked."""
    return [
        d
        for d in store.stored_deliveries(request.shop)
        if (with_requests or d.topic not in PRIVACY_TOPICS) and body_is_about(d.body, d.order_id, request)
    ]


def _found(store: Store, request: PrivacyRequest) -> dict[str, int]:
    deliveries = _about_customer(store, request, with_requests=False)
    orders = [e for e in (store.ledger_entry(request.shop, order) for order in request.orders) if e is not None]
    return {"deliveries": len(deliveries), "orders": len(orders)}


def _needles(request: PrivacyRequest, about: list[StoredDelivery]) -> list[str]:
    """What free text may quote of the customer: the request's e-mail and phone, and the names and street lines
    their deliveries still hold (bodies expire after worker.delivery_bodies_retention_days)."""
    return sorted({*request.needles(), *(detail for d in about for detail in customer_details(d.body))})


def _redact_customer(
    store: Store,
    request: PrivacyRequest,
    webhook_id: str,
    console: ConsolePrivacy | None,
    email_key: bytes | None = None,
) -> dict[str, int]:
    about = _about_customer(store, request, with_requests=True)
    needles = _needles(request, about)
    holding = [d.webhook_id for d in about if d.webhook_id != webhook_id]
    records = {"deliveries": store.replace_delivery_bodies(holding, REDACTED_BODY)}
    # The e-mail index: the orders named, and any other order of the shop under the customer's e-mail.
    hashed = email_hash(email_key, request.email) if email_key is not None and request.email else None
    forgotten = store.forget_order_emails(request.shop, list(request.orders), hashed)
    if forgotten:
        records["order_emails"] = forgotten
    records.update(store.redact_free_text(request.shop, needles, REDACTED_TEXT))
    if console is not None:
        records.update(console.redact_console_text(request.shop, needles, REDACTED_TEXT))
    # Last, once the rest is done: the request's own body names the customer too.
    store.replace_delivery_bodies([webhook_id], REDACTED_BODY)
    return records


def customer_export(store: Store, report: PrivacyReport, console: ConsolePrivacy | None = None) -> dict[str, Any]:
    """What trueup holds about the customer of the data request `report`: each kept delivery holding their data
    (its body as received), the ledger of the orders named, and each free text quoting them (an order's or a
    job's error; the console's audit and alerts when `console` is given). Built when shown, never stored."""
    delivery = store.stored_delivery(report.webhook_id)
    request = None if delivery is None else read_privacy_request(delivery.topic, delivery.shop, delivery.body)
    if request is None:
        return {"request": report.webhook_id, "available": False, "why": "the request's delivery is no longer kept"}
    deliveries = []
    about = _about_customer(store, request, with_requests=False)
    needles = _needles(request, about)
    quoted = store.free_text_about(request.shop, needles)
    if console is not None:
        quoted += console.console_text_about(request.shop, needles)
    for held in about:
        try:
            body: Any = json.loads(held.body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            body = held.body.decode("utf-8", "replace")
        deliveries.append(
            {
                "webhook_id": held.webhook_id,
                "topic": held.topic,
                "received_at": held.received_at.isoformat(),
                "body": body,
            }
        )
    orders = []
    for order_id in request.orders:
        entry = store.ledger_entry(request.shop, order_id)
        if entry is not None:
            orders.append(
                {
                    "order_id": entry.order_id,
                    "name": entry.name,
                    "state": str(entry.state),
                    "shopify_total": str(entry.shopify_total) if entry.shopify_total else None,
                    "erp_number": entry.erp_number,
                }
            )
    return {
        "request": report.webhook_id,
        "available": True,
        "shop": request.shop,
        "customer": {"id": request.customer_id, "email": request.email, "phone": request.phone},
        "deliveries": deliveries,
        "orders": orders,
        "free_text": [{"record": kind, "text": text} for kind, text in quoted],
    }
