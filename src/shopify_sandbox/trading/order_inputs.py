"""A planned order as the variables of Shopify's `orderCreate` mutation."""

from __future__ import annotations

from typing import Any

from shopify_sandbox.trading import refs
from shopify_sandbox.trading.order_money import Money, TaxLine
from shopify_sandbox.trading.orders import Buyer, PlannedOrder

# Shopify's orderCreate leaves inventory alone unless asked (BYPASS); a storefront decrements it.
ORDER_OPTIONS = {
    "inventoryBehaviour": "DECREMENT_OBEYING_POLICY",
    "sendReceipt": False,
    "sendFulfillmentReceipt": False,
}


def money_bag(amount: Money, order: PlannedOrder) -> dict[str, Any]:
    """A MoneyBagInput: amounts as decimal strings, as Shopify's Decimal scalar takes them."""
    return {
        "shopMoney": {"amount": str(amount.shop), "currencyCode": order.shop_currency},
        "presentmentMoney": {"amount": str(amount.presentment), "currencyCode": order.presentment_currency},
    }


def _tax_lines(taxes: tuple[TaxLine, ...], order: PlannedOrder) -> list[dict[str, Any]]:
    return [{"title": t.title, "rate": str(t.rate), "priceSet": money_bag(t.amount, order)} for t in taxes]


def _address(order: PlannedOrder) -> dict[str, Any]:
    buyer = order.buyer
    common = {"city": order.place.city, "provinceCode": order.place.province_code, "countryCode": "US"}
    if buyer.company_location is not None and buyer.company is not None:
        location = buyer.company_location
        return {"company": buyer.company.name, "address1": location.address1, "zip": location.zip, **common}
    assert buyer.customer is not None
    customer = buyer.customer
    address = {
        "firstName": customer.first_name,
        "lastName": customer.last_name,
        "address1": customer.address1,
        "zip": customer.zip,
        **common,
    }
    if customer.phone:
        address["phone"] = customer.phone
    return address


def _customer(buyer: Buyer) -> dict[str, Any]:
    if buyer.customer is None:
        return {"toUpsert": {"email": buyer.email}}
    customer = buyer.customer
    upsert: dict[str, Any] = {"email": customer.email, "firstName": customer.first_name, "lastName": customer.last_name}
    if customer.phone:
        upsert["phone"] = customer.phone
    return {"toUpsert": upsert}


def _discount_code(order: PlannedOrder) -> dict[str, Any] | None:
    code = order.discount_code
    if code is None:
        return None
    if code.kind == "fixed":
        amount = order.totals.item_discounts
        return {"itemFixedDiscountCode": {"code": code.code, "amountSet": money_bag(amount, order)}}
    if code.kind == "percentage":
        return {"itemPercentageDiscountCode": {"code": code.code, "percentage": float(code.value)}}
    return {"freeShippingDiscountCode": {"code": code.code}}


def _transactions(order: PlannedOrder) -> list[dict[str, Any]]:
    kind = {"PAID": "SALE", "AUTHORIZED": "AUTHORIZATION"}.get(order.financial_status)
    if kind is None:  # pending: nothing paid yet
        return []
    return [
        {
            "kind": kind,
            "status": "SUCCESS",
            "gateway": "shopify_payments",
            "amountSet": money_bag(order.totals.total, order),
        }
    ]


def order_create_variables(order: PlannedOrder, tags: list[str]) -> dict[str, Any]:
    """`{"order": OrderCreateOrderInput, "options": OrderCreateOptionsInput}` for this order."""
    line_items = [
        {
            "variantId": refs.variant(line.sku),
            "quantity": line.quantity,
            "priceSet": money_bag(line.unit_price, order),
            "taxable": line.taxable,
            "requiresShipping": line.requires_shipping,
            "taxLines": _tax_lines(line.taxes, order),
        }
        for line in order.lines
    ]
    address = _address(order)
    payload: dict[str, Any] = {
        "currency": order.shop_currency,
        "presentmentCurrency": order.presentment_currency,
        "email": order.buyer.email,
        "customer": _customer(order.buyer),
        "lineItems": line_items,
        "billingAddress": address,
        "taxesIncluded": False,
        "financialStatus": order.financial_status,
        "sourceName": "web",
        "tags": tags,
    }
    if any(line.requires_shipping for line in order.lines):
        payload["shippingAddress"] = address
    if order.shipping is not None:
        shipping = order.shipping
        payload["shippingLines"] = [
            {
                "title": shipping.title,
                "code": shipping.code,
                "source": "shopify",
                "priceSet": money_bag(shipping.price, order),
                "taxLines": _tax_lines(shipping.taxes, order),
            }
        ]
    if (discount := _discount_code(order)) is not None:
        payload["discountCode"] = discount
    if transactions := _transactions(order):
        payload["transactions"] = transactions
    if order.buyer.company is not None and order.buyer.company_location is not None:
        payload["companyLocationId"] = refs.company_location(
            order.buyer.company.external_id, order.buyer.company_location.name
        )
        payload["poNumber"] = order.po_number
    return {"order": payload, "options": dict(ORDER_OPTIONS)}
