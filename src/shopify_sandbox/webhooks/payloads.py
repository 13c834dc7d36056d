"""Bodies of the webhooks whose payload is not a plain REST resource: the privacy topics,
app/uninstalled and orders/edited. (orders/*, refunds/create, fulfillments/create and
inventory_levels/update carry the REST resource, which the shop's state builds.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ShopIdentity:
    id: int
    domain: str  # "<handle>.myshopify.com"


@dataclass(frozen=True)
class CustomerIdentity:
    id: int
    email: str | None
    phone: str | None


def customers_data_request(
    shop: ShopIdentity, customer: CustomerIdentity, order_ids: list[int], data_request_id: int
) -> dict[str, Any]:
    """customers/data_request: a customer asked the merchant for their data."""
    return {
        "shop_id": shop.id,
        "shop_domain": shop.domain,
        "orders_requested": list(order_ids),
        "customer": _customer(customer),
        "data_request": {"id": data_request_id},
    }


def customers_redact(shop: ShopIdentity, customer: CustomerIdentity, order_ids: list[int]) -> dict[str, Any]:
    """customers/redact: erase what the app holds about this customer and these orders."""
    return {
        "shop_id": shop.id,
        "shop_domain": shop.domain,
        "customer": _customer(customer),
        "orders_to_redact": list(order_ids),
    }


def shop_redact(shop: ShopIdentity) -> dict[str, Any]:
    """shop/redact: sent 48 hours after uninstall; erase everything about the shop."""
    return {"shop_id": shop.id, "shop_domain": shop.domain}


def _customer(customer: CustomerIdentity) -> dict[str, Any]:
    return {"id": customer.id, "email": customer.email, "phone": customer.phone}


@dataclass(frozen=True)
class ShopResource:
    """The fields of the REST shop resource that app/uninstalled carries."""

    id: int
    name: str
    email: str
    myshopify_domain: str
    currency: str
    country_code: str
    taxes_included: bool
    plan_name: str
    created_at: datetime
    updated_at: datetime
    iana_timezone: str = "Etc/UTC"
    enabled_presentment_currencies: tuple[str, ...] = ()
    primary_location_id: int | None = None


def app_uninstalled(shop: ShopResource) -> dict[str, Any]:
    """app/uninstalled: the REST shop resource."""
    return {
        "id": shop.id,
        "name": shop.name,
        "email": shop.email,
        "domain": shop.myshopify_domain,
        "myshopify_domain": shop.myshopify_domain,
        "country_code": shop.country_code,
        "currency": shop.currency,
        "customer_email": shop.email,
        "iana_timezone": shop.iana_timezone,
        "taxes_included": shop.taxes_included,
        "plan_name": shop.plan_name,
        "plan_display_name": shop.plan_name.replace("_", " ").title(),
        "enabled_presentment_currencies": list(shop.enabled_presentment_currencies or (shop.currency,)),
        "primary_location_id": shop.primary_location_id,
        "multi_location_enabled": True,
        "created_at": shop.created_at.isoformat(),
        "updated_at": shop.updated_at.isoformat(),
    }


@dataclass(frozen=True)
class LineItemDelta:
    line_item_id: int
    delta: int  # how many units were added (additions) or taken off (removals); positive


@dataclass(frozen=True)
class OrderEdit:
    id: int
    order_id: int
    created_at: datetime
    committed_at: datetime
    additions: tuple[LineItemDelta, ...] = ()
    removals: tuple[LineItemDelta, ...] = ()
    notify_customer: bool = False
    staff_note: str = ""
    app_id: int | None = None
    user_id: int | None = None
    line_item_discount_additions: tuple[dict[str, Any], ...] = field(default=())


def orders_edited(edit: OrderEdit) -> dict[str, Any]:
    """orders/edited: not the order, only what the committed edit changed (read the order again)."""
    return {
        "order_edit": {
            "id": edit.id,
            "app_id": edit.app_id,
            "created_at": edit.created_at.isoformat(),
            "committed_at": edit.committed_at.isoformat(),
            "notify_customer": edit.notify_customer,
            "order_id": edit.order_id,
            "staff_note": edit.staff_note,
            "user_id": edit.user_id,
            "line_items": {
                "additions": [{"id": d.line_item_id, "delta": d.delta} for d in edit.additions],
                "removals": [{"id": d.line_item_id, "delta": d.delta} for d in edit.removals],
            },
            "discounts": {
                "line_item": {"additions": list(edit.line_item_discount_additions), "removals": []},
            },
            "shipping_lines": {"additions": [], "removals": []},
        }
    }
