"""One order for the console: found by name, id or SKU; its timeline (webhooks, job attempts, the ERP's
documents, fulfilments, refunds and credit notes) and the money on both sides. A viewer sees no customer
details beyond the order's name and country, and no raw error texts (they can quote customer data)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trueup.domain.email_index import email_hash
from trueup.domain.ledger import LedgerEntry
from trueup.domain.people import Role, sees_customers
from trueup.service_layer.jobs import order_key
from trueup.service_layer.ports import History, Store


@dataclass(frozen=True)
class Customer:
    country: str | None
    email: str | None = None
    name: str | None = None


def customer_of(body: bytes | None, role: Role) -> Customer:
    """The customer as the latest order webhook gives it: the country for everyone, the rest for those who may."""
    try:
        order = json.loads(body) if body else {}
    except ValueError:
        order = {}
    if not isinstance(order, dict):
        order = {}
    address = order.get("shipping_address") or order.get("billing_address") or {}
    country = address.get("country_code") if isinstance(address, dict) else None
    if not sees_customers(role):
        return Customer(country)
    customer = order.get("customer") or {}
    name = (
        " ".join(str(customer.get(k) or "") for k in ("first_name", "last_name")).strip()
        if isinstance(customer, dict)
        else ""
    )
    return Customer(country, order.get("email") or None, name or None)


def _money(entry: LedgerEntry) -> dict[str, str | None]:
    return {
        "shopify": str(entry.shopify_total) if entry.shopify_total else None,
        "erp": str(entry.erp_total) if entry.erp_total else None,
        "charged_in_presentment": str(entry.presentment_total) if entry.presentment_total else None,
        "matches": str(
            entry.shopify_total is not None
            and entry.erp_total is not None
            and entry.shopify_total.rounded() == entry.erp_total.rounded()
        ),
    }


def order_timeline(store: Store, history: History, entry: LedgerEntry, role: Role) -> dict[str, Any]:
    """Everything trueup knows of one order, oldest event first within each kind."""
    errors = sees_customers(role)
    events: list[dict[str, Any]] = []
    for d in history.order_deliveries(entry.shop, entry.order_id):
        events.append(
            {
                "at": d.received_at.isoformat(),
                "kind": "webhook",
                "what": d.topic,
                "detail": f"problem: {d.problem}" if d.problem else f"event {d.event_id or '-'}",
            }
        )
    for j in history.key_jobs(order_key(entry.shop, entry.order_id)):
        detail = (j.last_error or "") if errors else ("failed (details for operators)" if j.last_error else "")
        events.append(
            {
                "at": j.created_at.isoformat(),
                "kind": "job",
                "what": f"{j.kind}: {j.state}, {j.attempts} attempt(s)",
                "detail": detail,
            }
        )
    refunds = [
        {
            "refund": r.describe(),
            "state": str(r.state),
            "amount": str(r.amount) if r.amount else None,
            "credit_note": r.credit_note_number,
            "cause": str(r.cause) if r.cause else None,
        }
        for r in store.refund_records(shop=entry.shop, order_id=entry.order_id)
    ]
    fulfilments = [
        {
            "shipment": f.shipment_id,
            "state": str(f.state),
            "fulfillment_id": f.fulfillment_id,
            "carrier": f.tracking.company,
            "tracking_number": f.tracking.number,
            "tracking_url": f.tracking.url,
            "cause": str(f.cause) if f.cause else None,
        }
        for f in history.order_fulfilments(entry.shop, entry.order_id)
    ]
    customer = customer_of(history.latest_order_body(entry.shop, entry.order_id), role)
    return {
        "shop": entry.shop,
        "order_id": entry.order_id,
        "name": entry.name,
        "state": str(entry.state),
        "state_since": entry.state_since.isoformat(),
        "first_seen_at": entry.first_seen_at.isoformat(),
        "cause": str(entry.cause) if entry.cause else None,
        "what_to_do": entry.what_to_do,
        "detail": (entry.detail if errors else None),
        "erp": {"sale": entry.erp_number, "held_until": entry.held_until.isoformat() if entry.held_until else None},
        "money": _money(entry),
        "customer": customer.__dict__,
        "events": sorted(events, key=lambda e: e["at"]),
        "refunds": refunds,
        "fulfilments": fulfilments,
    }


def find_orders_by_email(store: Store, keys: Mapping[str, bytes], email: str, limit: int = 50) -> list[LedgerEntry]:
    """The orders whose customer e-mail is `email` (trimmed, any case), by each shop's keyed hash of it."""
    hashes = {shop: hashed for shop, key in keys.items() if (hashed := email_hash(key, email)) is not None}
    found = (store.ledger_entry(shop, order_id) for shop, order_id in store.orders_by_email(hashes, limit))
    return [entry for entry in found if entry is not None]


def find_orders(history: History, text: str, limit: int = 20) -> list[LedgerEntry]:
    """Orders by name ("#1042"), Shopify id or a SKU they are parked for or still ask stock of."""
    return history.find_entries(text, limit)
