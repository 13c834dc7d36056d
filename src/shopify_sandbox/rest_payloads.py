"""Objects in Shopify's REST format (snake_case, numeric ids, money as "10.00"): the bodies of webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shopify_sandbox.models.addresses import MailingAddress
from shopify_sandbox.models.catalog import Customer, InventoryLevel
from shopify_sandbox.models.orders import (
    DiscountAllocation,
    LineItem,
    Order,
    PurchasingCompany,
    ShippingLine,
    TaxLine,
)
from shopify_sandbox.money import MoneyBag, format_amount


def timestamp(value: datetime | None) -> str | None:
    """Shopify's REST timestamps: ISO 8601 with an explicit offset, whole seconds."""
    return None if value is None else value.replace(microsecond=0).isoformat()


def money(bag: MoneyBag | None) -> str:
    return format_amount(bag.shop) if bag else "0.00"


def price_set(bag: MoneyBag | None) -> dict[str, Any] | None:
    if bag is None:
        return None
    return {
        "shop_money": {"amount": format_amount(bag.shop), "currency_code": bag.shop_money.currency_code},
        "presentment_money": {
            "amount": format_amount(bag.presentment),
            "currency_code": bag.presentment_money.currency_code,
        },
    }


def address_to_rest(address: MailingAddress | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {
        "first_name": address.first_name,
        "last_name": address.last_name,
        "name": address.name,
        "company": address.company,
        "address1": address.address1,
        "address2": address.address2,
        "city": address.city,
        "province": address.province,
        "province_code": address.province_code,
        "zip": address.zip,
        "country": address.country,
        "country_code": address.country_code_v2,
        "phone": address.phone,
    }


def customer_to_rest(customer: Customer | None) -> dict[str, Any] | None:
    if customer is None:
        return None
    return {
        "id": customer.number,
        "admin_graphql_api_id": customer.id,
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "phone": customer.phone,
        "tags": ", ".join(customer.tags),
        "created_at": timestamp(customer.created_at),
        "updated_at": timestamp(customer.updated_at),
        "default_address": address_to_rest(customer.default_address),
    }


def tax_line_to_rest(line: TaxLine) -> dict[str, Any]:
    return {
        "title": line.title,
        "rate": float(line.rate),
        "price": money(line.price_set),
        "price_set": price_set(line.price_set),
        "channel_liable": line.channel_liable,
    }


def allocation_to_rest(allocation: DiscountAllocation) -> dict[str, Any]:
    return {
        "amount": money(allocation.allocated_amount_set),
        "amount_set": price_set(allocation.allocated_amount_set),
        "discount_application_index": allocation.discount_application.index,
    }


def line_item_to_rest(line: LineItem) -> dict[str, Any]:
    variant = line.variant
    group = line.line_item_group
    return {
        "id": line.number,
        "admin_graphql_api_id": line.id,
        "title": line.title,
        "name": line.name,
        "sku": line.sku,
        "vendor": line.vendor,
        "quantity": line.quantity,
        "current_quantity": line.current_quantity,
        "fulfillable_quantity": line.current_quantity - line.fulfilled_quantity,
        "fulfillment_status": None if line.fulfilled_quantity == 0 else "partial",
        "price": money(line.original_unit_price_set),
        "price_set": price_set(line.original_unit_price_set),
        "total_discount": money(_sum_allocations(line.discount_allocations)),
        "total_discount_set": price_set(_sum_allocations(line.discount_allocations)),
        "discount_allocations": [allocation_to_rest(a) for a in line.discount_allocations],
        "tax_lines": [tax_line_to_rest(t) for t in line.tax_lines],
        "taxable": line.taxable,
        "requires_shipping": line.requires_shipping,
        "gift_card": line.is_gift_card,
        "variant_id": variant.number if variant else None,
        "variant_title": line.variant_title,
        "product_id": variant.product.number if variant and variant.product else None,
        "product_exists": variant is not None,
        "properties": [{"name": a["key"], "value": a["value"]} for a in line.custom_attributes],
        "line_item_group": None
        if group is None
        else {"id": group.number, "title": group.title, "quantity": group.quantity, "variant_sku": group.variant_sku},
    }


def shipping_line_to_rest(line: ShippingLine) -> dict[str, Any]:
    discounted = line.original_price_set - _sum_allocations(line.discount_allocations, line.original_price_set)
    return {
        "id": line.number,
        "title": line.title,
        "code": line.code,
        "source": line.source,
        "price": money(line.original_price_set),
        "price_set": price_set(line.original_price_set),
        "discounted_price": money(discounted),
        "discounted_price_set": price_set(discounted),
        "discount_allocations": [allocation_to_rest(a) for a in line.discount_allocations],
        "tax_lines": [tax_line_to_rest(t) for t in line.tax_lines],
    }


def _sum_allocations(allocations: list[DiscountAllocation], like: MoneyBag | None = None) -> Any:
    bags = [a.allocated_amount_set for a in allocations]
    if not bags:
        return like.times(0) if like else None
    total = bags[0]
    for bag in bags[1:]:
        total = total + bag
    return total


def order_to_rest(order: Order) -> dict[str, Any]:
    """The REST Order resource, as Shopify sends it in orders/* webhooks."""
    company = order.purchasing_entity if isinstance(order.purchasing_entity, PurchasingCompany) else None
    return {
        "id": order.number,
        "admin_graphql_api_id": order.id,
        "name": order.name,
        "order_number": order.order_number,
        "number": order.order_number - 1000,
        "email": order.email,
        "contact_email": order.email,
        "phone": order.phone,
        "note": order.note,
        "tags": ", ".join(order.tags),
        "po_number": order.po_number,
        "test": order.test,
        "financial_status": (order.display_financial_status or "").lower() or None,
        "fulfillment_status": _rest_fulfillment_status(order.display_fulfillment_status),
        "currency": order.currency_code,
        "presentment_currency": order.presentment_currency_code,
        "taxes_included": order.taxes_included,
        "total_price": money(order.total_price_set),
        "total_price_set": price_set(order.total_price_set),
        "current_total_price": money(order.total_price_set),
        "subtotal_price": money(order.subtotal_price_set),
        "subtotal_price_set": price_set(order.subtotal_price_set),
        "total_line_items_price": money(_line_items_total(order)),
        "total_tax": money(order.total_tax_set),
        "total_tax_set": price_set(order.total_tax_set),
        "total_discounts": money(order.total_discounts_set),
        "total_discounts_set": price_set(order.total_discounts_set),
        "total_shipping_price_set": price_set(order.total_shipping_price_set),
        "discount_codes": [{"code": code} for code in order.discount_codes],
        "line_items": [line_item_to_rest(line) for line in order.line_items],
        "shipping_lines": [shipping_line_to_rest(line) for line in order.shipping_lines],
        "tax_lines": [tax_line_to_rest(t) for t in order.tax_lines],
        "customer": customer_to_rest(order.customer),
        "company": None if company is None else {"id": company.company.number, "location_id": company.location.number},
        "payment_terms": None
        if order.payment_terms is None
        else {
            "payment_terms_name": order.payment_terms.payment_terms_name,
            "due_in_days": order.payment_terms.due_in_days,
        },
        "shipping_address": address_to_rest(order.shipping_address),
        "billing_address": address_to_rest(order.billing_address),
        "created_at": timestamp(order.created_at),
        "updated_at": timestamp(order.updated_at),
        "processed_at": timestamp(order.processed_at),
        "cancelled_at": timestamp(order.cancelled_at),
        "cancel_reason": order.cancel_reason,
        "closed_at": timestamp(order.closed_at),
        "source_name": order.source_name,
        "refunds": [],
        "fulfillments": [],
    }


def _line_items_total(order: Order) -> MoneyBag | None:
    bags = [line.original_total() for line in order.line_items if line.original_unit_price_set]
    if not bags:
        return None
    total = bags[0]
    for bag in bags[1:]:
        total = total + bag
    return total


def _rest_fulfillment_status(display: str) -> str | None:
    return {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial", "RESTOCKED": "restocked"}.get(display)


def inventory_level_to_rest(level: InventoryLevel) -> dict[str, Any]:
    """The REST InventoryLevel resource (inventory_levels/update)."""
    return {
        "inventory_item_id": level.item.number if level.item else None,
        "location_id": level.location.number if level.location else None,
        "available": level.quantity("available"),
        "updated_at": timestamp(level.updated_at),
        "admin_graphql_api_id": level.id,
    }
